"""Key files: decode, load, generate."""

import os

import pytest

import dmboot
from conftest import dmboot_ref


def test_decode_key_forms():
    hexkey = "00112233445566778899AABBCCDDEEFF" * 2
    for text in (hexkey, hexkey + "\n", hexkey.lower() + "\r\n", hexkey.encode()):
        assert dmboot.decode_key(text) == bytes.fromhex(hexkey) == dmboot_ref.decode_key_text(
            text.decode() if isinstance(text, bytes) else text)
    assert len(dmboot.decode_key("ab" * 16)) == 16 and len(dmboot.decode_key("ab" * 64)) == 64


@pytest.mark.parametrize("text,words", [
    ("", ["empty"]),
    ("ab" * 15, ["30", "hex digits"]),
    ("ab" * 65, ["130"]),
    ("abc" * 11, ["odd"]),
    ("zz" * 16, ["position 1"]),
    (" " + "ab" * 16, ["position 1"]),
    ("ab" * 16 + "\n\n", ["line"]),
])
def test_decode_key_errors(text, words):
    with pytest.raises(dmboot.BadKeyError) as e:
        dmboot.decode_key(text)
    for w in words:
        assert w in str(e.value), str(e.value)


def test_load_key_file_and_fd(tmp_path):
    key = os.urandom(32)
    p = tmp_path / "master.key"
    p.write_text(key.hex() + "\n")
    p.chmod(0o600)  # key files must be private
    assert dmboot.load_key(p) == key == dmboot.load_key(str(p))
    with open(p, "rb") as f:
        assert dmboot.load_key(f.fileno()) == key
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    bad.chmod(0o600)
    with pytest.raises(dmboot.BadKeyError) as e:
        dmboot.load_key(bad)
    assert "bad.key" in str(e.value)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o620, 0o602, 0o610, 0o601])
def test_key_files_open_to_others_are_refused(tmp_path, mode):
    # as OpenSSH refuses a private key others may read (issue 14.11)
    sk = dmboot.SigningKey.generate()
    for name, text, load in (("master.key", os.urandom(32).hex() + "\n", dmboot.load_key),
                             ("issuer.key", sk.private_pem(), dmboot.SigningKey.load)):
        p = tmp_path / name
        p.write_text(text)
        p.chmod(mode)
        with pytest.raises(dmboot.BadKeyError) as e:
            load(p)
        assert str(p) in str(e.value) and "(mode %04o)" % mode in str(e.value)
        assert "chmod 600" in str(e.value)
        p.chmod(0o600)
        load(p)


def test_key_files_through_a_symlink_are_refused(tmp_path):
    sk = dmboot.SigningKey.generate()
    for name, text, load in (("master.key", os.urandom(32).hex() + "\n", dmboot.load_key),
                             ("issuer.key", sk.private_pem(), dmboot.SigningKey.load)):
        p = tmp_path / name
        p.write_text(text)
        p.chmod(0o600)
        link = tmp_path / ("link-" + name)
        link.symlink_to(p)
        with pytest.raises(dmboot.BadKeyError) as e:
            load(link)
        assert str(link) in str(e.value) and "symbolic link" in str(e.value)
    assert dmboot.SigningKey.load(tmp_path / "issuer.key").public_key() == sk.public_key()


def test_generate_key():
    a, b = dmboot.generate_key(), dmboot.generate_key()
    assert len(a) == 32 and a != b
    assert len(dmboot.generate_key(16)) == 16 and len(dmboot.generate_key(64)) == 64
    for n in (15, 65, 0):
        with pytest.raises(ValueError):
            dmboot.generate_key(n)
    with pytest.raises(TypeError):
        dmboot.generate_key("32")
