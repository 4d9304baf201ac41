"""Descriptor parsing, values, DevID matching and normalization."""

import pytest

import dmboot
from conftest import EXAMPLE_TEXT, EXAMPLES, descriptor_text, dmboot_ref


def test_parse_and_values():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    assert d.id == "acme-x1-2026w48"
    assert d.issuer == "ACME Devices Ltd"
    assert d.server_id == "dm.operator.example"
    assert d.server_addr == "https://dm.operator.example/oma-dm"
    assert d.devid_type == "imei"
    assert d.devid_match == "IMEI:35209911* IMEI:490154203237518"
    assert d.kdf == "hkdf-sha256"
    assert d.not_before == "2026-11-01" and d.not_after == "2031-10-31"
    assert d.get("key-check") is None and d.get("x-nothing", "dflt") == "dflt"
    assert d["server-name"] == "Operator DM"
    with pytest.raises(KeyError):
        d["mac"]
    assert "id" in d and "mac" not in d and 42 not in d
    items = d.items()
    assert items[0] == ("dmboot-descriptor", "1") and items[1] == ("id", "acme-x1-2026w48")
    assert len(d) == len(items) == 20
    assert d.keys()[-1] == "server-nonce" and list(d)[2] == "issuer"
    assert d.text == EXAMPLE_TEXT
    assert d.signed_length == len(EXAMPLE_TEXT.encode())
    assert "acme-x1-2026w48" in repr(d)


def test_load_str_bytes_and_pathlike():
    path = EXAMPLES / "acme-x1.desc"
    for p in (path, str(path), bytes(path)):
        assert dmboot.Descriptor.load(p).id == "acme-x1-2026w48"
    assert dmboot.Descriptor.parse(EXAMPLE_TEXT.encode()).id == "acme-x1-2026w48"


def test_utf8_values_and_extension_keys():
    text = descriptor_text(issuer="Ünïcode Devices 株式会社", x_batch="w48")
    d = dmboot.Descriptor.parse(text)
    assert d.issuer == "Ünïcode Devices 株式会社"
    assert d.get("x-batch") == "w48"
    assert d.text == text


def test_default_kdf_is_not_filled_in():
    assert dmboot.Descriptor.parse(descriptor_text()).kdf is None


def test_match_and_covers():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    assert d.match("imei:35-209911-000000-3") == "IMEI:352099110000003"
    assert d.covers("490154203237518")
    assert not d.covers("356938035643809")  # well-formed, outside devid-match
    assert not d.covers("12345")
    with pytest.raises(dmboot.NotCoveredError) as e:
        d.match("356938035643809")
    assert "IMEI:356938035643809" in str(e.value)
    with pytest.raises(dmboot.DevIDError):
        d.match("35209911000000")


@pytest.mark.parametrize("kind,text,want", [
    ("imei", "490154203237518", "IMEI:490154203237518"),
    ("imei", "IMEI:49-015420-323751-8", "IMEI:490154203237518"),
    ("imei", "imei:49 015420 323751 8", "IMEI:490154203237518"),
    ("meid", "a10000009f8e7d", "MEID:A10000009F8E7D"),
    ("meid", "meid:A10000009F8E7D", "MEID:A10000009F8E7D"),
    ("esn", "8000abcd", "ESN:8000ABCD"),
    ("opaque", "urn:uuid:0f3c-x", "urn:uuid:0f3c-x"),
])
def test_normalize_devid(kind, text, want):
    assert dmboot.normalize_devid(kind, text) == want == dmboot_ref.normalize_devid(kind, text)


@pytest.mark.parametrize("kind,text,words", [
    ("imei", "490154203237517", ["check digit"]),
    ("imei", "4901542032375", ["13"]),
    ("imei", "49015420323751x", ["x"]),
    ("meid", "A10000009F8E7", ["14"]),
    ("esn", "8000ABCG", ["G"]),
    ("opaque", "has space", ["position"]),
    ("opaque", "", []),
])
def test_normalize_devid_errors_name_the_problem(kind, text, words):
    with pytest.raises(dmboot.DevIDError) as e:
        dmboot.normalize_devid(kind, text)
    assert e.value.status == "devid"
    for w in words:
        assert w in str(e.value), str(e.value)


def test_unknown_devid_type():
    with pytest.raises(dmboot.Error) as e:
        dmboot.normalize_devid("imsi", "001010123456789")
    assert "imsi" in str(e.value)
