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
    assert dmboot.load_key(p) == key == dmboot.load_key(str(p))
    with open(p, "rb") as f:
        assert dmboot.load_key(f.fileno()) == key
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    with pytest.raises(dmboot.BadKeyError) as e:
        dmboot.load_key(bad)
    assert "bad.key" in str(e.value)


def test_generate_key():
    a, b = dmboot.generate_key(), dmboot.generate_key()
    assert len(a) == 32 and a != b
    assert len(dmboot.generate_key(16)) == 16 and len(dmboot.generate_key(64)) == 64
    for n in (15, 65, 0):
        with pytest.raises(ValueError):
            dmboot.generate_key(n)
    with pytest.raises(TypeError):
        dmboot.generate_key("32")
