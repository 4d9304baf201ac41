"""Error paths: each failure raises its own dmboot.Error subclass with a
message a person can act on, and no input crashes the interpreter."""

import os
import random

import pytest

import dmboot
from conftest import EXAMPLE_TEXT, KEY1, KEY2, descriptor_text


def test_hierarchy_keeps_builtins_apart():
    assert issubclass(dmboot.DescriptorError, dmboot.Error)
    assert issubclass(dmboot.DevIDError, ValueError)
    assert issubclass(dmboot.NotCoveredError, dmboot.DevIDError)
    assert issubclass(dmboot.KeyMismatchError, dmboot.BadKeyError)
    for cls in (dmboot.BadMACError, dmboot.BadSignatureError, dmboot.UnauthenticatedError,
                dmboot.CredentialError):
        assert issubclass(cls, dmboot.AuthenticationError)
    assert issubclass(dmboot.FileError, OSError)
    assert not issubclass(dmboot.BadKeyError, KeyError)
    distinct = {dmboot.DescriptorError, dmboot.DevIDError, dmboot.BadKeyError,
                dmboot.AuthenticationError}
    for a in distinct:
        for b in distinct - {a}:
            assert not issubclass(a, b)


def test_malformed_descriptor_names_the_line():
    bad = EXAMPLE_TEXT.replace("server-id:", "serverid:")
    with pytest.raises(dmboot.DescriptorError) as e:
        dmboot.Descriptor.parse(bad)
    err = e.value
    line = bad.splitlines().index("serverid: dm.operator.example") + 1
    assert err.line == line and err.status == "descriptor"
    assert str(err).startswith(f"line {line}: ") and "serverid" in str(err)
    assert err.message == str(err) and err.code == 4


@pytest.mark.parametrize("text", [
    "",
    "dmboot-descriptor: 2\n",
    EXAMPLE_TEXT.replace("\n", "\r\n"),
    EXAMPLE_TEXT.rstrip("\n"),
    EXAMPLE_TEXT.replace("derive chars 20 alnum", "derive chars 5 alnum"),
    EXAMPLE_TEXT + "id: again\n",
    EXAMPLE_TEXT.replace("ACME", "AC\x00ME"),
    "\ufeff" + EXAMPLE_TEXT,
    EXAMPLE_TEXT.encode() + b"\xff\n",
    "x" * 70000,
])
def test_bad_descriptors_raise_descriptor_error(text):
    with pytest.raises(dmboot.DescriptorError) as e:
        dmboot.Descriptor.parse(text)
    assert e.value.message


def test_bad_devid_raises_devid_error():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    with pytest.raises(dmboot.DevIDError) as e:
        d.derive("490154203237517", key=KEY1)
    assert "check digit" in str(e.value) and e.value.status == "devid"
    assert e.value.devid == "490154203237517"
    with pytest.raises(dmboot.NotCoveredError) as e:
        d.derive("356938035643809", key=KEY1)
    assert "devid-match" in str(e.value) and e.value.status == "not_covered"


def test_wrong_key_raises_key_mismatch():
    kc = dmboot.Descriptor.parse(EXAMPLE_TEXT).key_check(key=KEY1)
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT.replace("server-id:", f"key-check: {kc}\nserver-id:"))
    with pytest.raises(dmboot.KeyMismatchError) as e:
        d.deriver(key=KEY2)
    assert "key-check" in str(e.value) and kc in str(e.value)
    with pytest.raises(dmboot.KeyMismatchError):
        d.derive("490154203237518", batch_key=bytes(32))


def test_bad_key_raises_bad_key_error():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    with pytest.raises(dmboot.BadKeyError) as e:
        d.derive("490154203237518", batch_key=bytes(31))
    assert "32" in str(e.value)
    with pytest.raises(dmboot.BadKeyError):
        d.derive("490154203237518", key=bytes(8))


def test_key_arguments_are_checked():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    with pytest.raises(TypeError, match="exactly one"):
        d.derive("490154203237518")
    with pytest.raises(TypeError, match="exactly one"):
        d.derive("490154203237518", key=KEY1, batch_key=KEY1)
    with pytest.raises(TypeError, match="decode_key"):
        d.derive("490154203237518", key=KEY1.hex())
    with pytest.raises(TypeError):
        d.derive("490154203237518", key=12345)


def test_io_errors_are_file_errors(tmp_path):
    with pytest.raises(dmboot.FileError) as e:
        dmboot.Descriptor.load(tmp_path / "missing.desc")
    assert "missing.desc" in str(e.value) and isinstance(e.value, OSError)
    with pytest.raises(dmboot.FileError):
        dmboot.load_key(tmp_path)  # a directory


GARBAGE = [None, 0, -1, 2**70, 3.5, object(), [], {}, b"\x00", "\x00", "a\x00b",
           "x" * 1_000_000, b"\xff" * 100_000, "\udcff", bytearray(b"imei"), memoryview(b"")]


@pytest.mark.parametrize("value", GARBAGE, ids=lambda v: type(v).__name__)
def test_garbage_never_crashes(value):
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    dv = d.deriver(key=KEY1)
    calls = [
        lambda: dmboot.Descriptor.parse(value),
        lambda: dmboot.Descriptor.load(value),
        lambda: dmboot.normalize_devid("imei", value),
        lambda: dmboot.normalize_devid(value, "490154203237518"),
        lambda: dmboot.decode_key(value),
        lambda: dmboot.load_key(value),
        lambda: dmboot.generate_key(value),
        lambda: d.derive(value, key=KEY1),
        lambda: d.derive("490154203237518", key=value),
        lambda: d.derive("490154203237518", batch_key=value),
        lambda: dv.derive(value),
        lambda: list(dv.derive_many(value)),
        lambda: list(dv.derive_many([value])),
        lambda: d.get(value),
        lambda: d.match(value),
        lambda: d.batch_key(value),
        lambda: dmboot.kdf.batch_key("hkdf-sha256", value, "id"),
        lambda: dmboot.kdf.stream("hkdf-sha256", bytes(32), value, "s", "d", 10),
        lambda: dmboot.kdf.stream("hkdf-sha256", bytes(32), "l", "s", "d", value),
    ]
    for call in calls:
        try:
            call()
        except (dmboot.Error, TypeError, ValueError, OSError, OverflowError):
            pass


def test_random_descriptors_and_devids_never_crash():
    rng = random.Random(1234)
    base = EXAMPLE_TEXT.encode()
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    dv = d.deriver(key=KEY1)
    for _ in range(2000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            op = rng.random()
            pos = rng.randrange(len(data))
            if op < 0.4:
                data[pos] = rng.randrange(256)
            elif op < 0.7:
                del data[pos:pos + rng.randint(1, 20)]
            else:
                data[pos:pos] = os.urandom(rng.randint(1, 10))
        try:
            dmboot.Descriptor.parse(bytes(data)).derive("490154203237518", key=KEY1)
        except dmboot.Error:
            pass
        devid = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
        try:
            dv.derive(devid)
        except dmboot.Error:
            pass


def test_native_raw_calls_refuse_none_handles():
    from dmboot import native
    with pytest.raises(TypeError):
        native.dmboot_descriptor_get(None, "id")
    with pytest.raises(TypeError):
        native.dmboot_derive(None, "490154203237518", None)
    with pytest.raises(ValueError, match="NUL"):
        native.dmboot_descriptor_load("a\x00b")
