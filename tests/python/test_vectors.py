"""The shared vector files (tests/vectors/), as the C and Lua suites read them."""

import base64

import pytest

import dmboot
from conftest import load_vectors


def _b64(v):
    return None if v is None else base64.b64decode(v)


def test_derivation_accounts():
    data = load_vectors("derivation.json")
    for case in data["accounts"]:
        d = dmboot.Descriptor.parse(case["descriptor"])
        key = bytes.fromhex(case["key"])
        bk = bytes.fromhex(case["batch_key"])
        assert d.batch_key(key) == bk, case["name"]
        assert d.key_check(key=key) == case["key_check"] == d.key_check(batch_key=bk)
        for dv in (d.deriver(key=key), d.deriver(batch_key=bk)):
            inputs = [dev["input"] for dev in case["devices"]]
            for dev, acc in zip(case["devices"], dv.derive_many(inputs)):
                assert acc.devid == dev["devid"]
                assert acc.name == dev.get("name")
                assert acc.client_secret == dev.get("client_secret")
                assert acc.server_secret == dev.get("server_secret")
                assert acc.client_nonce == _b64(dev.get("client_nonce"))
                assert acc.server_nonce == _b64(dev.get("server_nonce"))


def test_devids():
    data = load_vectors("devids.json")
    for case in data["cases"]:
        if "error" in case:
            with pytest.raises(dmboot.DevIDError) as e:
                dmboot.normalize_devid(case["type"], case["input"])
            assert case.get("message_contains", "") in str(e.value), case
        else:
            assert dmboot.normalize_devid(case["type"], case["input"]) == case["normalized"]


def test_descriptors():
    data = load_vectors("descriptors.json")
    for case in data["valid"]:
        d = dmboot.Descriptor.parse(case["text"])
        for key, want in case["expect"].items():
            got = {"signed_length": lambda: d.signed_length,
                   "entries": lambda: len(d)}.get(key, lambda: d.get(key))()
            assert got == want, (case["name"], key)
        assert d.text == case["text"]
    for case in data["invalid"]:
        text = (base64.b64decode(case["text_base64"]) if "text_base64" in case
                else case["text"])
        with pytest.raises(dmboot.DescriptorError) as e:
            dmboot.Descriptor.parse(text)
        assert e.value.line == case["line"], (case["name"], str(e.value))
        assert str(e.value).startswith(f"line {case['line']}: "), case["name"]
        assert case["message_contains"] in str(e.value), (case["name"], str(e.value))
