"""OMA DM: credentials, bootstrap documents, SyncML DM headers and the
server's first-contact check (docs/omadm.md)."""

from __future__ import annotations

from typing import Dict, List, Optional, Union

from . import native
from ._descriptor import Account, Deriver, Descriptor, _check_text
from ._keys import BytesLike, _key_args


__all__ = ["auth_basic", "auth_md5", "auth_hmac", "verify_basic", "verify_md5",
           "verify_hmac", "generate_nonce", "base64_decode", "hmac_header", "parse_hmac_header",
           "devid_filename", "document_media_type", "SyncMLMessage", "CheckResult"]

Text = Union[str, bytes]


def _bytes(what: str, v: object) -> None:
    if not isinstance(v, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be bytes, not {type(v).__name__}")


def auth_basic(name: Text, secret: Text) -> str:
    """``syncml:auth-basic``: B64(name ":" secret)."""
    _check_text("name", name)
    _check_text("secret", secret)
    return native.dmboot_auth_basic(name, secret)


def auth_md5(name: Text, secret: Text, nonce: BytesLike) -> str:
    """``syncml:auth-md5``: B64(MD5(B64(MD5(name ":" secret)) ":" nonce));
    ``nonce`` is the raw bytes (not its base64)."""
    _check_text("name", name)
    _check_text("secret", secret)
    _bytes("nonce", nonce)
    return native.dmboot_auth_md5(name, secret, nonce)


def auth_hmac(name: Text, secret: Text, nonce: BytesLike, body: BytesLike) -> str:
    """The ``mac`` of the ``x-syncml-hmac`` header for a message body."""
    _check_text("name", name)
    _check_text("secret", secret)
    _bytes("nonce", nonce)
    _bytes("body", body)
    return native.dmboot_auth_hmac(name, secret, nonce, body)


def _verify(kind: int, name: Text, secret: Text, nonce: Optional[BytesLike],
            body: Optional[BytesLike], value: Text) -> None:
    _check_text("name", name)
    _check_text("secret", secret)
    _check_text("credential", value)
    native.dmboot_auth_verify(kind, name, secret, nonce, body, value)


def verify_basic(name: Text, secret: Text, value: Text) -> None:
    """Check a received ``syncml:auth-basic`` credential (constant time).
    Raises :class:`dmboot.CredentialError` when it is wrong."""
    _verify(native.DMBOOT_CRED_BASIC, name, secret, None, None, value)


def verify_md5(name: Text, secret: Text, nonce: BytesLike, value: Text) -> None:
    """Check a received ``syncml:auth-md5`` credential (constant time)."""
    _bytes("nonce", nonce)
    _verify(native.DMBOOT_CRED_MD5, name, secret, nonce, None, value)


def verify_hmac(name: Text, secret: Text, nonce: BytesLike, body: BytesLike,
                value: Text) -> None:
    """Check a received HMAC ``mac`` for a body (constant time)."""
    _bytes("nonce", nonce)
    _bytes("body", body)
    _verify(native.DMBOOT_CRED_HMAC, name, secret, nonce, body, value)


def generate_nonce(length: int = 16) -> bytes:
    """A fresh nonce (a server's NextNonce) from OpenSSL's CSPRNG."""
    if not isinstance(length, int) or isinstance(length, bool):
        raise TypeError("nonce length must be int")
    return native.dmboot_nonce_generate(length)


def base64_decode(text: Text) -> bytes:
    """Canonical, padded base64 (a NextNonce, a Cred's Data) to bytes, as
    the C core reads it; :class:`ParseError` for anything else."""
    _check_text("base64", text)
    return native.dmboot_base64_decode(text)


def hmac_header(name: Text, mac: Text) -> str:
    """The ``x-syncml-hmac`` header value ``algorithm=MD5, username="...", mac=...``."""
    _check_text("name", name)
    _check_text("mac", mac)
    return native.dmboot_hmac_header_format(name, mac)


def parse_hmac_header(text: Text) -> Dict[str, str]:
    """Parse an ``x-syncml-hmac`` value: {"algorithm", "username", "mac"}.
    Raises :class:`dmboot.ParseError` naming the problem."""
    _check_text("header", text)
    return native.dmboot_hmac_header_parse(text)


def devid_filename(devid: Text, suffix: Optional[str] = None) -> str:
    """A safe, one-to-one file name for a normalized DevID, e.g.
    ``devid_filename("IMEI:490154203237518", ".xml") == "IMEI_490154203237518.xml"``."""
    _check_text("DevID", devid)
    return native.dmboot_devid_filename(devid, suffix)


_DOCUMENTS = {"tnds": native.DMBOOT_DOCUMENT_TNDS, "w7": native.DMBOOT_DOCUMENT_W7}


def document_media_type(kind: str) -> str:
    """The media type of a bootstrap document kind (``"tnds"`` or ``"w7"``)."""
    return native.dmboot_document_media_type(_document_kind(kind))


def _document_kind(kind: str) -> int:
    try:
        return _DOCUMENTS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"unknown document kind {kind!r} (tnds or w7)") from None


# ---- documents from derivers and accounts --------------------------------

def _deriver_document(self: Deriver, devid: Text, kind: str = "tnds") -> str:
    """The bootstrap document of one device: ``"tnds"`` (OMA DM 1.2+ TNDS
    XML with its ./DMAcc subtree) or ``"w7"`` (OMA Client Provisioning)."""
    _check_text("DevID", devid)
    k = _document_kind(kind)
    acc = native.dmboot_account_new()
    native.dmboot_derive(self._dv, devid, acc)
    try:
        return native.dmboot_document_format(self.descriptor._d, acc, k)
    finally:
        native.dmboot_account_clear(acc)


def _account_document(self: Account, kind: str = "tnds") -> str:
    dv = self._deriver
    if dv is None:
        raise TypeError("only an Account made by derivation can be serialized")
    return _deriver_document(dv, self.devid, kind)


def _to_tnds(self: Account) -> str:
    """This account as an OMA DM TNDS document (``application/vnd.syncml.dmtnds+xml``)."""
    return _account_document(self, "tnds")


def _to_w7(self: Account) -> str:
    """This account as an OMA Client Provisioning w7 document."""
    return _account_document(self, "w7")


def _dmacc_node(self: Descriptor) -> str:
    """The <x> of ./DMAcc/<x> for this descriptor."""
    return native.dmboot_document_dmacc_node(self._d)


# ---- SyncML DM messages ----------------------------------------------------

class SyncMLMessage:
    """The header of a SyncML DM package, read by dmboot's strict XML reader."""

    __slots__ = ("_m",)

    def __init__(self, handle: object) -> None:
        self._m = handle

    @classmethod
    def parse(cls, xml: Text) -> "SyncMLMessage":
        """Parse a package. Raises :class:`dmboot.ParseError` (``.line`` set)."""
        _check_text("message", xml)
        return cls(native.dmboot_syncml_parse(xml))

    def fields(self) -> Dict[str, str]:
        """Every value the package has, keyed "VerDTD", "Source/LocURI", ..."""
        out = {}
        for f in range(native.DMBOOT_SYNCML_FIELD_COUNT):
            v = native.dmboot_syncml_get(self._m, f)
            if v is not None:
                out[native.dmboot_syncml_field_name(f)] = v
        return out

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A value by its name ("Source/LocURI", "Cred/Data", ...)."""
        return self.fields().get(name, default)

    @property
    def devid(self) -> Optional[str]:
        return self.get("Source/LocURI")

    @property
    def final(self) -> bool:
        return bool(native.dmboot_syncml_final(self._m))

    @property
    def no_resp(self) -> bool:
        return bool(native.dmboot_syncml_no_resp(self._m))

    def commands(self) -> List[str]:
        """The commands directly in SyncBody, in order."""
        return [native.dmboot_syncml_command(self._m, i)
                for i in range(native.dmboot_syncml_command_count(self._m))]


class CheckResult:
    """The verdict of a server's check of a device's credential.

    Attributes: authenticated (bool), reason ("ok", "wrong-credential", ...),
    message (for people), status (the failure's status name, None when
    authenticated), devid (normalized), descriptor_id, client_cred_type,
    server_cred_type, account (the derived :class:`Account` when
    authenticated); :meth:`server_cred` and :meth:`server_hmac` make the
    server's credential with the nonce the device gave the server.
    """

    __slots__ = ("_r", "status", "_descriptor")

    def __init__(self, handle: object, status: Optional[str],
                 descriptor: Optional[Descriptor]) -> None:
        self._r = handle
        self.status = status
        self._descriptor = descriptor

    authenticated = property(lambda self: bool(native.dmboot_check_result_authenticated(self._r)))
    reason = property(lambda self: native.dmboot_check_reason_name(
        native.dmboot_check_result_reason(self._r)))
    message = property(lambda self: native.dmboot_check_result_message(self._r))
    devid = property(lambda self: native.dmboot_check_result_devid(self._r) or None)
    descriptor_id = property(lambda self: native.dmboot_check_result_descriptor_id(self._r) or None)
    client_cred_type = property(lambda self: native.dmboot_check_result_client_cred_type(self._r))
    server_cred_type = property(lambda self: native.dmboot_check_result_server_cred_type(self._r))

    def server_cred(self, nonce: Optional[BytesLike] = None) -> Optional[str]:
        """The server's ``<Cred><Data>`` (basic, md5) made with ``nonce``,
        the nonce the device last gave the server (the NextNonce of its
        Chal); None: the derived server-nonce, only until the device has
        challenged the server. None when there is no basic or md5 server
        credential (HMAC: :meth:`server_hmac`)."""
        if nonce is not None:
            _bytes("nonce", nonce)
        t = self.server_cred_type
        if t is None or t == "syncml:auth-MAC":
            return None
        return native.dmboot_check_result_server_cred(self._r, nonce)

    @property
    def account(self) -> Optional[Account]:
        acc = native.dmboot_check_result_account(self._r)
        if acc is None:
            return None
        return Account(*native.dmb_account_values(acc))

    def server_hmac(self, body: BytesLike, nonce: Optional[BytesLike] = None) -> str:
        """The ``x-syncml-hmac`` header value for the server's response body,
        with the nonce the device gave the server (None: the derived
        server-nonce, until the device has challenged the server)."""
        _bytes("body", body)
        if nonce is not None:
            _bytes("nonce", nonce)
        return native.dmboot_check_result_server_hmac(self._r, nonce, body)

    def __bool__(self) -> bool:
        return self.authenticated

    def __repr__(self) -> str:
        return f"<dmboot.CheckResult {self.reason}: {self.message}>"


def _run_check(descriptor: Optional[Descriptor], fn, *args) -> CheckResult:
    from ._errors import Error

    r = native.dmboot_check_result_new()
    try:
        fn(*args, r)
    except Error as e:
        result = CheckResult(r, e.status, descriptor)
        if result.reason == "error":
            raise  # the check could not run
        return result
    return CheckResult(r, None, descriptor)


def _check_message(self: Descriptor, message: Text, *, key: Optional[BytesLike] = None,
                   batch_key: Optional[BytesLike] = None, hmac_header: Optional[Text] = None,
                   nonce: Optional[BytesLike] = None) -> CheckResult:
    """A device's first contact: check the SyncML DM package as received (and
    its ``x-syncml-hmac`` header, if any) against this descriptor and key.
    Returns a :class:`CheckResult` (``if result:`` is authenticated); raises
    only when the check could not run. ``nonce``: None for the derived
    client nonce (a first contact), else the NextNonce the server issued."""
    _check_text("message", message)
    k, kind = _key_args(key, batch_key)
    return _run_check(self, native.dmboot_server_check_message, self._d, k, kind, message,
                      hmac_header, nonce)


def _check_cred(self: Descriptor, devid: Text, cred_type: Optional[str], cred_data: Text, *,
                key: Optional[BytesLike] = None, batch_key: Optional[BytesLike] = None,
                loc_name: Optional[Text] = None,
                nonce: Optional[BytesLike] = None) -> CheckResult:
    """Check a <Cred> (its Meta/Type and base64 Data) sent by ``devid``."""
    _check_text("DevID", devid)
    k, kind = _key_args(key, batch_key)
    return _run_check(self, native.dmboot_server_check_cred, self._d, k, kind, devid, cred_type,
                      cred_data, loc_name, nonce)


def _check_hmac(self: Descriptor, devid: Text, header: Text, body: BytesLike, *,
                key: Optional[BytesLike] = None, batch_key: Optional[BytesLike] = None,
                nonce: Optional[BytesLike] = None) -> CheckResult:
    """Check an ``x-syncml-hmac`` header and the body it covers."""
    _check_text("DevID", devid)
    _bytes("body", body)
    k, kind = _key_args(key, batch_key)
    return _run_check(self, native.dmboot_server_check_hmac, self._d, k, kind, devid, header,
                      body, nonce)


def _registry_check_message(self, message: Text, *, key: Optional[BytesLike] = None,
                            hmac_header: Optional[Text] = None,
                            nonce: Optional[BytesLike] = None) -> CheckResult:
    """A device's package checked against the registry: the descriptor that
    covers its DevID is looked up, then checked as
    :meth:`Descriptor.check_message` does, with the master ``key`` (None:
    the registry's keyring's key for the descriptor's key-id, reason
    ``unknown-key`` when it has none). A DevID no descriptor covers is the
    reason ``no-descriptor``."""
    _check_text("message", message)
    if key is not None:
        _bytes("key", key)
    return _run_check(None, native.dmboot_registry_check_message, self._r, key, message,
                      hmac_header, nonce)


def _registry_check_cred(self, devid: Text, cred_type: Optional[str], cred_data: Text, *,
                         key: Optional[BytesLike] = None, loc_name: Optional[Text] = None,
                         nonce: Optional[BytesLike] = None) -> CheckResult:
    """A <Cred> sent by ``devid``, checked against the registry."""
    _check_text("DevID", devid)
    if key is not None:
        _bytes("key", key)
    return _run_check(None, native.dmboot_registry_check_cred, self._r, key, devid, cred_type,
                      cred_data, loc_name, nonce)


def _registry_check_hmac(self, devid: Text, header: Text, body: BytesLike, *,
                         key: Optional[BytesLike] = None,
                         nonce: Optional[BytesLike] = None) -> CheckResult:
    """An ``x-syncml-hmac`` header and its body, checked against the registry."""
    _check_text("DevID", devid)
    _bytes("body", body)
    if key is not None:
        _bytes("key", key)
    return _run_check(None, native.dmboot_registry_check_hmac, self._r, key, devid, header,
                      body, nonce)


def _install() -> None:
    from ._auth import Registry

    Registry.check_message = _registry_check_message  # type: ignore[attr-defined]
    Registry.check_cred = _registry_check_cred  # type: ignore[attr-defined]
    Registry.check_hmac = _registry_check_hmac  # type: ignore[attr-defined]
    Deriver.document = _deriver_document  # type: ignore[attr-defined]
    Account.to_tnds = _to_tnds  # type: ignore[attr-defined]
    Account.to_w7 = _to_w7  # type: ignore[attr-defined]
    Descriptor.dmacc_node = _dmacc_node  # type: ignore[attr-defined]
    Descriptor.check_message = _check_message  # type: ignore[attr-defined]
    Descriptor.check_cred = _check_cred  # type: ignore[attr-defined]
    Descriptor.check_hmac = _check_hmac  # type: ignore[attr-defined]


_install()
