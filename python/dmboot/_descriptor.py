"""Descriptors, derivers and derived accounts."""

from __future__ import annotations

import os
from itertools import islice
from typing import Iterable, Iterator, List, Optional, Tuple, Union

from . import native
from ._keys import BytesLike, PathLike, _key_args

__all__ = ["Descriptor", "Deriver", "Account", "normalize_devid", "csv_header"]

Text = Union[str, bytes]

_FORMATS = {"json": native.DMBOOT_FORMAT_JSON, "csv": native.DMBOOT_FORMAT_CSV}


def normalize_devid(kind: str, text: Text) -> str:
    """The normalized form of a DevID of type ``kind`` (``"imei"``,
    ``"meid"``, ``"esn"`` or ``"opaque"``), e.g.
    ``normalize_devid("imei", "49-015420-323751-8") == "IMEI:490154203237518"``.

    Raises:
        DevIDError: the DevID is malformed (the message says how).
        InvalidArgumentError: ``kind`` is not a DevID type.
    """
    if not isinstance(kind, str):
        raise TypeError(f"DevID type must be str, not {type(kind).__name__}")
    _check_text("DevID", text)
    return native.dmboot_devid_normalize(kind, text)


def csv_header() -> str:
    """The CSV header row matching :meth:`Account.to_csv` (without newline)."""
    return native.dmboot_csv_header().rstrip("\n")


def _check_text(what: str, value: object) -> None:
    if not isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


class Account:
    """One device's derived DM account values.

    Attributes (``None`` when the descriptor leaves the field out):
        devid: the normalized DevID.
        name: the client's user name (AAuthName).
        client_secret: the client password (CLCRED AAuthSecret).
        server_secret: the server password (SRVCRED AAuthSecret).
        client_nonce: the initial client nonce (bytes).
        server_nonce: the initial server nonce (bytes).

    ``repr()`` never shows the secrets or nonces.
    """

    __slots__ = ("_v", "_deriver")

    _v: Tuple[str, Optional[str], Optional[str], Optional[str], Optional[bytes], Optional[bytes]]

    def __init__(self, devid: str, name: Optional[str] = None,
                 client_secret: Optional[str] = None, server_secret: Optional[str] = None,
                 client_nonce: Optional[bytes] = None,
                 server_nonce: Optional[bytes] = None) -> None:
        self._v = (devid, name, client_secret, server_secret,
                   None if client_nonce is None else bytes(client_nonce),
                   None if server_nonce is None else bytes(server_nonce))
        self._deriver: Optional[Deriver] = None

    @classmethod
    def _from_row(cls, row: tuple, deriver: "Deriver") -> "Account":
        a = cls.__new__(cls)
        a._v = row
        a._deriver = deriver
        return a

    @property
    def devid(self) -> str:
        return self._v[0]

    @property
    def name(self) -> Optional[str]:
        return self._v[1]

    @property
    def client_secret(self) -> Optional[str]:
        return self._v[2]

    @property
    def server_secret(self) -> Optional[str]:
        return self._v[3]

    @property
    def client_nonce(self) -> Optional[bytes]:
        return self._v[4]

    @property
    def server_nonce(self) -> Optional[bytes]:
        return self._v[5]

    def to_dict(self) -> dict:
        """The present values, keyed by field name (nonces as bytes)."""
        names = ("devid", "name", "client_secret", "server_secret", "client_nonce",
                 "server_nonce")
        return {k: v for k, v in zip(names, self._v) if v is not None}

    def _row(self, fmt: str) -> str:
        dv = self._deriver
        if dv is None:
            raise TypeError("only an Account made by derivation can be serialized")
        return dv._row(self.devid, fmt)

    def to_json(self) -> str:
        """This account as one JSON object (a JSON Lines row without its
        newline), as the C core writes it: nonces in base64, absent fields
        left out."""
        return self._row("json")

    def to_csv(self) -> str:
        """This account as one CSV row (without its newline) under
        :func:`csv_header`: nonces in base64, absent fields empty."""
        return self._row("csv")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Account):
            return NotImplemented
        return self._v == other._v

    def __hash__(self) -> int:
        return hash(self._v[0])

    def __repr__(self) -> str:
        shown = [f"devid={self.devid!r}", f"name={self.name!r}"]
        for field, v in zip(("client_secret", "server_secret", "client_nonce", "server_nonce"),
                            self._v[2:]):
            if v is not None:
                shown.append(f"{field}=<{len(v)} {'bytes' if isinstance(v, bytes) else 'chars'}>")
        return f"Account({', '.join(shown)})"


class Deriver:
    """Derivation for one descriptor under one key, reused across devices.

    Made by :meth:`Descriptor.deriver`. The key was checked against the
    descriptor's ``key-check`` (if it has one) when the deriver was made.
    A deriver may be used from one thread at a time.
    """

    __slots__ = ("_dv", "_acc", "descriptor")

    def __init__(self, descriptor: "Descriptor", key: BytesLike, kind: int) -> None:
        self.descriptor = descriptor
        self._dv = native.dmboot_deriver_new(descriptor._d, key, kind)
        self._acc = native.dmboot_account_new()

    def derive(self, devid: Text) -> Account:
        """Derive one device's account.

        Raises:
            DevIDError: the DevID is malformed.
            NotCoveredError: the descriptor's ``devid-match`` does not cover it.
        """
        _check_text("DevID", devid)
        rows, error = native.dmb_derive_chunk(self._dv, self._acc, [devid])
        if error is not None:
            error.devid = devid
            raise error
        return Account._from_row(rows[0], self)

    def derive_many(self, devids: Iterable[Text], *, chunk: int = 1024) -> Iterator[Account]:
        """Derive every DevID of an iterable, lazily, in order, with one call
        into the C core per ``chunk`` DevIDs.

        The iterable is read ``chunk`` items at a time, so memory stays
        constant however long it is. A bad DevID raises (at its place in the
        sequence, after the accounts before it) an error whose ``.devid`` and
        ``.index`` (0-based) attributes name it.
        """
        if not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1:
            raise ValueError("chunk must be a positive int")
        return self._derive_many(iter(devids), chunk)

    def _derive_many(self, it: Iterator[Text], chunk: int) -> Iterator[Account]:
        dv, acc, make = self._dv, self._acc, Account._from_row
        chunk_fn = native.dmb_derive_chunk
        done = 0
        while True:
            batch = list(islice(it, chunk))
            if not batch:
                return
            rows, error = chunk_fn(dv, acc, batch)
            for row in rows:
                yield make(row, self)
            if error is not None:
                error.devid = batch[len(rows)]
                error.index = done + len(rows)
                raise error
            done += len(batch)

    def _row(self, devid: str, fmt: str) -> str:
        # Its own account: two C calls, and another thread may use the
        # deriver's account between them.
        acc = native.dmboot_account_new()
        native.dmboot_derive(self._dv, devid, acc)
        try:
            return native.dmboot_account_format(acc, _FORMATS[fmt]).rstrip("\n")
        finally:
            native.dmboot_account_clear(acc)

    def __repr__(self) -> str:
        return f"<dmboot.Deriver for descriptor {self.descriptor.id!r}>"


def _value(key: str, doc: str = "") -> property:
    def fget(self: "Descriptor") -> Optional[str]:
        return self.get(key)

    return property(fget, doc=f"``{key}`` as written ({doc})" if doc else f"``{key}`` as written")


class Descriptor:
    """A parsed, validated dmboot descriptor (immutable).

    Values are available as attributes for the common keys (``d.id``,
    ``d.server_id``, ...: the key with ``-`` as ``_``), and for every key
    through the mapping methods: ``d.get("x-foo")``, ``d["server-addr"]``,
    ``d.items()`` (in file order), ``"mac" in d``. Values are as written in
    the file; a key the file leaves out is ``None`` (``kdf`` included: its
    default is ``hkdf-sha256``).
    """

    __slots__ = ("_d", "_owner", "__weakref__")

    def __init__(self, handle: object) -> None:
        self._d = handle
        self._owner: object = None  # keeps the owner of a borrowed handle alive

    @classmethod
    def parse(cls, text: Text) -> "Descriptor":
        """Parse and validate descriptor text (str, or bytes as in the file).

        Raises:
            DescriptorError: the text breaks the format; ``.line`` names the
                line and the message starts with ``"line N: "``.
        """
        _check_text("descriptor text", text)
        return cls(native.dmboot_descriptor_parse(text))

    @classmethod
    def load(cls, path: PathLike) -> "Descriptor":
        """Read a descriptor file and parse it.

        Raises:
            FileError: the file cannot be read.
            DescriptorError: as :meth:`parse`.
        """
        return cls(native.dmboot_descriptor_load(os.fspath(path)))

    # ---- values ------------------------------------------------------

    def get(self, key: str, default: Optional[str] = None) -> Optional[str]:
        """The value of ``key`` as written in the file, or ``default``."""
        if not isinstance(key, str):
            raise TypeError(f"descriptor key must be str, not {type(key).__name__}")
        if "\0" in key:
            return default
        v = native.dmboot_descriptor_get(self._d, key)
        return default if v is None else v

    def __getitem__(self, key: str) -> str:
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def items(self) -> List[Tuple[str, str]]:
        """Every ``(key, value)`` line, in file order."""
        d = self._d
        return [native.dmboot_descriptor_entry(d, i)
                for i in range(native.dmboot_descriptor_count(d))]

    def keys(self) -> List[str]:
        """Every key, in file order."""
        return [k for k, _ in self.items()]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return native.dmboot_descriptor_count(self._d)

    @property
    def text(self) -> str:
        """The file's exact text."""
        return native.dmb_descriptor_text(self._d)

    @property
    def signed_length(self) -> int:
        """How many bytes of the file the ``mac`` and ``signature`` lines cover."""
        return native.dmboot_descriptor_signed_length(self._d)

    id = _value("id", "the descriptor's id")
    issuer = _value("issuer")
    not_before = _value("not-before", "YYYY-MM-DD")
    not_after = _value("not-after", "YYYY-MM-DD")
    devid_type = _value("devid-type")
    devid_match = _value("devid-match", "patterns separated by one space")
    kdf = _value("kdf", "None means the default, hkdf-sha256")
    key_id = _value("key-id")
    server_id = _value("server-id", "the DMAcc ServerID")
    server_name = _value("server-name")
    server_addr = _value("server-addr")
    auth_pref = _value("auth-pref")
    client_auth_type = _value("client-auth-type")
    server_auth_type = _value("server-auth-type")

    # ---- DevIDs --------------------------------------------------------

    def match(self, devid: Text) -> str:
        """Normalize ``devid`` with this descriptor's ``devid-type`` and check
        it against ``devid-match``; return the normalized form.

        Raises:
            DevIDError: malformed. NotCoveredError: outside ``devid-match``.
        """
        _check_text("DevID", devid)
        return native.dmboot_descriptor_match(self._d, devid)

    def covers(self, devid: Text) -> bool:
        """Whether ``devid`` is a well-formed DevID that ``devid-match`` covers."""
        from ._errors import DevIDError

        try:
            self.match(devid)
        except DevIDError:  # NotCoveredError included
            return False
        return True

    # ---- keys and derivation -------------------------------------------

    def batch_key(self, key: BytesLike) -> bytes:
        """The batch key of this descriptor under master key ``key``: it
        derives this descriptor's devices and nothing else."""
        k, _ = _key_args(key, None)
        return native.dmboot_descriptor_batch_key(self._d, k)

    def key_check(self, *, key: Optional[BytesLike] = None,
                  batch_key: Optional[BytesLike] = None) -> str:
        """The key check (8 hex digits) of a master or batch key for this
        descriptor. It is computed, never compared: see :meth:`deriver`."""
        k, kind = _key_args(key, batch_key)
        return native.dmboot_descriptor_key_check(self._d, k, kind)

    def deriver(self, *, key: Optional[BytesLike] = None,
                batch_key: Optional[BytesLike] = None) -> Deriver:
        """A :class:`Deriver` for this descriptor under a master key (``key=``)
        or a batch key (``batch_key=``).

        Raises:
            KeyMismatchError: the descriptor has ``key-check`` and the key
                fails it (the wrong key).
            BadKeyError: the key has a wrong length.
        """
        k, kind = _key_args(key, batch_key)
        return Deriver(self, k, kind)

    def derive(self, devid: Text, *, key: Optional[BytesLike] = None,
               batch_key: Optional[BytesLike] = None) -> Account:
        """Derive one device's account (see :meth:`deriver` to derive many
        devices with one key check).

        Raises:
            DevIDError, NotCoveredError, KeyMismatchError, BadKeyError.
        """
        return self.deriver(key=key, batch_key=batch_key).derive(devid)

    def derive_many(self, devids: Iterable[Text], *, key: Optional[BytesLike] = None,
                    batch_key: Optional[BytesLike] = None,
                    chunk: int = 1024) -> Iterator[Account]:
        """Derive every DevID of an iterable, lazily, with one call into C per
        ``chunk`` DevIDs (see :meth:`Deriver.derive_many`). The key is
        checked at once, before the first DevID is read."""
        return self.deriver(key=key, batch_key=batch_key).derive_many(devids, chunk=chunk)

    def __repr__(self) -> str:
        return (f"<dmboot.Descriptor id={self.id!r} devid-type={self.devid_type!r} "
                f"server-id={self.server_id!r}>")
