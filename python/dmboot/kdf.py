"""The derivation primitives of docs/spec.md §2, for checking vectors and for
tools that need a single field stream. :class:`dmboot.Descriptor` is what
derives accounts."""

from __future__ import annotations

from typing import Union

from . import native

__all__ = ["KDFS", "batch_key", "mac_key", "stream", "STREAM_MAX"]

#: The kdf names a descriptor may give, and their C values.
KDFS = {
    "hkdf-sha256": native.DMBOOT_KDF_HKDF_SHA256,
    "kbkdf-hmac-sha256": native.DMBOOT_KDF_KBKDF_HMAC_SHA256,
}
#: The longest field stream, in bytes.
STREAM_MAX: int = native.DMBOOT_STREAM_MAX

BytesLike = Union[bytes, bytearray, memoryview]


def _kdf(name: str) -> int:
    try:
        return KDFS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown kdf {name!r} (known: {', '.join(KDFS)})") from None


def _text(what: str, v: object) -> None:
    if not isinstance(v, (str, bytes)):
        raise TypeError(f"{what} must be str or bytes, not {type(v).__name__}")


def batch_key(kdf: str, key: BytesLike, id: Union[str, bytes]) -> bytes:
    """The batch key BK of descriptor id ``id`` under master key ``key`` (spec §2.2)."""
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise TypeError(f"key must be bytes, not {type(key).__name__}")
    _text("id", id)
    return native.dmboot_kdf_batch_key(_kdf(kdf), key, id)


def mac_key(kdf: str, key: BytesLike, id: Union[str, bytes]) -> bytes:
    """The descriptor MAC key of descriptor id ``id`` under master key ``key``
    (spec §2.7): the batch key's construction with the label
    ``dmboot/1/descriptor-mac``. A batch key cannot give it."""
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise TypeError(f"key must be bytes, not {type(key).__name__}")
    _text("id", id)
    return native.dmboot_kdf_mac_key(_kdf(kdf), key, id)


def stream(kdf: str, batch_key: BytesLike, label: Union[str, bytes],
           server_id: Union[str, bytes], devid: Union[str, bytes], length: int) -> bytes:
    """The first ``length`` bytes (at most :data:`STREAM_MAX`) of the field
    stream for (label, server id, DevID) under a batch key (spec §2.3)."""
    if not isinstance(batch_key, (bytes, bytearray, memoryview)):
        raise TypeError(f"batch_key must be bytes, not {type(batch_key).__name__}")
    if len(batch_key) != native.DMBOOT_BATCH_KEY_LEN:
        raise ValueError(f"batch_key must be {native.DMBOOT_BATCH_KEY_LEN} bytes, "
                         f"not {len(batch_key)}")
    for what, v in (("label", label), ("server_id", server_id), ("devid", devid)):
        _text(what, v)
    if not isinstance(length, int) or isinstance(length, bool):
        raise TypeError(f"length must be int, not {type(length).__name__}")
    if not 0 <= length <= STREAM_MAX:
        raise ValueError(f"length must be 0 to {STREAM_MAX}, not {length}")
    return native.dmboot_kdf_stream(_kdf(kdf), batch_key, label, server_id, devid, length)
