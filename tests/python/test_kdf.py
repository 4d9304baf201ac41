"""The derivation primitives (dmboot.kdf) against the reference and the vectors."""

import pytest

import dmboot
import dmboot.kdf
from conftest import KEY1, dmboot_ref, load_vectors


@pytest.mark.parametrize("kdf", ["hkdf-sha256", "kbkdf-hmac-sha256"])
@pytest.mark.parametrize("key", [KEY1, KEY1[:16], KEY1 * 2])
def test_batch_key(kdf, key):
    assert dmboot.kdf.batch_key(kdf, key, "acme-x1") == dmboot_ref.batch_key(kdf, key, "acme-x1")


@pytest.mark.parametrize("kdf", ["hkdf-sha256", "kbkdf-hmac-sha256"])
@pytest.mark.parametrize("length", [0, 1, 31, 32, 33, 100, 8160])
def test_stream(kdf, length):
    bk = dmboot_ref.batch_key(kdf, KEY1, "acme-x1")
    got = dmboot.kdf.stream(kdf, bk, "client-secret", "dm.example", "IMEI:490154203237518", length)
    assert got == dmboot_ref.field_stream(kdf, bk, "client-secret", "dm.example",
                                          "IMEI:490154203237518", length)


def test_stream_errors():
    with pytest.raises(ValueError, match="unknown kdf"):
        dmboot.kdf.stream("sha1", bytes(32), "l", "s", "d", 1)
    with pytest.raises(ValueError, match="32 bytes"):
        dmboot.kdf.stream("hkdf-sha256", bytes(16), "l", "s", "d", 1)
    with pytest.raises(ValueError):
        dmboot.kdf.stream("hkdf-sha256", bytes(32), "l", "s", "d", 8161)


def test_derivation_vectors_kdf():
    data = load_vectors("derivation.json")
    for case in data["kdf"]:
        key = bytes.fromhex(case["key"])
        bk = dmboot.kdf.batch_key(case["kdf"], key, case["id"])
        assert bk.hex() == case["batch_key"], case["name"]
        for s in case["streams"]:
            got = dmboot.kdf.stream(case["kdf"], bk, s["label"], s["server_id"], s["devid"],
                                    s["length"])
            assert got.hex() == s["stream"], (case["name"], s["label"])
        kc = dmboot.kdf.stream(case["kdf"], bk, "key-check", case["key_check"]["server_id"],
                               "", 4)
        assert kc.hex() == case["key_check"]["value"]
