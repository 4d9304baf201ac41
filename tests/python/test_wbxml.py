"""WBXML coding through the C core (libwbxml2 loaded at run time)."""

import pytest

import dmboot

pytestmark = pytest.mark.skipif(not dmboot.wbxml_available(), reason="libwbxml2 is not installed")

PACKAGE = (
    '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>'
    "<SessionID>7</SessionID><MsgID>1</MsgID><Target><LocURI>https://dm.example/dm</LocURI></Target>"
    "<Source><LocURI>IMEI:490154203237518</LocURI></Source>"
    '<Cred><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">'
    "syncml:auth-md5</Type></Meta><Data>Zz6EivR3yeaaENcRN6lpAQ==</Data></Cred></SyncHdr>"
    "<SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>")


def test_round_trip_keeps_the_header():
    wbxml = dmboot.xml_to_wbxml(PACKAGE)
    assert isinstance(wbxml, bytes) and wbxml[:4] == bytes([0x02, 0xA4, 0x01, 0x6A])
    xml = dmboot.wbxml_to_xml(wbxml)
    assert isinstance(xml, str)
    m = dmboot.SyncMLMessage.parse(xml)
    a = dmboot.SyncMLMessage.parse(PACKAGE)
    for field in ("VerDTD", "SessionID", "Source/LocURI", "Cred/Meta/Type", "Cred/Data"):
        assert m.get(field) == a.get(field)
    assert m.get("Cred/Data") == "Zz6EivR3yeaaENcRN6lpAQ=="
    assert dmboot.xml_to_wbxml(xml) == wbxml  # bytes in, same bytes out


def test_errors():
    with pytest.raises(dmboot.ParseError, match="libwbxml2"):
        dmboot.wbxml_to_xml(b"\x07\xff\xff")
    with pytest.raises(dmboot.ParseError):
        dmboot.xml_to_wbxml("<SyncML><a></SyncML>")
    with pytest.raises(TypeError):
        dmboot.wbxml_to_xml("not bytes")  # type: ignore[arg-type]
