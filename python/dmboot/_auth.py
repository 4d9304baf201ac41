"""Descriptor authentication: issuer keys, verification, signing, registry
(docs/authentication.md)."""

from __future__ import annotations

import calendar
import datetime as _dt
import os
from typing import FrozenSet, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import native
from ._descriptor import Descriptor, _check_text
from ._keys import BytesLike, PathLike, _key_args


__all__ = ["SigningKey", "PublicKey", "Keyring", "Trust", "Verifier", "Registry", "parse_time"]


def _read_text(path: PathLike) -> str:
    with open(os.fspath(path), "r", encoding="utf-8", newline="") as f:
        return f.read()


def parse_time(text: str) -> int:
    """A date ``YYYY-MM-DD`` (00:00:00 UTC) or an RFC 3339 date-time, as Unix
    seconds. Raises :class:`dmboot.ParseError` naming the problem."""
    _check_text("time", text)
    return native.dmboot_time_parse(text)


class PublicKey:
    """An issuer's Ed25519 public key (what verifiers trust)."""

    __slots__ = ("_k",)

    def __init__(self, handle: object) -> None:
        self._k = handle

    @classmethod
    def from_pem(cls, pem: Union[str, bytes]) -> "PublicKey":
        """Read a SubjectPublicKeyInfo PEM public key (a private key is refused)."""
        _check_text("PEM", pem)
        return cls(native.dmboot_public_key_from_pem(pem))

    @classmethod
    def load(cls, path: PathLike) -> "PublicKey":
        """Read a PEM public key file."""
        return cls.from_pem(_read_text(path))

    def pem(self) -> str:
        """The key as PEM (``-----BEGIN PUBLIC KEY-----``)."""
        return native.dmboot_public_key_pem(self._k)

    def raw(self) -> bytes:
        """The raw 32-byte public key (RFC 8032)."""
        return native.dmboot_public_key_raw(self._k)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and self.raw() == other.raw()

    def __hash__(self) -> int:
        return hash(self.raw())

    def __repr__(self) -> str:
        return f"<dmboot.PublicKey ed25519 {self.raw().hex()[:16]}...>"


class SigningKey:
    """An issuer's Ed25519 private key. ``repr()`` never shows it."""

    __slots__ = ("_k",)

    def __init__(self, handle: object) -> None:
        self._k = handle

    @classmethod
    def generate(cls) -> "SigningKey":
        """A fresh key pair from OpenSSL's CSPRNG."""
        return cls(native.dmboot_signing_key_generate())

    @classmethod
    def from_pem(cls, pem: Union[str, bytes]) -> "SigningKey":
        """Read an unencrypted PKCS#8 PEM private key (``openssl genpkey
        -algorithm ed25519``). Raises :class:`dmboot.BadKeyError` saying what
        is wrong (a public key, an encrypted key, not Ed25519, malformed)."""
        _check_text("PEM", pem)
        return cls(native.dmboot_signing_key_from_pem(pem))

    @classmethod
    def load(cls, path: PathLike) -> "SigningKey":
        """Read a PEM private key file. Like a key file it must be private:
        a symbolic link, or a file group or others may access (mode & 077),
        raises :class:`dmboot.BadKeyError` naming it (``chmod 600`` it)."""
        return cls(native.dmboot_signing_key_load(os.fspath(path)))

    def private_pem(self) -> str:
        """The private key as PKCS#8 PEM (a secret: write it with care)."""
        return native.dmboot_signing_key_private_pem(self._k)

    def public_pem(self) -> str:
        """The public key as PEM, for the verifiers."""
        return native.dmboot_signing_key_public_pem(self._k)

    def public_key(self) -> PublicKey:
        return PublicKey(native.dmboot_signing_key_public(self._k))

    def __repr__(self) -> str:
        return f"<dmboot.SigningKey ed25519, public {self.public_key().raw().hex()[:16]}...>"


class Keyring:
    """An operator's master keys, one per key-id (one per manufacturer): a
    descriptor selects its master key by its ``key-id`` line
    (docs/authentication.md §4.2). ``repr()`` shows the key-ids, never a key.

    ``Keyring({"acme-2026": key, ...})`` or ``Keyring.load_dir(path)``
    (``DIR/<key-id>.key`` files, each private: no symbolic link, mode & 077
    == 0). Verifiers and registries keep their own copy."""

    __slots__ = ("_k",)

    def __init__(self, keys: Optional[Mapping[str, BytesLike]] = None) -> None:
        self._k = native.dmboot_keyring_new()
        for key_id, key in (keys or {}).items():
            self.add(key_id, key)

    @classmethod
    def load_dir(cls, path: PathLike) -> "Keyring":
        """Every ``<key-id>.key`` file of a directory, all or nothing. Raises
        :class:`BadKeyError` (a bad name, a file group or others may
        access, a symbolic link, not a key) or :class:`FileError`."""
        kr = cls()
        native.dmboot_keyring_load_dir(kr._k, os.fspath(path))
        return kr

    def add(self, key_id: str, key: BytesLike) -> None:
        """Add a master key under a key-id ([A-Za-z0-9._-], 1 to 64)."""
        _check_text("key-id", key_id)
        if not isinstance(key, (bytes, bytearray, memoryview)):
            raise TypeError(f"key must be bytes, not {type(key).__name__}")
        native.dmboot_keyring_add(self._k, key_id, key)

    def key_ids(self) -> List[str]:
        """The key-ids, in the order added (load_dir: name order)."""
        return [native.dmboot_keyring_key_id(self._k, i) for i in range(len(self))]

    def __len__(self) -> int:
        return native.dmboot_keyring_count(self._k)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self.key_ids()

    def __repr__(self) -> str:
        return f"<dmboot.Keyring key-ids {', '.join(self.key_ids()) or '(none)'}>"


class Trust:
    """The operator's trust file (docs/authentication.md §6): each trusted
    issuer's public key, the key-ids it may use and the DevID ranges it may
    claim. ``Trust.parse(text)`` or ``Trust.load(path)``; a malformed file
    raises :class:`ParseError` with its ``line``."""

    __slots__ = ("_t",)

    def __init__(self, handle: object) -> None:
        self._t = handle

    @classmethod
    def parse(cls, text: Union[str, bytes]) -> "Trust":
        _check_text("trust file", text)
        return cls(native.dmboot_trust_parse(text))

    @classmethod
    def load(cls, path: PathLike) -> "Trust":
        return cls(native.dmboot_trust_load(os.fspath(path)))

    def issuers(self) -> List[str]:
        """The issuers' names, in file order."""
        return [native.dmboot_trust_issuer(self._t, i)
                for i in range(native.dmboot_trust_count(self._t))]

    def __len__(self) -> int:
        return native.dmboot_trust_count(self._t)

    def __repr__(self) -> str:
        return f"<dmboot.Trust issuers {', '.join(self.issuers())}>"


TimeLike = Union[int, str, _dt.datetime, _dt.date]


def _unix(at: TimeLike) -> int:
    if isinstance(at, bool):
        raise TypeError("time must be int, str, date or datetime, not bool")
    if isinstance(at, int):
        return at
    if isinstance(at, str):
        return parse_time(at)
    if isinstance(at, _dt.datetime):
        if at.tzinfo is None:
            raise ValueError("a datetime for verification must be timezone-aware")
        return int(at.timestamp())
    if isinstance(at, _dt.date):
        return calendar.timegm(at.timetuple())
    raise TypeError(f"time must be int, str, date or datetime, not {type(at).__name__}")


class Verifier:
    """What descriptors are verified against: a master or batch key (for
    ``key-check`` and ``mac``), trusted issuer public keys (for the
    ``signature``), the time (for validity; default: the clock at each
    verification) and the policy.

    By default a ``mac`` or a ``signature`` must be present and verify, and
    validity is checked. A line that is present and can be checked must
    verify whatever the policy.
    """

    __slots__ = ("_v",)

    def __init__(self, *, key: Optional[BytesLike] = None, batch_key: Optional[BytesLike] = None,
                 keyring: Optional[Keyring] = None, trust: Optional["Trust"] = None,
                 issuer_keys: Iterable[Union[PublicKey, str, bytes]] = (),
                 at: Optional[TimeLike] = None, allow_unauthenticated: bool = False,
                 ignore_validity: bool = False, require_signature: bool = False,
                 require_mac: bool = False) -> None:
        self._v = native.dmboot_verifier_new()
        if keyring is not None:
            if key is not None or batch_key is not None:
                raise TypeError("give a keyring or a key, not both")
            if not isinstance(keyring, Keyring):
                raise TypeError(f"keyring must be a dmboot.Keyring, not {type(keyring).__name__}")
            # the descriptor's key-id selects the master key; an absent or
            # unknown key-id is an UnknownKeyError
            native.dmboot_verifier_set_keyring(self._v, keyring._k)
        elif key is not None or batch_key is not None:
            k, kind = _key_args(key, batch_key)
            native.dmboot_verifier_set_key(self._v, k, kind)
        if trust is not None:
            if not isinstance(trust, Trust):
                raise TypeError(f"trust must be a dmboot.Trust, not {type(trust).__name__}")
            # issuer scopes: a descriptor outside its issuer's is a ScopeError
            native.dmboot_verifier_set_trust(self._v, trust._t)
        for ik in issuer_keys:
            self.add_issuer_key(ik)
        if at is not None:
            native.dmboot_verifier_set_time(self._v, _unix(at))
        flags = ((native.DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED if allow_unauthenticated else 0)
                 | (native.DMBOOT_VERIFY_IGNORE_VALIDITY if ignore_validity else 0)
                 | (native.DMBOOT_VERIFY_REQUIRE_SIGNATURE if require_signature else 0)
                 | (native.DMBOOT_VERIFY_REQUIRE_MAC if require_mac else 0))
        native.dmboot_verifier_set_flags(self._v, flags)

    def add_issuer_key(self, key: Union[PublicKey, str, bytes]) -> None:
        """Trust one more issuer public key (a :class:`PublicKey` or PEM text)."""
        if isinstance(key, PublicKey):
            native.dmboot_verifier_add_public_key(self._v, key._k)
        else:
            _check_text("issuer key PEM", key)
            native.dmboot_verifier_add_issuer_key(self._v, key)

    @property
    def issuer_key_count(self) -> int:
        return native.dmboot_verifier_issuer_key_count(self._v)

    def __repr__(self) -> str:
        return f"<dmboot.Verifier with {self.issuer_key_count} issuer key(s)>"


def _check_names(bits: int) -> FrozenSet[str]:
    return frozenset(native.dmboot_check_name(i) for i in range(native.DMBOOT_CHECK_COUNT)
                     if bits & (1 << i))


# ---- Descriptor methods (added to dmboot.Descriptor) ------------------------

def _verify(self: Descriptor, verifier: Verifier) -> FrozenSet[str]:
    """Verify this descriptor; return the names of the checks that ran and
    passed (``"signature"``, ``"key-check"``, ``"mac"``, ``"validity"``).

    Raises (the first failure, in that order): :class:`BadSignatureError`,
    :class:`KeyMismatchError`, :class:`BadMACError`, :class:`ValidityError`,
    then :class:`UnauthenticatedError` when the policy was not met.
    """
    if not isinstance(verifier, Verifier):
        raise TypeError(f"verifier must be a dmboot.Verifier, not {type(verifier).__name__}")
    return _check_names(native.dmboot_descriptor_verify(self._d, verifier._v))


def _verify_report(self: Descriptor, verifier: Verifier) -> dict:
    """Verify and describe every check, for people: a dict with ``checked``
    (names), ``issuer_key`` (1-based number of the key that verified the
    signature, 0 for none), ``at`` (Unix seconds) and one note per check
    (``signature``, ``key_check``, ``mac``, ``validity``: "ok ...", "not
    checked (...)"). Raises like :meth:`verify` on a failure."""
    if not isinstance(verifier, Verifier):
        raise TypeError(f"verifier must be a dmboot.Verifier, not {type(verifier).__name__}")
    r = native.dmboot_descriptor_verify_report(self._d, verifier._v)
    r["checked"] = _check_names(r["checked"])
    r["failed"] = _check_names(r["failed"])
    return r


def _mac_key(self: Descriptor, *, key: Optional[BytesLike] = None,
             batch_key: Optional[BytesLike] = None) -> bytes:
    """The descriptor MAC key (spec §2.7); checks key-check first."""
    k, kind = _key_args(key, batch_key)
    return native.dmboot_descriptor_mac_key(self._d, k, kind)


def _mac(self: Descriptor, *, key: Optional[BytesLike] = None,
         batch_key: Optional[BytesLike] = None) -> bytes:
    """The value of the descriptor's ``mac`` line under a key (32 bytes)."""
    k, kind = _key_args(key, batch_key)
    return native.dmboot_descriptor_mac(self._d, k, kind)


def _sign(self: Descriptor, *, key: Optional[BytesLike] = None,
          batch_key: Optional[BytesLike] = None, signing_key: Optional[SigningKey] = None,
          update_key_check: bool = False) -> str:
    """New descriptor text: this one's signed bytes (with ``key-check``
    added or updated when ``update_key_check``), then a ``mac`` line when a
    key is given and a ``signature`` line when a signing key is given. The
    result is parsed and verified before it is returned."""
    k, kind = (None, native.DMBOOT_KEY_MASTER)
    if key is not None or batch_key is not None:
        k, kind = _key_args(key, batch_key)
    if signing_key is not None and not isinstance(signing_key, SigningKey):
        raise TypeError("signing_key must be a dmboot.SigningKey")
    if k is None and signing_key is None:
        raise TypeError("give a key (key= or batch_key=), a signing_key, or both")
    flags = native.DMBOOT_SIGN_KEY_CHECK if update_key_check else 0
    return native.dmboot_descriptor_sign(self._d, k, kind,
                                         signing_key._k if signing_key else None, flags)


def _check_overlap(self: Descriptor, other: Descriptor) -> None:
    """Raise :class:`OverlapError` (naming both and the patterns) when a
    DevID could match both descriptors' ``devid-match``."""
    native.dmboot_descriptor_check_overlap(self._d, other._d)


class Registry:
    """A set of descriptors whose ``devid-match`` do not overlap: which one
    covers a DevID? Descriptors are verified as they are added."""

    __slots__ = ("_r", "__weakref__")

    def __init__(self, keyring: Optional[Keyring] = None) -> None:
        """With a keyring, only descriptors whose key-id it holds are added
        (:class:`UnknownKeyError`), and the checks (``check_message`` ...)
        given no key use the key of the covering descriptor's key-id."""
        self._r = native.dmboot_registry_new()
        if keyring is not None:
            if not isinstance(keyring, Keyring):
                raise TypeError(f"keyring must be a dmboot.Keyring, not {type(keyring).__name__}")
            native.dmboot_registry_set_keyring(self._r, keyring._k)

    def add(self, descriptor: Descriptor, verifier: Optional[Verifier] = None) -> None:
        """Add a copy of ``descriptor`` after verifying it with ``verifier``
        (None: no verification). Raises the verification error, or
        :class:`OverlapError` for an id already present or an overlap."""
        native.dmboot_registry_add(self._r, descriptor._d,
                                   verifier._v if verifier is not None else None)

    def load_dir(self, path: PathLike, verifier: Optional[Verifier] = None) -> None:
        """Add every ``*.desc`` file of a directory, all or nothing."""
        native.dmboot_registry_load_dir(self._r, os.fspath(path),
                                        verifier._v if verifier is not None else None)

    def __len__(self) -> int:
        return native.dmboot_registry_count(self._r)

    def _wrap(self, handle: object) -> Descriptor:
        d = Descriptor(handle)
        d._owner = self  # the registry owns the C descriptor
        return d

    def __getitem__(self, i: int) -> Descriptor:
        n = len(self)
        if not isinstance(i, int):
            raise TypeError("registry index must be int")
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("registry index out of range")
        return self._wrap(native.dmboot_registry_at(self._r, i))

    def __iter__(self) -> Iterator[Descriptor]:
        for i in range(len(self)):
            yield self[i]

    def source(self, i: int) -> Optional[str]:
        """The file the i-th descriptor was loaded from, or None."""
        if not 0 <= i < len(self):
            raise IndexError("registry index out of range")
        return native.dmboot_registry_source(self._r, i)

    def find(self, id: str) -> Optional[Descriptor]:
        """The descriptor with this id, or None."""
        _check_text("id", id)
        h = native.dmboot_registry_find(self._r, id)
        return None if h is None else self._wrap(h)

    def lookup(self, devid: Union[str, bytes]) -> Tuple[Descriptor, str]:
        """(the descriptor covering ``devid``, the normalized DevID).
        Raises :class:`NotFoundError` when none covers it."""
        _check_text("DevID", devid)
        h, normalized = native.dmboot_registry_lookup(self._r, devid)
        return self._wrap(h), normalized

    def ids(self) -> List[str]:
        return [d.id for d in self]

    def __repr__(self) -> str:
        return f"<dmboot.Registry of {len(self)} descriptor(s)>"


def _install() -> None:
    Descriptor.verify = _verify  # type: ignore[attr-defined]
    Descriptor.verify_report = _verify_report  # type: ignore[attr-defined]
    Descriptor.mac_key = _mac_key  # type: ignore[attr-defined]
    Descriptor.mac = _mac  # type: ignore[attr-defined]
    Descriptor.sign = _sign  # type: ignore[attr-defined]
    Descriptor.check_overlap = _check_overlap  # type: ignore[attr-defined]


_install()
