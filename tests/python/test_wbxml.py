"""WBXML coding through the C core (libwbxml2 loaded at run time)."""

import os
import subprocess
import sys

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
    assert dmboot.xml_to_wbxml(PACKAGE.encode()) == wbxml  # bytes XML too


def test_messages_larger_than_64k():
    items = "".join(f"<Item><Source><LocURI>./Vendor/N{i}</LocURI></Source><Data>v{i}</Data></Item>"
                    for i in range(2000))
    xml = PACKAGE.replace("<Final/>", f"<Results><CmdID>2</CmdID><MsgRef>1</MsgRef>"
                          f"<CmdRef>1</CmdRef>{items}</Results><Final/>")
    assert len(xml) > 100_000
    wbxml = dmboot.xml_to_wbxml(xml)
    back = dmboot.wbxml_to_xml(wbxml)
    assert len(back) > 100_000 and "<LocURI>./Vendor/N1999</LocURI></Source><Data>v1999</Data>" in back


def test_errors():
    with pytest.raises(dmboot.ParseError, match="byte 0: not WBXML 1.1, 1.2 or 1.3"):
        dmboot.wbxml_to_xml(b"\x07\xff\xff")
    # an ENTITY libwbxml2 0.11.8 would abort the process on
    with pytest.raises(dmboot.ParseError, match="an entity that is not a Unicode character"):
        dmboot.wbxml_to_xml(bytes([0x02, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x6C, 0x71, 0x02,
                                   0x88, 0x80, 0x80, 0x80, 0x00, 0x01, 0x01, 0x01]))
    with pytest.raises(dmboot.ParseError, match="libwbxml2"):
        dmboot.xml_to_wbxml("<SyncML><a></SyncML>")
    # opaque bytes that are not UTF-8, in a Replace Item's Data
    wbxml = bytearray(dmboot.xml_to_wbxml(PACKAGE.replace(
        "<Final/>", "<Replace><CmdID>2</CmdID><Item><Data>xy</Data></Item></Replace><Final/>")))
    at = wbxml.index(b"\xc3\x02xy")
    wbxml[at + 2:at + 4] = b"\xff\xfe"
    with pytest.raises(dmboot.ParseError, match="not UTF-8 text"):
        dmboot.wbxml_to_xml(bytes(wbxml))
    with pytest.raises(TypeError):
        dmboot.wbxml_to_xml("not bytes")  # type: ignore[arg-type]


def test_without_the_library():
    """DMBOOT_WBXML_LIBRARY, read at the first WBXML call, names another
    file: a missing one makes every call UnsupportedError naming the package."""
    code = ("import dmboot\n"
            "assert not dmboot.wbxml_available()\n"
            "try:\n"
            "    dmboot.xml_to_wbxml('<SyncML/>')\n"
            "except dmboot.UnsupportedError as e:\n"
            "    print(e)\n")
    env = dict(os.environ, DMBOOT_WBXML_LIBRARY="/nonexistent-dmboot/libdmboot-no-such-wbxml.so.9",
               PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert "libdmboot-no-such-wbxml.so.9" in out and "apt-get install libwbxml2-1" in out
    # a trusted setting: only an absolute path (issue 14, item 11)
    env["DMBOOT_WBXML_LIBRARY"] = "libwbxml2.so.1"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert "must be an absolute path" in out
