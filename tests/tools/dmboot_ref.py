#!/usr/bin/env python3
"""dmboot_ref: an independent reference implementation of dmboot.

Written from docs/spec.md (§2 derivation, §3 DevID, §4 descriptor) and the
design brief (§6 OMA DM credentials) only, never from the C sources, so that
an error in the C core cannot hide in test vectors the C core produced.
Python >= 3.9, standard library only. Readability beats speed here: every
function should be checkable line by line against the spec.

Command line (key files hold hex on one line, as `openssl rand -hex 32`):

  dmboot_ref.py derive    --descriptor FILE (--key FILE | --batch-key FILE) DEVID...
  dmboot_ref.py batch-key --descriptor FILE --key FILE
  dmboot_ref.py key-check --descriptor FILE (--key FILE | --batch-key FILE)
  dmboot_ref.py mac       --descriptor FILE --key FILE

`derive` prints one JSON object per device and line (keys devid, name,
client_secret, server_secret, client_nonce, server_nonce; nonces in base64;
fields the descriptor leaves out are left out). `batch-key` prints hex,
`key-check` 8 hex digits, `mac` the base64 HMAC-SHA256 of the signed bytes
(the MAC key comes from the master key: a batch key cannot make it).
"""

import argparse
import base64
import hashlib
import hmac
import json
import re
import sys

__all__ = [
    "hkdf_extract", "hkdf_expand", "kbkdf_counter",
    "batch_key", "field_stream", "key_check", "mac_key",
    "signed_bytes", "descriptor_mac",
    "encode_bytes", "encode_chars", "ALPHABETS",
    "normalize_devid", "parse_descriptor", "derive_account",
    "auth_basic", "auth_md5", "auth_hmac", "decode_key_text",
]

KDFS = ("hkdf-sha256", "kbkdf-hmac-sha256")
STREAM_MAX = 8160  # bytes: 255 HMAC-SHA256 blocks (spec §2.3)
HASH_LEN = 32


# ---------------------------------------------------------------------------
# Generic primitives (published constructions; self-tested against RFC 5869
# and NIST SP 800-108 vectors in test_dmboot_ref.py)

def _hmac(key, msg):
    """HMAC-SHA256 (spec §1)."""
    return hmac.new(key, msg, hashlib.sha256).digest()


def _u32(n):
    """[n]_32: unsigned 32-bit big-endian."""
    return n.to_bytes(4, "big")


def hkdf_extract(salt, ikm):
    """RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM).

    An absent salt is HashLen zero bytes; HMAC pads a short key with zeros,
    so an empty salt gives the same PRK (RFC 5869 test case 3 checks this).
    """
    return _hmac(salt, ikm)


def hkdf_expand(prk, info, length):
    """RFC 5869 §2.3: T(0) = empty, T(i) = HMAC(PRK, T(i-1) | info | [i]_8)."""
    if not 0 <= length <= 255 * HASH_LEN:
        raise ValueError("HKDF-Expand length must be 0 to 8160 bytes")
    okm, t, i = b"", b"", 1
    while len(okm) < length:
        t = _hmac(prk, t + info + bytes([i]))
        okm += t
        i += 1
    return okm[:length]


def kbkdf_counter(ki, fixed, length):
    """NIST SP 800-108r1 §4.1, KDF in counter mode with HMAC-SHA256 as PRF,
    a 32-bit counter before the fixed input data:
    K(i) = HMAC(KI, [i]_32 | fixed), output = first `length` bytes of
    K(1) | K(2) | ...  `fixed` is the whole fixed input data (Label, 0x00,
    Context and [L]_32 already in it, as the caller frames them).
    """
    if length < 0:
        raise ValueError("negative length")
    out, i = b"", 1
    while len(out) < length:
        out += _hmac(ki, _u32(i) + fixed)
        i += 1
    return out[:length]


# ---------------------------------------------------------------------------
# Derivation (spec §2)

_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _check_kdf(kdf):
    if kdf not in KDFS:
        raise ValueError("unknown kdf %r (expected %s)" % (kdf, " or ".join(KDFS)))


def _ascii(name, s):
    """An ID/SID/DEV/LABEL as bytes: ASCII, never 0x00 (spec §2.1)."""
    b = s.encode("ascii")  # UnicodeEncodeError is a ValueError
    if b"\x00" in b:
        raise ValueError("%s contains 0x00" % name)
    return b


def _key_from_master(kdf, label, K, id):
    """A 32-byte key of descriptor ID under master key K with a version label
    (spec §2.2, §2.7)."""
    _check_kdf(kdf)
    if not 16 <= len(K) <= 64:
        raise ValueError("master key must be 16 to 64 bytes, got %d" % len(K))
    if not _ID_RE.fullmatch(id):
        raise ValueError("descriptor id %r is not [A-Za-z0-9._-]{1,64}" % id)
    salt = label + b"\x00" + _ascii("ID", id)
    if kdf == "hkdf-sha256":
        # HKDF-Extract(salt = LABEL || 0x00 || ID, IKM = K)
        return hkdf_extract(salt, K)
    # HMAC(K, [1]_32 || LABEL || 0x00 || ID || [256]_32)
    return kbkdf_counter(K, salt + _u32(256), 32)


def batch_key(kdf, K, id):
    """Spec §2.2: the 32-byte batch key BK of master key K for descriptor ID
    (label "dmboot/1")."""
    return _key_from_master(kdf, b"dmboot/1", K, id)


_compute_batch_key = batch_key  # derive_account has a parameter of that name


def field_stream(kdf, BK, label, sid, dev, n):
    """Spec §2.3: the first n bytes (0..8160) of the field stream."""
    _check_kdf(kdf)
    if len(BK) != 32:
        raise ValueError("batch key must be 32 bytes, got %d" % len(BK))
    if not 0 <= n <= STREAM_MAX:
        raise ValueError("a field stream holds at most 8160 bytes")
    ctx = (_ascii("LABEL", label) + b"\x00" + _ascii("SID", sid)
           + b"\x00" + _ascii("DEV", dev))
    if kdf == "hkdf-sha256":
        # HKDF-Expand, PRK = BK, info = LABEL || 0x00 || SID || 0x00 || DEV
        return hkdf_expand(BK, ctx, n)
    # K(i) = HMAC(BK, [i]_32 || LABEL || 0x00 || SID || 0x00 || DEV || [65280]_32)
    return kbkdf_counter(BK, ctx + _u32(65280), n)


def key_check(kdf, BK, sid):
    """Spec §2.6: first 4 bytes of the key-check stream (DEV empty), 8 hex."""
    return field_stream(kdf, BK, "key-check", sid, "", 4).hex()


def mac_key(kdf, K, id):
    """Spec §2.7: the descriptor MAC key, from the master key K (never from a
    batch key): the batch key's construction with the label
    "dmboot/1/descriptor-mac"."""
    return _key_from_master(kdf, b"dmboot/1/descriptor-mac", K, id)


def signed_bytes(data):
    """Spec §4.2: the file's bytes before the first line that starts with
    `mac: ` or `signature: ` (all of them when there is none)."""
    pos = 0
    while pos < len(data):
        if data.startswith(b"mac: ", pos) or data.startswith(b"signature: ", pos):
            return data[:pos]
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        pos = nl + 1
    return data


def descriptor_mac(text_bytes, kdf, K, id):
    """Spec §4.2: HMAC-SHA256(descriptor MAC key, signed bytes), the MAC key
    from master key K and descriptor ID."""
    if isinstance(text_bytes, str):
        text_bytes = text_bytes.encode("utf-8")
    return _hmac(mac_key(kdf, K, id), signed_bytes(text_bytes))


# ---------------------------------------------------------------------------
# Encodings (spec §2.5)

ALPHABETS = {
    "digits": "0123456789",
    "alnum": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
}


def encode_bytes(data, enc):
    """hex (lowercase), base64 (padded), base64url (unpadded); None: raw."""
    if enc is None:
        return bytes(data)
    if enc == "hex":
        return data.hex()
    if enc == "base64":
        return base64.b64encode(data).decode("ascii")
    if enc == "base64url":
        return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
    raise ValueError("unknown byte encoding %r" % enc)


def _check_alphabet(alphabet):
    if not 2 <= len(alphabet) <= 94:
        raise ValueError("an alphabet has 2 to 94 symbols, got %d" % len(alphabet))
    for c in alphabet:
        if not "\x21" <= c <= "\x7e":
            raise ValueError("alphabet symbol %r is not printable non-space ASCII" % c)
    if len(set(alphabet)) != len(alphabet):
        raise ValueError("alphabet repeats a symbol")


def encode_chars(stream, n, alphabet):
    """Keep byte b only if b < 256 - (256 mod m); emit alphabet[b mod m];
    stop after n symbols. Running out of stream is an error."""
    _check_alphabet(alphabet)
    m = len(alphabet)
    limit = 256 - (256 % m)
    out = []
    for b in stream:
        if len(out) == n:
            break
        if b < limit:
            out.append(alphabet[b % m])
    if len(out) < n:
        raise ValueError("field stream exhausted before %d symbols" % n)
    return "".join(out)


def _derive_chars(kdf, BK, label, sid, dev, n, alphabet):
    # A longer prefix never changes a shorter one (spec §2.3), so read a
    # generous prefix first and the whole stream only if that falls short.
    for length in (min(STREAM_MAX, 4 * n + 64), STREAM_MAX):
        try:
            return encode_chars(field_stream(kdf, BK, label, sid, dev, length), n, alphabet)
        except ValueError:
            if length == STREAM_MAX:
                raise


# ---------------------------------------------------------------------------
# DevID (spec §3)

_DIGITS = "0123456789"
_HEX = "0123456789abcdefABCDEF"


def _strip_prefix(text, prefix):
    """Remove `prefix` in any (ASCII) case; return (rest, prefix length)."""
    head = text[:len(prefix)]
    # isascii(): str.upper() maps e.g. U+0131 'ı' to 'I'; only ASCII counts.
    if head.isascii() and head.upper() == prefix:
        return text[len(prefix):], len(prefix)
    return text, 0


def luhn_check_digit(payload):
    """The Luhn check digit for a string of decimal digits."""
    total = 0
    for i, c in enumerate(reversed(payload)):
        v = int(c)
        if i % 2 == 0:  # the payload's last digit is doubled
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return str((10 - total % 10) % 10)


def _imei(text):
    # Blanks (space, tab) around the whole are ignored.
    lead = len(text) - len(text.lstrip(" \t"))
    s = text.strip(" \t")
    body, plen = _strip_prefix(s, "IMEI:")
    digits = ""
    pending_sep = None  # position of a separator not yet followed by a digit
    for i, c in enumerate(body):
        pos = lead + plen + i + 1  # 1-based position in the input as given
        if c in _DIGITS:
            digits += c
            pending_sep = None
        elif c in "- ":
            if not digits and not plen:
                raise ValueError("IMEI: unexpected %r at position %d (a separator "
                                 "must follow a digit or the IMEI: prefix)" % (c, pos))
            pending_sep = pos
        else:
            raise ValueError("IMEI: unexpected character %r at position %d" % (c, pos))
    if pending_sep is not None and digits:
        raise ValueError("IMEI: separator at position %d is not followed by a digit"
                         % pending_sep)
    if len(digits) != 15:
        raise ValueError("IMEI: expected 15 digits, found %d" % len(digits))
    want = luhn_check_digit(digits[:14])
    if digits[14] != want:
        raise ValueError("IMEI: wrong check digit %s, expected %s" % (digits[14], want))
    return "IMEI:" + digits


def _hex_id(text, prefix, count, what):
    body, plen = _strip_prefix(text, prefix)
    for i, c in enumerate(body):
        if c not in _HEX:
            raise ValueError("%s: unexpected character %r at position %d"
                             % (what, c, plen + i + 1))
    if len(body) != count:
        raise ValueError("%s: expected %d hex digits, found %d" % (what, count, len(body)))
    return prefix + body.upper()


def _opaque(text):
    if not 1 <= len(text) <= 128:
        raise ValueError("opaque DevID: 1 to 128 characters, got %d" % len(text))
    for i, c in enumerate(text):
        if not "\x21" <= c <= "\x7e":
            raise ValueError("opaque DevID: unexpected character %r at position %d"
                             % (c, i + 1))
    return text


def normalize_devid(type, text):
    """Spec §3: the normalized DevID, or ValueError naming what is wrong."""
    if type == "imei":
        return _imei(text)
    if type == "meid":
        return _hex_id(text, "MEID:", 14, "MEID")
    if type == "esn":
        return _hex_id(text, "ESN:", 8, "ESN")
    if type == "opaque":
        return _opaque(text)
    raise ValueError("unknown devid type %r" % type)


_TYPE_PREFIX = {"imei": "IMEI:", "meid": "MEID:", "esn": "ESN:", "opaque": ""}


def devid_value(type, dev):
    """The normalized DevID without its type prefix (spec §4.5 {devid-value});
    nothing is removed from an opaque DevID, even one that looks like "IMEI:..."."""
    prefix = _TYPE_PREFIX[type]
    assert dev.startswith(prefix)
    return dev[len(prefix):]


# ---------------------------------------------------------------------------
# Descriptor: a minimal reader (spec §4); not a full validator

KNOWN_KEYS = {
    "dmboot-descriptor", "id", "issuer", "not-before", "not-after",
    "devid-type", "devid-match", "kdf", "key-id", "key-check", "server-id",
    "server-name", "server-addr", "auth-pref", "client-auth-type",
    "server-auth-type", "name", "client-secret", "server-secret",
    "client-nonce", "server-nonce",
}
REQUIRED_KEYS = ("id", "issuer", "devid-type", "devid-match", "server-id", "server-addr")
# (descriptor key, account dict key); a field's label is its key (spec §2.4)
FIELDS = (
    ("name", "name"),
    ("client-secret", "client_secret"),
    ("server-secret", "server_secret"),
    ("client-nonce", "client_nonce"),
    ("server-nonce", "server_nonce"),
)
_ENTRY_RE = re.compile(r"([a-z][a-z0-9-]*): (.*)")
_N = r"([1-9][0-9]{0,2})"  # 1..999 without leading zeros; range checked below
_BYTES_RE = re.compile(r"derive bytes " + _N + r"(?: (hex|base64|base64url))?")
_CHARS_RE = re.compile(r"derive chars " + _N + r" (?:(digits|alnum)|alphabet (\S+))")
_PLACEHOLDER_RE = re.compile(r"\{devid\}|\{devid-value\}")


def _parse_rule(field, value):
    """Spec §4.5: a field rule as a tuple:
    ("devid",) | ("template", T) | ("bytes", N, enc or None) | ("chars", N, alphabet)."""
    if value == "devid":
        rule = ("devid",)
    elif value.startswith("template "):
        t = value[len("template "):]
        rest = _PLACEHOLDER_RE.sub("", t)
        if "{" in rest or "}" in rest:
            raise ValueError("%s: a template may hold only {devid} and {devid-value}" % field)
        rule = ("template", t)
    elif _BYTES_RE.fullmatch(value):
        m = _BYTES_RE.fullmatch(value)
        rule = ("bytes", int(m.group(1)), m.group(2))
    elif _CHARS_RE.fullmatch(value):
        m = _CHARS_RE.fullmatch(value)
        alphabet = ALPHABETS[m.group(2)] if m.group(2) else m.group(3)
        _check_alphabet(alphabet)
        rule = ("chars", int(m.group(1)), alphabet)
    else:
        raise ValueError("%s: not a field rule: %r" % (field, value))
    if rule[0] in ("bytes", "chars") and not 1 <= rule[1] <= 255:
        raise ValueError("%s: N must be 1 to 255" % field)
    raw = rule[0] == "bytes" and rule[2] is None
    if field in ("client-nonce", "server-nonce"):
        if not raw:
            raise ValueError("%s must be 'derive bytes N'" % field)
    elif raw:
        raise ValueError("%s: raw bytes are only for nonces" % field)
    if field in ("client-secret", "server-secret"):
        if rule[0] not in ("bytes", "chars"):
            raise ValueError("%s must be derived" % field)
        # at least 64 bits of entropy, computed exactly: m**N >= 2**64
        m = 256 if rule[0] == "bytes" else len(rule[2])
        if m ** rule[1] < 2 ** 64:
            raise ValueError("%s has fewer than 64 bits of entropy" % field)
    return rule


def parse_descriptor(text):
    """Read what derivation needs from a descriptor (str or bytes).

    Returns a dict: id, server_id, kdf, devid_type, devid_match (list),
    key_check (or None), mac (base64 text or None), rules {field key: rule},
    entries {key: value}. Raises ValueError("line N: ...") on what it checks.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    entries, mac, auth, first = {}, None, [], True
    for no, line in enumerate(lines, 1):
        if any(c < "\x20" or "\x7f" <= c <= "\x9f" for c in line):
            raise ValueError("line %d: control character" % no)
        if any("\ufdd0" <= c <= "\ufdef" or (ord(c) & 0xFFFE) == 0xFFFE for c in line):
            raise ValueError("line %d: Unicode noncharacter" % no)
        if line.startswith("mac: ") or line.startswith("signature: "):
            kind = line.split(":")[0]
            if kind in auth or (kind == "mac" and auth):
                raise ValueError("line %d: at most one mac, then at most one signature" % no)
            auth.append(kind)
            if kind == "mac":
                m = re.fullmatch(r"mac: hmac-sha256 (\S+)", line)
                if not m:
                    raise ValueError("line %d: bad mac line" % no)
                mac = m.group(1)
            continue
        if auth:
            raise ValueError("line %d: only authentication lines may follow one" % no)
        if line == "" or line.startswith("#"):
            continue
        m = _ENTRY_RE.fullmatch(line)
        if not m:
            raise ValueError("line %d: not a 'key: value' entry" % no)
        key, value = m.group(1), m.group(2)
        if value == "" or value != value.strip(" "):
            raise ValueError("line %d: empty value or leading/trailing space" % no)
        if first:
            if key != "dmboot-descriptor" or value != "1":
                raise ValueError("line %d: the first entry must be 'dmboot-descriptor: 1'" % no)
            first = False
        if key in entries:
            raise ValueError("line %d: duplicate key %r" % (no, key))
        if key not in KNOWN_KEYS and not key.startswith("x-"):
            raise ValueError("line %d: unknown key %r" % (no, key))
        if key in dict(FIELDS):
            try:
                _parse_rule(key, value)
            except ValueError as e:
                raise ValueError("line %d: %s" % (no, e)) from None
        entries[key] = value
    for key in REQUIRED_KEYS:
        if key not in entries:
            raise ValueError("missing required key %r" % key)
    d = {
        "id": entries["id"],
        "server_id": entries["server-id"],
        "kdf": entries.get("kdf", "hkdf-sha256"),
        "devid_type": entries["devid-type"],
        "devid_match": entries["devid-match"].split(" "),
        "key_check": entries.get("key-check"),
        "mac": mac,
        "rules": {k: _parse_rule(k, entries[k]) for k, _ in FIELDS if k in entries},
        "entries": entries,
    }
    _check_kdf(d["kdf"])
    if d["devid_type"] not in ("imei", "meid", "esn", "opaque"):
        raise ValueError("unknown devid-type %r" % d["devid_type"])
    if not _ID_RE.fullmatch(d["id"]):
        raise ValueError("id %r is not [A-Za-z0-9._-]{1,64}" % d["id"])
    return d


def devid_matches(patterns, dev):
    """Spec §4.4: exact normalized DevID, or a prefix ending in '*'."""
    for p in patterns:
        if p.endswith("*") and dev.startswith(p[:-1]):
            return True
        if p == dev:
            return True
    return False


def _field_value(rule, kdf, BK, label, sid, devid_type, dev):
    kind = rule[0]
    if kind == "devid":
        return dev
    if kind == "template":
        # One pass, so a DevID that itself contains "{devid-value}" (opaque
        # DevIDs may) is never substituted a second time.
        values = {"{devid}": dev, "{devid-value}": devid_value(devid_type, dev)}
        v = _PLACEHOLDER_RE.sub(lambda m: values[m.group(0)], rule[1])
        if len(v.encode("utf-8")) > 512:
            raise ValueError("%s: value longer than 512 bytes" % label)
        return v
    if kind == "bytes":
        return encode_bytes(field_stream(kdf, BK, label, sid, dev, rule[1]), rule[2])
    return _derive_chars(kdf, BK, label, sid, dev, rule[1], rule[2])


def derive_account(descriptor_text, key=None, batch_key=None, *, devid):
    """One device's account: {devid, name, client_secret, server_secret (str),
    client_nonce, server_nonce (bytes)}; fields the descriptor leaves out are
    absent. Give exactly one of key (master key) and batch_key."""
    d = parse_descriptor(descriptor_text)
    if (key is None) == (batch_key is None):
        raise ValueError("give exactly one of key and batch_key")
    if key is not None:
        BK = _compute_batch_key(d["kdf"], key, d["id"])
    else:
        BK = bytes(batch_key)
        if len(BK) != 32:
            raise ValueError("batch key must be 32 bytes, got %d" % len(BK))
    if d["key_check"] is not None:  # spec §2.6: compare first, stop on mismatch
        got = key_check(d["kdf"], BK, d["server_id"])
        if got != d["key_check"]:
            raise ValueError("key check mismatch: descriptor has %s, key gives %s"
                             % (d["key_check"], got))
    dev = normalize_devid(d["devid_type"], devid)
    if not devid_matches(d["devid_match"], dev):
        raise ValueError("DevID %s is not covered by devid-match" % dev)
    account = {"devid": dev}
    for field, out_key in FIELDS:
        rule = d["rules"].get(field)
        if rule is not None:
            account[out_key] = _field_value(rule, d["kdf"], BK, field, d["server_id"],
                                            d["devid_type"], dev)
    return account


# ---------------------------------------------------------------------------
# OMA DM credentials (design brief §6). B64 = RFC 4648 §4, padded.

def _b64(data):
    return base64.b64encode(data).decode("ascii")


def _md5(data):
    try:
        return hashlib.md5(data, usedforsecurity=False).digest()
    except TypeError:  # a Python without usedforsecurity
        return hashlib.md5(data).digest()


def _utf8(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


def auth_basic(name, secret):
    """syncml:auth-basic = B64(name ":" secret)."""
    return _b64(_utf8(name) + b":" + _utf8(secret))


def auth_md5(name, secret, nonce):
    """syncml:auth-md5 = B64(MD5(B64(MD5(name ":" secret)) ":" nonce)),
    nonce as raw bytes."""
    inner = _b64(_md5(_utf8(name) + b":" + _utf8(secret))).encode("ascii")
    return _b64(_md5(inner + b":" + bytes(nonce)))


def auth_hmac(name, secret, nonce, body):
    """x-syncml-hmac mac =
    B64(MD5(B64(MD5(name ":" secret)) ":" nonce ":" B64(MD5(body))))."""
    inner = _b64(_md5(_utf8(name) + b":" + _utf8(secret))).encode("ascii")
    body_digest = _b64(_md5(bytes(body))).encode("ascii")
    return _b64(_md5(inner + b":" + bytes(nonce) + b":" + body_digest))


# ---------------------------------------------------------------------------
# Key files and the command line

def decode_key_text(text, batch=False):
    """A key file: 32 to 128 hex digits (either case) on one line, optionally
    one LF or CRLF after it. A batch key file holds exactly 64 hex digits."""
    m = re.fullmatch(r"([0-9A-Fa-f]+)(\r?\n)?", text)
    if not m or len(m.group(1)) % 2:
        raise ValueError("a key file holds an even number of hex digits on one line")
    n = len(m.group(1))
    if batch and n != 64:
        raise ValueError("a batch key file holds 64 hex digits, got %d" % n)
    if not 32 <= n <= 128:
        raise ValueError("a key file holds 32 to 128 hex digits, got %d" % n)
    return bytes.fromhex(m.group(1))


def _read_key(path, batch):
    with open(path, "r", encoding="ascii", newline="") as f:
        return decode_key_text(f.read(), batch)


def _account_json(account):
    out = {}
    for k in ("devid", "name", "client_secret", "server_secret", "client_nonce", "server_nonce"):
        if k in account:
            v = account[k]
            out[k] = _b64(v) if isinstance(v, bytes) else v
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="dmboot_ref.py",
                                 description="dmboot reference implementation (docs/spec.md)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("derive", "batch-key", "key-check", "mac"):
        p = sub.add_parser(name)
        p.add_argument("--descriptor", required=True, metavar="FILE")
        g = p.add_mutually_exclusive_group(required=True)
        g.add_argument("--key", metavar="FILE", help="master key file (hex)")
        if name not in ("batch-key", "mac"):
            g.add_argument("--batch-key", metavar="FILE", help="batch key file (hex)")
        if name == "derive":
            p.add_argument("devids", nargs="+", metavar="DEVID")
    args = ap.parse_args(argv)
    try:
        with open(args.descriptor, "rb") as f:
            text = f.read()
        d = parse_descriptor(text)
        key = _read_key(args.key, False) if args.key else None
        bk_file = getattr(args, "batch_key", None)
        bk = _read_key(bk_file, True) if bk_file else batch_key(d["kdf"], key, d["id"])
        if args.cmd == "batch-key":
            print(bk.hex())
        elif args.cmd == "key-check":
            print(key_check(d["kdf"], bk, d["server_id"]))
        elif args.cmd == "mac":
            print(_b64(descriptor_mac(text, d["kdf"], key, d["id"])))
        else:
            # all or nothing: derive every device before printing any
            lines = []
            for dev in args.devids:
                try:
                    acc = derive_account(text, batch_key=bk, devid=dev)
                except ValueError as e:
                    raise ValueError("DevID %r: %s" % (dev, e)) from None
                lines.append(json.dumps(_account_json(acc)))
            for line in lines:
                print(line)
    except (OSError, ValueError) as e:
        print("dmboot_ref: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
