"""dmboot's exceptions: one base class, a subclass per kind of failure.

Every failure of the C core arrives as an instance of a subclass of
:class:`Error`, with the core's message (complete on its own: descriptor
errors start with ``"line N: "``), the status name and, where one applies,
the line number. The native module builds them through :func:`_from_c`.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

__all__ = [
    "Error",
    "InvalidArgumentError",
    "FileError",
    "DescriptorError",
    "DevIDError",
    "NotCoveredError",
    "BadKeyError",
    "KeyMismatchError",
    "AuthenticationError",
    "BadMACError",
    "BadSignatureError",
    "UnauthenticatedError",
    "CredentialError",
    "ValidityError",
    "OverlapError",
    "NotFoundError",
    "ParseError",
    "UnsupportedError",
    "CryptoError",
    "UnknownKeyError",
    "ScopeError",
]


class Error(Exception):
    """Base class of every dmboot error.

    Attributes:
        message: what went wrong, for a person (the C core's message).
        status: the status name, e.g. ``"devid"``, ``"key_mismatch"``.
        code: the numeric ``dmboot_status``.
        line: the 1-based line of a descriptor error, else ``None``.
    """

    status: str = "unknown"

    def __init__(self, message: str, *, status: Optional[str] = None, code: int = 0,
                 line: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.code = code
        self.line = line

    def __str__(self) -> str:
        return self.message


class InvalidArgumentError(Error, ValueError):
    """An argument the C core refused as a caller bug (status ``invalid_argument``)."""


class FileError(Error, OSError):
    """A file could not be read or written (status ``io``)."""

    def __init__(self, message: str, **kw: object) -> None:
        Error.__init__(self, message, **kw)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.message


class DescriptorError(Error, ValueError):
    """A descriptor breaks the format; ``.line`` names the line (status ``descriptor``)."""


class DevIDError(Error, ValueError):
    """A DevID is malformed: length, character or check digit (status ``devid``)."""


class NotCoveredError(DevIDError):
    """A well-formed DevID outside the descriptor's ``devid-match`` (status
    ``not_covered``). A subclass of :class:`DevIDError`: for this descriptor,
    it is a DevID that cannot be derived."""


class BadKeyError(Error, ValueError):
    """A key is malformed: length, hex digits, PEM (status ``key``)."""


class KeyMismatchError(BadKeyError):
    """A well-formed key that fails the descriptor's ``key-check``: the
    wrong key (status ``key_mismatch``)."""


class AuthenticationError(Error):
    """Base class of the authentication failures."""


class BadMACError(AuthenticationError):
    """The descriptor's ``mac`` does not verify (status ``bad_mac``)."""


class BadSignatureError(AuthenticationError):
    """No trusted issuer key verifies the descriptor's ``signature`` (status ``bad_signature``)."""


class UnauthenticatedError(AuthenticationError):
    """Nothing that was asked for could be checked (status ``unauthenticated``)."""


class CredentialError(AuthenticationError):
    """A client or server credential is wrong (status ``auth_failed``)."""


class UnknownKeyError(BadKeyError, LookupError):
    """The descriptor's ``key-id`` is absent or not in the keyring (status
    ``unknown_key``). A subclass of :class:`BadKeyError`."""


class ScopeError(AuthenticationError):
    """The descriptor is outside its issuer's scope in the trust file: a
    DevID range or a key-id that is not its issuer's (status ``scope``)."""


class ValidityError(Error):
    """The descriptor is outside ``not-before`` .. ``not-after`` (status ``not_valid_now``)."""


class OverlapError(Error, ValueError):
    """Two descriptors' ``devid-match`` overlap (status ``overlap``)."""


class NotFoundError(Error, LookupError):
    """No descriptor covers the DevID (status ``not_found``)."""


class ParseError(Error, ValueError):
    """A malformed header, message, date... (status ``syntax``)."""


class UnsupportedError(Error, NotImplementedError):
    """A feature this build or system lacks (status ``unsupported``)."""


class CryptoError(Error):
    """OpenSSL failed unexpectedly (status ``crypto``)."""


class _NoMemoryError(Error, MemoryError):
    """The C core ran out of memory (status ``no_memory``)."""


_BY_STATUS: Dict[str, Type[Error]] = {
    "invalid_argument": InvalidArgumentError,
    "no_memory": _NoMemoryError,
    "io": FileError,
    "descriptor": DescriptorError,
    "devid": DevIDError,
    "not_covered": NotCoveredError,
    "key": BadKeyError,
    "key_mismatch": KeyMismatchError,
    "bad_mac": BadMACError,
    "bad_signature": BadSignatureError,
    "unauthenticated": UnauthenticatedError,
    "not_valid_now": ValidityError,
    "overlap": OverlapError,
    "not_found": NotFoundError,
    "auth_failed": CredentialError,
    "syntax": ParseError,
    "unsupported": UnsupportedError,
    "crypto": CryptoError,
    "unknown_key": UnknownKeyError,
    "scope": ScopeError,
}


def _from_c(code: int, status: str, message: str, line: int) -> Error:
    """The exception for a failed C call (called by the native module)."""
    cls = _BY_STATUS.get(status, Error)
    return cls(message, status=status, code=code, line=line or None)
