"""Derivation through the binding against the independent reference."""

import base64
import json

import pytest

import dmboot
from conftest import (EXAMPLE_DEVIDS, EXAMPLE_TEXT, KEY1, KEY2, RULE_CASES, dmboot_ref,
                      descriptor_text, ref_account)

FIELDS = ("devid", "name", "client_secret", "server_secret", "client_nonce", "server_nonce")


def values(acc):
    return {f: getattr(acc, f) for f in FIELDS}


def expected(ref):
    return {f: ref.get(f) for f in FIELDS}


@pytest.mark.parametrize("case", sorted(RULE_CASES))
@pytest.mark.parametrize("key", [KEY1, KEY2[:16]], ids=["key32", "key16"])
def test_derive_matches_reference(case, key):
    text, devids = RULE_CASES[case]
    d = dmboot.Descriptor.parse(text)
    for devid in devids:
        acc = d.derive(devid, key=key)
        assert values(acc) == expected(ref_account(text, devid, key=key))


@pytest.mark.parametrize("case", sorted(RULE_CASES))
def test_batch_key_derives_the_same(case):
    text, devids = RULE_CASES[case]
    d = dmboot.Descriptor.parse(text)
    bk = d.batch_key(KEY1)
    parsed = dmboot_ref.parse_descriptor(text)
    assert bk == dmboot_ref.batch_key(parsed["kdf"], KEY1, parsed["id"])
    for devid in devids:
        assert d.derive(devid, batch_key=bk) == d.derive(devid, key=KEY1)
        assert values(d.derive(devid, batch_key=bk)) == expected(
            ref_account(text, devid, batch_key=bk))


def test_example_types_and_lengths():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    acc = d.derive("49-015420-323751-8", key=KEY1)
    assert acc.devid == "IMEI:490154203237518"
    assert acc.name == acc.devid  # name: devid
    assert isinstance(acc.client_secret, str) and len(acc.client_secret) == 22
    assert acc.server_secret.isalnum() and len(acc.server_secret) == 20
    assert isinstance(acc.client_nonce, bytes) and len(acc.client_nonce) == 16
    assert isinstance(acc.server_nonce, bytes) and len(acc.server_nonce) == 16
    assert acc.client_nonce != acc.server_nonce


def test_absent_fields_are_none():
    text = descriptor_text(name=None, client_nonce=None, server_secret=None)
    acc = dmboot.Descriptor.parse(text).derive("490154203237518", key=KEY1)
    assert acc.name is None and acc.client_nonce is None and acc.server_secret is None
    assert acc.client_secret is not None and acc.server_nonce is not None
    assert set(acc.to_dict()) == {"devid", "client_secret", "server_nonce"}


def test_key_check_matches_reference_and_is_enforced():
    plain = descriptor_text()
    d = dmboot.Descriptor.parse(plain)
    kc = d.key_check(key=KEY1)
    assert kc == dmboot_ref.key_check("hkdf-sha256", dmboot_ref.batch_key(
        "hkdf-sha256", KEY1, "test-1"), "dm.test.example")
    assert d.key_check(batch_key=d.batch_key(KEY1)) == kc
    checked = dmboot.Descriptor.parse(descriptor_text(key_check=kc))
    assert checked.derive("490154203237518", key=KEY1) == d.derive("490154203237518", key=KEY1)
    with pytest.raises(dmboot.KeyMismatchError) as e:
        checked.derive("490154203237518", key=KEY2)
    assert kc in str(e.value) and e.value.status == "key_mismatch"
    assert isinstance(e.value, dmboot.BadKeyError)


def test_deriver_reuse_and_derive_many_equal_derive():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    dv = d.deriver(key=KEY1)
    one = [dv.derive(x) for x in EXAMPLE_DEVIDS]
    many = list(d.derive_many(EXAMPLE_DEVIDS, key=KEY1, chunk=3))
    assert many == one
    assert [a.devid for a in many] == [dmboot_ref.normalize_devid("imei", x)
                                       for x in EXAMPLE_DEVIDS]
    for a, x in zip(many, EXAMPLE_DEVIDS):
        assert values(a) == expected(ref_account(EXAMPLE_TEXT, x, key=KEY1))


def test_derive_many_streams_lazily_in_chunks():
    d = dmboot.Descriptor.parse(descriptor_text())
    pulled = []

    def source():
        for i in range(10_000):
            payload = f"35209911{i:06d}"
            devid = payload + dmboot_ref.luhn_check_digit(payload)
            pulled.append(devid)
            yield devid

    it = d.derive_many(source(), key=KEY1, chunk=100)
    first = next(it)
    assert len(pulled) == 100  # one chunk read, not the whole iterable
    assert first.devid == "IMEI:" + pulled[0]
    rest = list(it)
    assert len(rest) == 9_999 and len(pulled) == 10_000
    assert rest[-1] == d.derive(pulled[-1], key=KEY1)


def test_derive_many_error_names_the_devid_and_index():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    devids = EXAMPLE_DEVIDS[:2] + ["490154203237517"] + EXAMPLE_DEVIDS[2:4]
    got = []
    with pytest.raises(dmboot.DevIDError) as e:
        for acc in d.derive_many(devids, key=KEY1, chunk=2):
            got.append(acc.devid)
    assert len(got) == 2
    assert e.value.index == 2 and e.value.devid == "490154203237517"
    assert "check digit" in str(e.value)


def test_derive_many_accepts_bytes_and_rejects_other_items():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    [a] = d.derive_many([b"490154203237518"], key=KEY1)
    assert a.devid == "IMEI:490154203237518"
    with pytest.raises(TypeError):
        list(d.derive_many(["490154203237518", 490154203237518], key=KEY1))


def test_account_repr_hides_secrets():
    acc = dmboot.Descriptor.parse(EXAMPLE_TEXT).derive("490154203237518", key=KEY1)
    r = repr(acc)
    assert "IMEI:490154203237518" in r
    assert acc.client_secret not in r and acc.server_secret not in r
    assert repr(acc.client_nonce) not in r and acc.client_nonce.hex() not in r
    assert base64.b64encode(acc.server_nonce).decode() not in r


def test_to_json_and_csv_rows():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    acc = d.derive("490154203237518", key=KEY1)
    row = json.loads(acc.to_json())
    ref = dmboot_ref._account_json(ref_account(EXAMPLE_TEXT, "490154203237518", key=KEY1))
    assert row == ref
    assert not acc.to_json().endswith("\n")
    header = dmboot.csv_header()
    assert header == "devid,name,client_secret,server_secret,client_nonce,server_nonce"
    cells = acc.to_csv().split(",")
    assert cells == [ref[k] for k in header.split(",")]
    partial = dmboot.Descriptor.parse(descriptor_text(name=None)).derive(
        "490154203237518", key=KEY1)
    assert partial.to_csv().split(",")[1] == "" and "name" not in json.loads(partial.to_json())


def test_one_deriver_shared_by_threads():
    import threading

    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    dv = d.deriver(key=KEY1)
    want = {x: json.dumps(dmboot_ref._account_json(ref_account(EXAMPLE_TEXT, x, key=KEY1)),
                          separators=(",", ":")) for x in EXAMPLE_DEVIDS}
    errors = []

    def work():
        try:
            for _ in range(50):
                for acc in dv.derive_many(EXAMPLE_DEVIDS, chunk=2):
                    assert json.loads(acc.to_json()) == json.loads(want[EXAMPLE_DEVIDS[
                        [dmboot_ref.normalize_devid("imei", x) for x in EXAMPLE_DEVIDS].index(
                            acc.devid)]])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
