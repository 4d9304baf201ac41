"""Descriptor authentication through the binding."""

import base64

import pytest

import dmboot
from conftest import EXAMPLE_TEXT, KEY1, KEY2, dmboot_ref, load_vectors

def signed_example(sk=None, key=KEY1):
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    return dmboot.Descriptor.parse(d.sign(key=key, signing_key=sk, update_key_check=True))


def test_sign_then_verify_with_mac_and_signature():
    sk = dmboot.SigningKey.generate()
    d = signed_example(sk)
    assert d.get("key-check") == d.key_check(key=KEY1)
    assert d.get("mac").startswith("hmac-sha256 ")
    assert d.get("signature").startswith("ed25519 ")
    v = dmboot.Verifier(key=KEY1, issuer_keys=[sk.public_key()], at="2027-01-01")
    assert d.verify(v) == {"signature", "key-check", "mac", "validity"}
    report = d.verify_report(v)
    assert report["issuer_key"] == 1 and report["mac"].startswith("ok")
    # the mac is HMAC-SHA256 under the MAC key, over the signed bytes (reference)
    parsed = dmboot_ref.parse_descriptor(d.text)
    bk = dmboot_ref.batch_key(parsed["kdf"], KEY1, parsed["id"])
    want = dmboot_ref.descriptor_mac(d.text, parsed["kdf"], KEY1, parsed["id"])
    assert d.mac(key=KEY1) == want
    # the MAC key comes from the master key: a batch key neither makes nor
    # checks it (issue 14.3)
    with pytest.raises(dmboot.BadKeyError, match="a batch key cannot make or check the MAC"):
        d.mac(batch_key=bk)
    with pytest.raises(dmboot.BadKeyError):
        d.mac_key(batch_key=bk)
    with pytest.raises(dmboot.UnauthenticatedError, match="a batch key cannot check a MAC"):
        d.verify(dmboot.Verifier(batch_key=bk, at="2027-01-01"))
    assert dmboot.kdf.mac_key(parsed["kdf"], KEY1, parsed["id"]) == dmboot_ref.mac_key(
        parsed["kdf"], KEY1, parsed["id"])
    assert d.get("mac") == "hmac-sha256 " + base64.b64encode(want).decode()


def test_each_authentication_failure_has_its_class():
    sk, other = dmboot.SigningKey.generate(), dmboot.SigningKey.generate()
    d = signed_example(sk)
    with pytest.raises(dmboot.KeyMismatchError):
        d.verify(dmboot.Verifier(key=KEY2, at="2027-01-01"))
    with pytest.raises(dmboot.BadSignatureError) as e:
        d.verify(dmboot.Verifier(key=KEY1, issuer_keys=[other.public_pem()], at="2027-01-01"))
    assert "acme-x1-2026w48" in str(e.value)
    with pytest.raises(dmboot.ValidityError):
        d.verify(dmboot.Verifier(key=KEY1, at="2040-01-01"))
    plain = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    with pytest.raises(dmboot.UnauthenticatedError):
        plain.verify(dmboot.Verifier(at="2027-01-01"))
    assert plain.verify(dmboot.Verifier(at="2027-01-01", allow_unauthenticated=True)) == {
        "validity"}
    tampered = dmboot.Descriptor.parse(d.text.replace("Operator DM", "Operator XX"))
    with pytest.raises(dmboot.AuthenticationError):
        tampered.verify(dmboot.Verifier(key=KEY1, issuer_keys=[sk.public_key()],
                                        at="2027-01-01"))


def test_keys_pem_round_trip():
    sk = dmboot.SigningKey.generate()
    again = dmboot.SigningKey.from_pem(sk.private_pem())
    assert again.public_key() == sk.public_key()
    pk = dmboot.PublicKey.from_pem(sk.public_pem())
    assert len(pk.raw()) == 32 and pk.pem() == sk.public_pem()
    assert "PRIVATE" not in repr(sk) and sk.private_pem() not in repr(sk)
    with pytest.raises(dmboot.BadKeyError):
        dmboot.PublicKey.from_pem(sk.private_pem())
    with pytest.raises(dmboot.BadKeyError):
        dmboot.SigningKey.from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def test_registry():
    d = signed_example()
    r = dmboot.Registry()
    r.add(d, dmboot.Verifier(key=KEY1, at="2027-01-01"))
    assert len(r) == 1 and r.ids() == ["acme-x1-2026w48"]
    found, devid = r.lookup("35-209911-015838-9")
    assert devid == "IMEI:352099110158389" and found.id == "acme-x1-2026w48"
    assert r.find("nope") is None and r.find("acme-x1-2026w48").server_id == "dm.operator.example"
    with pytest.raises(dmboot.NotFoundError):
        r.lookup("356938035643809")
    with pytest.raises(dmboot.OverlapError) as e:
        r.add(dmboot.Descriptor.parse(EXAMPLE_TEXT.replace("acme-x1-2026w48", "acme-x1-b")))
    assert "acme-x1-b" in str(e.value)
    del r  # borrowed descriptors keep the registry alive
    assert found.derive("35-209911-015838-9", key=KEY1).devid == "IMEI:352099110158389"


def test_parse_time():
    assert dmboot.parse_time("2026-11-01") == 1793491200
    assert dmboot.parse_time("2026-11-01T01:00:00+01:00") == 1793491200
    with pytest.raises(dmboot.ParseError):
        dmboot.parse_time("2026-13-01")


def test_authentication_vectors():
    data = load_vectors("authentication.json")
    for case in data["cases"]:
        d = dmboot.Descriptor.parse(case["descriptor"])
        if "key" in case:
            key = bytes.fromhex(case["key"])
            assert d.batch_key(key).hex() == case["batch_key"], case["name"]
        bk = bytes.fromhex(case["batch_key"])
        if "key_check" in case:
            assert d.key_check(batch_key=bk) == case["key_check"]
        if "mac" in case and case.get("valid", True):
            assert base64.b64encode(d.mac(key=key)).decode() == case["mac"], case["name"]
            assert d.mac_key(key=key).hex() == case["mac_key"]
        if d.get("mac") is not None:
            v = dmboot.Verifier(key=key, ignore_validity=True)
            if case.get("valid", True):
                assert "mac" in d.verify(v)
            else:
                with pytest.raises(dmboot.Error):
                    d.verify(v)
    for case in data["signature"]:
        d = dmboot.Descriptor.parse(case["descriptor"])
        v = dmboot.Verifier(issuer_keys=[case["public_key_pem"]], ignore_validity=True)
        assert "signature" in d.verify(v)
        sk = dmboot.SigningKey.from_pem(case["private_key_pem"])
        assert sk.public_pem() == case["public_key_pem"]
