#!/usr/bin/env python3
"""Recompute every value in tests/vectors/*.json with the independent
reference implementation (dmboot_ref.py) and report any difference.

    python3 tests/tools/check_vectors.py [--vectors DIR]

One line per file (ok / FAILED / skipped (absent)), each mismatch with its
case, field, got and want, then totals. Exit status 0 only when every
present file was checked, had cases, and matched. Standard library only.
The formats are described in tests/vectors/README.md.
"""

import argparse
import base64
import binascii
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmboot_ref as ref  # noqa: E402

ACCOUNT_FIELDS = ("devid", "name", "client_secret", "server_secret", "client_nonce", "server_nonce")


class VectorError(Exception):
    """The vector file itself is malformed (missing key, bad hex, ...)."""


class Checker:
    """Counts compared values and collects failures for one file."""

    def __init__(self):
        self.cases = 0
        self.values = 0
        self.failures = []

    def eq(self, where, field, got, want):
        self.values += 1
        if got != want:
            self.failures.append("%s: %s: got %r, want %r" % (where, field, got, want))

    def fail(self, where, msg):
        self.failures.append("%s: %s" % (where, msg))

    def run_case(self, where, fn, *args):
        """Run one case; a malformed case or a reference error is a failure."""
        self.cases += 1
        try:
            fn(where, *args)
        except VectorError as e:
            self.fail(where, "malformed vector: %s" % e)
        except ValueError as e:
            self.fail(where, "reference implementation rejects it: %s" % e)
        except (TypeError, AttributeError, KeyError) as e:
            self.fail(where, "malformed vector (%s: %s)" % (type(e).__name__, e))


# ----------------------------------------------------------------- helpers

def need(obj, key, kind=str):
    if not isinstance(obj, dict) or key not in obj:
        raise VectorError("missing %r" % key)
    v = obj[key]
    if kind is int and (isinstance(v, bool) or not isinstance(v, int)):
        raise VectorError("%r must be an integer" % key)
    if kind is not int and not isinstance(v, kind):
        raise VectorError("%r must be %s" % (key, kind.__name__))
    return v


def unhex(s, what):
    if not isinstance(s, str) or len(s) % 2 or not re.fullmatch(r"[0-9a-f]*", s):
        raise VectorError("%s is not lowercase hex: %r" % (what, s))
    return bytes.fromhex(s)


def unb64(s, what):
    """Canonical padded base64 (RFC 4648 §4) only."""
    try:
        b = base64.b64decode(s, validate=True)
    except (binascii.Error, TypeError):
        raise VectorError("%s is not base64: %r" % (what, s)) from None
    if base64.b64encode(b).decode("ascii") != s:
        raise VectorError("%s is not canonical base64: %r" % (what, s))
    return b


def g(obj, key):
    """obj[key] for naming a case, None when obj is not a dict."""
    return obj.get(key) if isinstance(obj, dict) else None


def b64(b):
    return base64.b64encode(b).decode("ascii")


def section(doc, key):
    """A list of cases that must be present and non-empty."""
    v = doc.get(key)
    if not isinstance(v, list):
        raise VectorError("top-level %r must be a list" % key)
    if not v:
        raise VectorError("top-level %r has no cases" % key)
    return v


# ----------------------------------------------------------------- published.json

def check_published(doc, ck):
    def rfc5869(where, c):
        ikm, salt, info = (unhex(need(c, k), k) for k in ("ikm", "salt", "info"))
        okm_want = unhex(need(c, "okm"), "okm")
        ck.eq(where, "l", need(c, "l", int), len(okm_want))
        prk = ref.hkdf_extract(salt, ikm)
        ck.eq(where, "prk", prk.hex(), need(c, "prk"))
        ck.eq(where, "okm", ref.hkdf_expand(prk, info, len(okm_want)).hex(), c["okm"])

    def sp800_108(where, c):
        ki, fixed = unhex(need(c, "ki"), "ki"), unhex(need(c, "fixed"), "fixed")
        ko_want = unhex(need(c, "ko"), "ko")
        ck.eq(where, "l_bits", need(c, "l_bits", int), 8 * len(ko_want))
        ck.eq(where, "ko", ref.kbkdf_counter(ki, fixed, len(ko_want)).hex(), c["ko"])

    for i, c in enumerate(section(doc, "rfc5869")):
        ck.run_case("rfc5869[%d] case %s" % (i, g(c, "case")), rfc5869, c)
    for i, c in enumerate(section(doc, "sp800_108_counter_hmac_sha256")):
        ck.run_case("sp800_108_counter_hmac_sha256[%d]" % i, sp800_108, c)


# ----------------------------------------------------------------- derivation.json

def check_derivation(doc, ck):
    kdfs_seen = {"kdf": set(), "accounts": set()}

    def kdf_entry(where, e):
        kdf = need(e, "kdf")
        kdfs_seen["kdf"].add(kdf)
        bk = ref.batch_key(kdf, unhex(need(e, "key"), "key"), need(e, "id"))
        ck.eq(where, "batch_key", bk.hex(), need(e, "batch_key"))
        kc = need(e, "key_check", dict)
        ck.eq(where, "key_check", ref.key_check(kdf, bk, need(kc, "server_id")), need(kc, "value"))
        mk = need(e, "mac_key", dict)
        ck.eq(where, "mac_key", ref.mac_key(kdf, unhex(e["key"], "key"), e["id"]).hex(),
              need(mk, "value"))
        streams = need(e, "streams", list)
        if not streams:
            raise VectorError("'streams' is empty")
        for j, s in enumerate(streams):
            w = "%s streams[%d] label %r" % (where, j, g(s, "label"))
            want = unhex(need(s, "stream"), "stream")
            n = need(s, "length", int)
            ck.eq(w, "length", n, len(want))
            got = ref.field_stream(kdf, bk, need(s, "label"), need(s, "server_id"), need(s, "devid"), n)
            ck.eq(w, "stream", got.hex(), s["stream"])

    def account(where, a):
        text = need(a, "descriptor")
        d = ref.parse_descriptor(text)
        kdfs_seen["accounts"].add(d["kdf"])
        key = unhex(need(a, "key"), "key")
        bk = ref.batch_key(d["kdf"], key, d["id"])
        ck.eq(where, "batch_key", bk.hex(), need(a, "batch_key"))
        ck.eq(where, "key_check", ref.key_check(d["kdf"], bk, d["server_id"]), need(a, "key_check"))
        if d["mac"] is not None:
            mac = ref.descriptor_mac(text.encode("utf-8"), d["kdf"], key, d["id"])
            ck.eq(where, "descriptor's mac line", b64(mac), d["mac"])
        devices = need(a, "devices", list)
        if not devices:
            raise VectorError("'devices' is empty")
        for j, dv in enumerate(devices):
            w = "%s devices[%d] input %r" % (where, j, g(dv, "input"))
            try:
                acc = ref.derive_account(text, key=key, devid=need(dv, "input"))
            except ValueError as e:
                ck.fail(w, "reference implementation rejects it: %s" % e)
                continue
            except VectorError as e:
                ck.fail(w, "malformed vector: %s" % e)
                continue
            for field in ACCOUNT_FIELDS:
                got = acc.get(field)
                if isinstance(got, bytes):
                    got = b64(got)
                ck.eq(w, field, got, dv.get(field))  # absent on both sides: None == None

    for i, e in enumerate(section(doc, "kdf")):
        ck.run_case("kdf[%d] %r" % (i, g(e, "name")), kdf_entry, e)
    for i, a in enumerate(section(doc, "accounts")):
        ck.run_case("accounts[%d] %r" % (i, g(a, "name")), account, a)
    for sec, seen in kdfs_seen.items():
        for kdf in ref.KDFS:
            if kdf not in seen:
                ck.fail("'%s'" % sec, "no case uses kdf %s (both KDFs must be covered)" % kdf)


# ----------------------------------------------------------------- devids.json

def check_devids(doc, ck):
    def case(where, c):
        kind, text = need(c, "type"), need(c, "input")
        if "error" in c:
            if c["error"] != "devid" or "normalized" in c:
                raise VectorError("an error case has \"error\": \"devid\" and no \"normalized\"")
            ck.values += 1
            try:
                got = ref.normalize_devid(kind, text)
            except ValueError:
                return
            ck.fail(where, "got normalized %r, want an error" % got)
        else:
            want = need(c, "normalized")
            try:
                got = ref.normalize_devid(kind, text)
            except ValueError as e:
                ck.values += 1
                ck.fail(where, "got error %r, want %r" % (str(e), want))
                return
            ck.eq(where, "normalized", got, want)

    for i, c in enumerate(section(doc, "cases")):
        ck.run_case("cases[%d] %s %r" % (i, g(c, "type"), g(c, "input")), case, c)


# ----------------------------------------------------------------- credentials.json

def check_credentials(doc, ck):
    def case(where, c):
        kind, name, secret = need(c, "type"), need(c, "name"), need(c, "secret")
        if kind == "basic":
            got = ref.auth_basic(name, secret)
        elif kind == "md5":
            got = ref.auth_md5(name, secret, unb64(need(c, "nonce"), "nonce"))
        elif kind == "hmac":
            got = ref.auth_hmac(name, secret, unb64(need(c, "nonce"), "nonce"),
                                unb64(need(c, "body"), "body"))
        else:
            raise VectorError("unknown type %r" % kind)
        ck.eq(where, "value", got, need(c, "value"))

    for i, c in enumerate(section(doc, "cases")):
        ck.run_case("cases[%d] %s %r" % (i, g(c, "type"), g(c, "name")), case, c)


# ----------------------------------------------------------------- authentication.json

def check_authentication(doc, ck):
    def case(where, c):
        text = need(c, "descriptor")
        d = ref.parse_descriptor(text)
        kdf = c.get("kdf", d["kdf"])
        ck.eq(where, "kdf (case vs descriptor)", kdf, d["kdf"])
        key = None
        if "key" in c:
            key = unhex(c["key"], "key")
            bk = ref.batch_key(kdf, key, d["id"])
            if "batch_key" in c:
                ck.eq(where, "batch_key", bk.hex(), c["batch_key"])
        elif "batch_key" in c:
            bk = unhex(c["batch_key"], "batch_key")
        else:
            raise VectorError("neither 'key' nor 'batch_key'")
        before = ck.values
        if "key_check" in c:
            ck.eq(where, "key_check", ref.key_check(kdf, bk, d["server_id"]), c["key_check"])
        if key is None:
            if "mac" in c or d["mac"] is not None or "mac_key" in c:
                raise VectorError("a MAC needs the master key 'key' (spec §2.7: a batch key "
                                  "cannot make or check it)")
            if ck.values == before:
                raise VectorError("nothing to check (no key_check, mac or mac line)")
            return
        if "mac_key" in c:
            ck.eq(where, "mac_key", ref.mac_key(kdf, key, d["id"]).hex(), c["mac_key"])
        mac = b64(ref.descriptor_mac(text.encode("utf-8"), kdf, key, d["id"]))
        if "mac" in c:
            ck.eq(where, "mac", mac, c["mac"])
        if d["mac"] is not None:
            if c.get("valid", True) is False:  # a tampered descriptor: must not verify
                ck.values += 1
                if d["mac"] == mac:
                    ck.fail(where, "the descriptor's mac line verifies, but the case says valid: false")
            else:
                ck.eq(where, "descriptor's mac line", d["mac"], mac)
        if ck.values == before:
            raise VectorError("nothing to check (no key_check, mac or mac line)")

    for i, c in enumerate(section(doc, "cases")):
        ck.run_case("cases[%d]" % i, case, c)


# ----------------------------------------------------------------- main

FILES = (
    ("published.json", check_published),
    ("derivation.json", check_derivation),
    ("devids.json", check_devids),
    ("credentials.json", check_credentials),
    ("authentication.json", check_authentication),
)


def _no_duplicate_keys(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise VectorError("duplicate JSON key %r" % k)
        obj[k] = v
    return obj


def check_file(path, fn):
    ck = Checker()
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f, object_pairs_hook=_no_duplicate_keys)
        if not isinstance(doc, dict):
            raise VectorError("top level must be a JSON object")
        fn(doc, ck)
    except (OSError, ValueError, VectorError) as e:  # json errors are ValueErrors
        ck.fail("file", str(e))
    except (TypeError, AttributeError, KeyError) as e:
        ck.fail("file", "malformed (%s: %s)" % (type(e).__name__, e))
    if ck.cases == 0 and not ck.failures:
        ck.fail("file", "no cases")
    return ck


def main(argv=None):
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vectors", default=os.path.normpath(default), metavar="DIR",
                    help="directory holding the vector files (default: tests/vectors)")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.vectors):
        print("check_vectors: %s is not a directory" % args.vectors, file=sys.stderr)
        return 2

    checked = skipped = failed = values = mismatches = 0
    for name, fn in FILES:
        path = os.path.join(args.vectors, name)
        if not os.path.exists(path):
            print("%-20s skipped (absent)" % name)
            skipped += 1
            continue
        ck = check_file(path, fn)
        checked += 1
        values += ck.values
        if ck.failures:
            failed += 1
            mismatches += len(ck.failures)
            print("%-20s FAILED: %d problem(s); %d cases, %d values compared"
                  % (name, len(ck.failures), ck.cases, ck.values))
            for line in ck.failures:
                print("    " + line)
        else:
            print("%-20s ok: %d cases, %d values compared" % (name, ck.cases, ck.values))
    print("total: %d file(s) checked, %d skipped, %d failed; %d values compared, %d problem(s)"
          % (checked, skipped, failed, values, mismatches))
    if checked == 0:
        print("check_vectors: no vector file found in %s" % args.vectors, file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
