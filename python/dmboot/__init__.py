"""dmboot: OMA DM factory bootstrap — descriptors, derivation, credentials.

A thin Python layer over the dmboot C core (through the SWIG module
:mod:`dmboot.native`). Every value is computed by the C core::

    import dmboot
    d = dmboot.Descriptor.load("acme-x1.desc")
    key = dmboot.load_key("master.key")
    acc = d.derive("490154203237518", key=key)
    acc.client_secret, acc.server_nonce

    for acc in d.derive_many(open("devids.txt").read().split(), key=key):
        print(acc.to_json())

The descriptor authentication API (:class:`Verifier`, :class:`SigningKey`,
:class:`Registry`, ``Descriptor.verify/sign/mac``) and the OMA DM API
(``auth_md5`` and friends, bootstrap documents, ``Descriptor.check_message``,
``Registry.check_message``) and WBXML (``wbxml_to_xml``, ``xml_to_wbxml``).

Failures raise subclasses of :class:`dmboot.Error`: :class:`DescriptorError`,
:class:`DevIDError` (and :class:`NotCoveredError`), :class:`BadKeyError` (and
:class:`KeyMismatchError`), :class:`AuthenticationError` and others; see
docs/python.md.
"""

from __future__ import annotations

from . import native
from ._descriptor import Account, Deriver, Descriptor, csv_header, normalize_devid
from ._errors import (
    AuthenticationError,
    BadKeyError,
    BadMACError,
    BadSignatureError,
    CredentialError,
    CryptoError,
    DescriptorError,
    DevIDError,
    Error,
    FileError,
    InvalidArgumentError,
    KeyMismatchError,
    NotCoveredError,
    NotFoundError,
    OverlapError,
    ParseError,
    UnauthenticatedError,
    ScopeError,
    UnknownKeyError,
    UnsupportedError,
    ValidityError,
)
from ._keys import BATCH_KEY_LEN, KEY_MAX, KEY_MIN, decode_key, generate_key, load_key
from ._auth import Keyring, PublicKey, Registry, SigningKey, Trust, Verifier, parse_time
from ._omadm import (
    CheckResult,
    SyncMLMessage,
    auth_basic,
    auth_hmac,
    auth_md5,
    base64_decode,
    devid_filename,
    document_media_type,
    generate_nonce,
    hmac_header,
    parse_hmac_header,
    verify_basic,
    verify_hmac,
    verify_md5,
)

from ._wbxml import wbxml_available, wbxml_to_xml, xml_to_wbxml

#: The version of the C core inside this module.
__version__: str = native.dmboot_version()

__all__ = [
    "wbxml_available",
    "wbxml_to_xml",
    "xml_to_wbxml",
    "CheckResult",
    "Keyring",
    "PublicKey",
    "Registry",
    "SigningKey",
    "SyncMLMessage",
    "Trust",
    "Verifier",
    "auth_basic",
    "auth_hmac",
    "auth_md5",
    "devid_filename",
    "document_media_type",
    "generate_nonce",
    "base64_decode",
    "hmac_header",
    "parse_hmac_header",
    "parse_time",
    "verify_basic",
    "verify_hmac",
    "verify_md5",
    "Account",
    "AuthenticationError",
    "BATCH_KEY_LEN",
    "BadKeyError",
    "BadMACError",
    "BadSignatureError",
    "CredentialError",
    "CryptoError",
    "Deriver",
    "Descriptor",
    "DescriptorError",
    "DevIDError",
    "Error",
    "FileError",
    "InvalidArgumentError",
    "KEY_MAX",
    "KEY_MIN",
    "KeyMismatchError",
    "NotCoveredError",
    "NotFoundError",
    "OverlapError",
    "ParseError",
    "UnauthenticatedError",
    "ScopeError",
    "UnknownKeyError",
    "UnsupportedError",
    "ValidityError",
    "csv_header",
    "decode_key",
    "generate_key",
    "load_key",
    "normalize_devid",
]
