#!/usr/bin/env python3
"""Derivation speed of the Python binding, side by side with pure Python.

Prints devices per second, in one run and on the same DevIDs, for:

  Descriptor.derive     one call per device, a fresh deriver each time
  Deriver.derive        one call into C per device, one deriver reused
  derive_many           one call into C per chunk of DevIDs (the bulk path)
  stdlib, tight         the same derivation in pure Python (hmac.digest,
                        descriptor parsed and batch key computed once)
  stdlib, dmboot_ref    tests/tools/dmboot_ref.py's derive_account as written
                        (reparses the descriptor per device)

and the ratios to the tight pure-Python loop. Before timing, every
implementation's accounts are checked equal on the first DevIDs.

Run it against the build tree or an installed package:

    PYTHONPATH=build/python python3 bench/bench_python.py [--count N] [--repeat R]
"""

import argparse
import hmac
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tools"))

import dmboot  # noqa: E402
import dmboot_ref  # noqa: E402  (standard library only)

FIELD_KEYS = ("devid", "name", "client_secret", "server_secret", "client_nonce", "server_nonce")


def make_devids(count):
    """IMEIs under the example descriptor's devid-match IMEI:35209911*."""
    out = []
    for i in range(count):
        payload = "35209911%06d" % i
        out.append(payload + dmboot_ref.luhn_check_digit(payload))
    return out


def stdlib_deriver(text, key):
    """The derivation of docs/spec.md in plain Python, as fast as it is
    straightforward to write: parse once, batch key once, then per device
    normalize the DevID and read each field's stream block by block with
    hmac.digest (OpenSSL's one-shot HMAC behind the standard library)."""
    d = dmboot_ref.parse_descriptor(text)
    kdf, sid, dtype = d["kdf"], d["server_id"].encode(), d["devid_type"]
    bk = dmboot_ref.batch_key(kdf, key, d["id"])
    patterns = d["devid_match"]
    rules = [(label.encode(), out, d["rules"][label]) for label, out in dmboot_ref.FIELDS
             if label in d["rules"]]
    digest = hmac.digest
    hkdf = kdf == "hkdf-sha256"
    l_tail = (65280).to_bytes(4, "big")

    def blocks(label, dev):
        info = label + b"\0" + sid + b"\0" + dev
        if hkdf:
            t = b""
            for i in range(1, 256):
                t = digest(bk, t + info + bytes((i,)), "sha256")
                yield t
        else:
            fixed = info + l_tail
            for i in range(1, 256):
                yield digest(bk, i.to_bytes(4, "big") + fixed, "sha256")

    def derive(devid):
        dev = dmboot_ref.normalize_devid(dtype, devid)
        if not dmboot_ref.devid_matches(patterns, dev):
            raise ValueError("not covered")
        devb = dev.encode()
        acc = {"devid": dev}
        for label, out, rule in rules:
            kind = rule[0]
            if kind == "devid":
                acc[out] = dev
            elif kind == "template":
                value = dmboot_ref.devid_value(dtype, dev)
                acc[out] = rule[1].replace("{devid-value}", "\0").replace(
                    "{devid}", dev).replace("\0", value)
            elif kind == "bytes":
                n, buf = rule[1], b""
                for blk in blocks(label, devb):
                    buf += blk
                    if len(buf) >= n:
                        break
                acc[out] = dmboot_ref.encode_bytes(buf[:n], rule[2])
            else:
                n, alphabet = rule[1], rule[2]
                m = len(alphabet)
                limit = 256 - 256 % m
                chars = []
                for blk in blocks(label, devb):
                    for b in blk:
                        if b < limit:
                            chars.append(alphabet[b % m])
                            if len(chars) == n:
                                break
                    if len(chars) == n:
                        break
                acc[out] = "".join(chars)
        return acc

    return derive


def as_dict(acc):
    if isinstance(acc, dict):
        return {k: acc.get(k) for k in FIELD_KEYS}
    return {k: getattr(acc, k) for k in FIELD_KEYS}


def timed(fn, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=20000, help="DevIDs per run (default 20000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure, best kept (default 3)")
    ap.add_argument("--descriptor", default=str(ROOT / "examples" / "acme-x1.desc"))
    args = ap.parse_args()

    text = Path(args.descriptor).read_text(encoding="utf-8")
    key = bytes(range(1, 33))
    devids = make_devids(args.count)
    d = dmboot.Descriptor.parse(text)
    dv = d.deriver(key=key)
    tight = stdlib_deriver(text, key)

    # Same values everywhere before any figure is printed.
    for devid in devids[:50]:
        want = as_dict(dmboot_ref.derive_account(text, key, devid=devid))
        assert as_dict(d.derive(devid, key=key)) == want, devid
        assert as_dict(dv.derive(devid)) == want, devid
        assert as_dict(tight(devid)) == want, devid
    assert [as_dict(a) for a in d.derive_many(devids[:50], key=key, chunk=7)] == \
        [as_dict(dv.derive(x)) for x in devids[:50]]

    small = devids[: max(1, args.count // 10)]  # the slow ones on fewer devices
    runs = [
        ("Descriptor.derive", small, lambda: [d.derive(x, key=key) for x in small]),
        ("Deriver.derive", devids, lambda: [dv.derive(x) for x in devids]),
        ("derive_many", devids, lambda: sum(1 for _ in d.derive_many(devids, key=key))),
        ("stdlib, tight", devids, lambda: [tight(x) for x in devids]),
        ("stdlib, dmboot_ref", small,
         lambda: [dmboot_ref.derive_account(text, key, devid=x) for x in small]),
    ]
    rates = {}
    for name, ids, fn in runs:
        rates[name] = len(ids) / timed(fn, args.repeat)

    base = rates["stdlib, tight"]
    print(f"dmboot {dmboot.__version__} Python binding, {Path(args.descriptor).name}, "
          f"{args.count} DevIDs, best of {args.repeat}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'':20} {'devices/s':>12} {'us/device':>10} {'vs stdlib, tight':>17}")
    for name, _, _ in runs:
        r = rates[name]
        print(f"{name:20} {r:12,.0f} {1e6 / r:10.2f} {r / base:16.2f}x")
    ratio = rates["derive_many"] / base
    print(f"derive_many is {ratio:.1f}x the pure-Python derivation per device "
          f"(target: at least 5x)")


if __name__ == "__main__":
    main()
