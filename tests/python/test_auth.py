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


def test_keyring_selects_the_key_by_key_id(tmp_path):
    # issue 11: one master key per manufacturer, selected by key-id
    acme = signed_example()  # key-id operator-acme-2026, KEY1
    globex = dmboot.Descriptor.parse(dmboot.Descriptor.parse(
        EXAMPLE_TEXT.replace("id: acme-x1-2026w48", "id: globex-g1")
        .replace("key-id: operator-acme-2026", "key-id: operator-globex-2026")
        .replace("IMEI:35209911* IMEI:490154203237518", "IMEI:35209912*"))
        .sign(key=KEY2, update_key_check=True))
    kr = dmboot.Keyring({"operator-acme-2026": KEY1, "operator-globex-2026": KEY2})
    assert len(kr) == 2 and "operator-acme-2026" in kr and KEY1.hex() not in repr(kr)
    v = dmboot.Verifier(keyring=kr, at="2027-01-01")
    assert acme.verify(v) == {"key-check", "mac", "validity"}
    assert globex.verify(v) == {"key-check", "mac", "validity"}
    assert "key-id operator-acme-2026" in acme.verify_report(v)["key_check"]
    # an unknown key-id, no key-id: UnknownKeyError naming it
    unknown = dmboot.Descriptor.parse(acme.text.replace("operator-acme-2026", "operator-x"))
    with pytest.raises(dmboot.UnknownKeyError, match="'operator-x' is not in the keyring"):
        unknown.verify(v)
    none = dmboot.Descriptor.parse(dmboot.Descriptor.parse(
        EXAMPLE_TEXT.replace("key-id: operator-acme-2026\n", "")).sign(key=KEY1))
    with pytest.raises(dmboot.UnknownKeyError, match="no key-id line"):
        none.verify(v)
    assert isinstance(dmboot.UnknownKeyError("x"), dmboot.BadKeyError)
    # A's descriptor made with B's key-id (and A's key): key-check refuses it
    swapped = dmboot.Descriptor.parse(dmboot.Descriptor.parse(
        EXAMPLE_TEXT.replace("key-id: operator-acme-2026", "key-id: operator-globex-2026"))
        .sign(key=KEY1, update_key_check=True))
    with pytest.raises(dmboot.KeyMismatchError, match="key-id 'operator-globex-2026'"):
        swapped.verify(v)
    with pytest.raises(TypeError):
        dmboot.Verifier(keyring=kr, key=KEY1)

    # a registry with the keyring serves both manufacturers, no key given
    reg = dmboot.Registry(keyring=kr)
    reg.add(acme, v)
    reg.add(globex, v)
    with pytest.raises(dmboot.UnknownKeyError):
        reg.add(unknown)
    for d, key, devid in ((acme, KEY1, "IMEI:352099110000003"),
                          (globex, KEY2, "IMEI:352099120000001")):
        acc = d.deriver(key=key).derive(devid)
        body = b"<SyncML/>"
        mac = dmboot.auth_hmac(acc.name, acc.client_secret, acc.client_nonce, body)
        r = reg.check_hmac(acc.devid, dmboot.hmac_header(acc.name, mac), body)
        assert r.authenticated and r.descriptor_id == d.id, r.message
        # the other manufacturer's key, given as the one key: refused
        other = KEY2 if key == KEY1 else KEY1
        assert not reg.check_hmac(acc.devid, dmboot.hmac_header(acc.name, mac), body, key=other)


def test_keyring_load_dir(tmp_path):
    (tmp_path / "operator-acme-2026.key").write_text(KEY1.hex() + "\n")
    (tmp_path / "operator-acme-2026.key").chmod(0o600)
    (tmp_path / "notes.txt").write_text("not a key")
    kr = dmboot.Keyring.load_dir(tmp_path)
    assert kr.key_ids() == ["operator-acme-2026"]
    assert signed_example().verify(dmboot.Verifier(keyring=kr, at="2027-01-01"))
    (tmp_path / "other.key").write_text(KEY2.hex() + "\n")
    (tmp_path / "other.key").chmod(0o644)
    with pytest.raises(dmboot.BadKeyError, match="other.key is accessible by group or others"):
        dmboot.Keyring.load_dir(tmp_path)
    (tmp_path / "other.key").unlink()
    (tmp_path / "other.key").symlink_to(tmp_path / "operator-acme-2026.key")
    with pytest.raises(dmboot.BadKeyError, match="other.key is a symbolic link"):
        dmboot.Keyring.load_dir(tmp_path)


def _trust_line(sk):
    return "public-key: ed25519 " + base64.b64encode(sk.public_key().raw()).decode()


def test_trust_scopes_issuers(tmp_path):
    # issue 11: each issuer's key bound to its key-ids and DevID ranges
    acme, globex = dmboot.SigningKey.generate(), dmboot.SigningKey.generate()
    text = ("issuer: ACME Devices Ltd\n%s\nkey-ids: operator-acme-2026\n"
            "devid-ranges: IMEI:35209911* IMEI:490154203237518\n\n"
            "issuer: Globex Corp\n%s\nkey-ids: operator-globex-2026\n"
            "devid-ranges: IMEI:35209912*\n") % (_trust_line(acme), _trust_line(globex))
    trust = dmboot.Trust.parse(text)
    assert trust.issuers() == ["ACME Devices Ltd", "Globex Corp"] and len(trust) == 2
    v = dmboot.Verifier(trust=trust, at="2027-01-01")
    ok = signed_example(acme)  # key-id operator-acme-2026, ACME's ranges
    assert ok.verify(v) == {"signature", "validity", "scope"}  # no key: no key-check, no MAC
    assert ok.verify_report(v)["scope"] == (
        "ok (issuer 'ACME Devices Ltd', key-id operator-acme-2026)")
    # A claims B's range
    claim = dmboot.Descriptor.parse(dmboot.Descriptor.parse(
        EXAMPLE_TEXT.replace("IMEI:35209911* IMEI:490154203237518", "IMEI:35209912*"))
        .sign(signing_key=acme))
    with pytest.raises(dmboot.ScopeError) as e:
        claim.verify(v)
    assert "issuer 'ACME Devices Ltd' may not claim devid-match 'IMEI:35209912*'" in str(e.value)
    assert "acme-x1-2026w48" in str(e.value) and isinstance(e.value, dmboot.AuthenticationError)
    # A uses B's key-id
    kid = dmboot.Descriptor.parse(dmboot.Descriptor.parse(
        EXAMPLE_TEXT.replace("operator-acme-2026", "operator-globex-2026"))
        .sign(signing_key=acme))
    with pytest.raises(dmboot.ScopeError, match="which is issuer 'Globex Corp''s"):
        kid.verify(v)
    # whatever was imported before
    reg = dmboot.Registry()
    with pytest.raises(dmboot.ScopeError):
        reg.add(claim, v)
    reg.add(ok, v)
    assert len(reg) == 1
    # a malformed trust file: ParseError with its line
    with pytest.raises(dmboot.ParseError) as e:
        dmboot.Trust.parse(text + "bogus: 1\n")
    assert e.value.line == 10 and "unknown key 'bogus'" in str(e.value)
    p = tmp_path / "trust.txt"
    p.write_text(text.replace("key-ids: operator-globex-2026", "key-ids: operator-acme-2026"))
    with pytest.raises(dmboot.ParseError, match="already issuer 'ACME Devices Ltd''s"):
        dmboot.Trust.load(p)
