"""Master keys and batch keys: key files, decoding, generation."""

from __future__ import annotations

import os
from typing import Optional, Tuple, Union

from . import native

__all__ = ["decode_key", "load_key", "generate_key", "KEY_MIN", "KEY_MAX", "BATCH_KEY_LEN"]

#: Shortest and longest master key, in bytes.
KEY_MIN: int = native.DMBOOT_KEY_MIN
KEY_MAX: int = native.DMBOOT_KEY_MAX
#: A batch key is exactly this long.
BATCH_KEY_LEN: int = native.DMBOOT_BATCH_KEY_LEN

BytesLike = Union[bytes, bytearray, memoryview]
PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def decode_key(text: Union[str, bytes]) -> bytes:
    """Decode a key file's text: 32 to 128 hex digits on one line, optionally
    followed by one newline (what ``openssl rand -hex 32`` writes).

    Raises:
        BadKeyError: the text is not such a key (the message says why).
    """
    if not isinstance(text, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"key text must be str or bytes, not {type(text).__name__}")
    return native.dmboot_key_decode(text)


def load_key(path: Union[PathLike, int]) -> bytes:
    """Read a key file (or, given an int, an open file descriptor, read to its
    end and left open) and decode it like :func:`decode_key`. The file's
    bytes are wiped from memory after decoding.

    Raises:
        FileError: the file cannot be read.
        BadKeyError: it does not hold a key.
    """
    if isinstance(path, bool):
        raise TypeError("key path must be a path or a file descriptor, not bool")
    if isinstance(path, int):
        return native.dmboot_key_read_fd(path)
    return native.dmboot_key_load(os.fspath(path))


def generate_key(length: int = 32) -> bytes:
    """A fresh master key of ``length`` bytes (16 to 64) from OpenSSL's CSPRNG."""
    if not isinstance(length, int) or isinstance(length, bool):
        raise TypeError(f"key length must be int, not {type(length).__name__}")
    if not KEY_MIN <= length <= KEY_MAX:
        raise ValueError(f"key length must be {KEY_MIN} to {KEY_MAX} bytes, not {length}")
    return native.dmboot_key_generate(length)


def _key_args(key: Optional[BytesLike], batch_key: Optional[BytesLike]) -> Tuple[BytesLike, int]:
    """(key bytes, dmboot_key_kind) from the key= / batch_key= keywords."""
    if (key is None) == (batch_key is None):
        raise TypeError("give exactly one of key= (a master key) and batch_key= (a batch key)")
    value, kind, what = ((key, native.DMBOOT_KEY_MASTER, "key") if key is not None
                         else (batch_key, native.DMBOOT_KEY_BATCH, "batch_key"))
    if not isinstance(value, (bytes, bytearray, memoryview)):
        hint = " (decode a hex key with dmboot.decode_key)" if isinstance(value, str) else ""
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}{hint}")
    return value, kind
