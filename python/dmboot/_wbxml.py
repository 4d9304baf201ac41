"""WBXML coding of SyncML DM messages (the C core's, through libwbxml2
loaded at run time). Real OMA DM clients mostly send
``application/vnd.syncml.dm+wbxml``; a server decodes with
:func:`wbxml_to_xml`, reads the XML, and answers with :func:`xml_to_wbxml`."""

from __future__ import annotations

from typing import Union

from . import native
from ._descriptor import _check_text
from ._errors import ParseError

__all__ = ["wbxml_available", "wbxml_to_xml", "xml_to_wbxml"]


def wbxml_available() -> bool:
    """True when libwbxml2 can be loaded (Debian: ``libwbxml2-1``)."""
    return bool(native.dmboot_wbxml_available())


def wbxml_to_xml(data: bytes) -> str:
    """Decode a WBXML SyncML DM message into XML text.

    The bytes are checked first (WBXML 1.1-1.3, a SyncML 1.1/1.2 public id,
    tokens a SyncML message uses, embedded documents only DevInf or DM DDF),
    so that input that would crash libwbxml2 is refused instead.

    Raises:
        ParseError: the bytes are not a WBXML SyncML message (the message
            names the byte offset and the problem), libwbxml2 cannot decode
            them, or what they decode to is not UTF-8 text.
        UnsupportedError: libwbxml2 is not installed.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"WBXML must be bytes, not {type(data).__name__}")
    try:
        return native.dmboot_wbxml_to_xml(bytes(data))
    except UnicodeDecodeError as e:
        # opaque data that is not text (a binary object in a Data) comes out raw
        raise ParseError(f"WBXML to XML: the decoded message is not UTF-8 text "
                         f"(byte {e.start} of the XML: binary opaque data?)",
                         status="syntax") from None


def xml_to_wbxml(xml: Union[str, bytes]) -> bytes:
    """Encode an XML message (SyncML DM 1.2 and the other languages
    libwbxml2 knows) as WBXML 1.2.

    Raises:
        ParseError: the XML is not well-formed or not in a known language.
        UnsupportedError: libwbxml2 is not installed.
    """
    _check_text("XML", xml)
    return native.dmboot_xml_to_wbxml(xml)
