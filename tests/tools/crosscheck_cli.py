#!/usr/bin/env python3
"""Randomized cross-check of the C command against the reference:

    python3 tests/tools/crosscheck_cli.py --dmboot build/cli/dmboot [--trials N] [--seed S]

Each trial writes a random descriptor (either KDF, every DevID type, a random
choice of field rules, sometimes key-check and mac lines), a random master
key (16 to 64 bytes) and its batch key, then runs `dmboot derive` and
`dmboot_ref.py derive` on the same random DevIDs (typed in the accepted
shapes; some trials add one malformed DevID) with --key or --batch-key. The
JSON rows must be equal, and both must fail on the same trials.
Exit status 0 when every trial agrees. Standard library only.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import dmboot_ref as ref  # noqa: E402

NAME_RULES = ["devid", "template {devid}", "template dm-{devid-value}", "derive bytes 8 hex",
              "derive chars 12 alnum", "derive bytes 12 base64url", "derive chars 5 alphabet xyz"]
SECRET_RULES = ["derive bytes 16 base64url", "derive bytes 8 hex", "derive bytes 10 base64",
                "derive chars 20 digits", "derive chars 11 alnum", "derive chars 64 alphabet 01",
                "derive chars 40 alphabet !#$%&()*+,-./:;<=>?@[]^_`{|}~",
                "derive chars 255 alnum", "derive bytes 255 base64"]
PRINTABLE = [chr(c) for c in range(0x21, 0x7F)]


def random_devid(rng, kind):
    """A valid DevID of `kind`, typed in one of the accepted shapes."""
    if kind == "imei":
        body = rng.choice(["", "35209911"])
        body += "".join(rng.choice("0123456789") for _ in range(14 - len(body)))
        d = body + ref.luhn_check_digit(body)
        shape = rng.choice(["{d}", "IMEI:{d}", "imei:{d}", "{a}-{b}-{c}-{e}", "imei:{a}{b} {c}{e}"])
        return shape.format(d=d, a=d[:2], b=d[2:8], c=d[8:14], e=d[14])
    if kind in ("meid", "esn"):
        n = 14 if kind == "meid" else 8
        prefix = rng.choice(["", kind.upper() + ":", kind + ":"])
        return prefix + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(n))
    # not starting with '-', which a command line would take for an option
    first = rng.choice([c for c in PRINTABLE if c != "-"])
    return first + "".join(rng.choice(PRINTABLE) for _ in range(rng.randint(0, 127)))


def random_trial(rng, n):
    kdf = rng.choice(ref.KDFS)
    kind = rng.choice(["imei", "imei", "meid", "esn", "opaque"])
    key = bytes(rng.randrange(256) for _ in range(rng.choice([16, 32, 33, 64])))
    did = "t-%d.x_y" % n
    sid = rng.choice(["dm.operator.example", "a", "x" * 60 + ".example"])
    lines = ["# trial %d" % n, "dmboot-descriptor: 1", "id: " + did, "issuer: T\u00e9st \u2713",
             "devid-type: " + kind,
             "devid-match: " + ("IMEI:35209911* *" if kind == "imei" and rng.random() < .3 else "*")]
    if kdf != "hkdf-sha256" or rng.random() < .5:
        lines.append("kdf: " + kdf)
    bk = ref.batch_key(kdf, key, did)
    if rng.random() < .5:
        lines.append("key-check: " + ref.key_check(kdf, bk, sid))
    lines += ["server-id: " + sid, "server-addr: https://dm.example/dm"]
    for field, rules in (("name", NAME_RULES), ("client-secret", SECRET_RULES),
                         ("server-secret", SECRET_RULES)):
        if rng.random() < .8:
            lines.append("%s: %s" % (field, rng.choice(rules)))
    for field in ("client-nonce", "server-nonce"):
        if rng.random() < .7:
            lines.append("%s: derive bytes %d" % (field, rng.choice([1, 8, 16, 255])))
    text = "\n".join(lines) + "\n"
    if rng.random() < .3:
        text += "mac: hmac-sha256 %s\n" % ref._b64(ref.descriptor_mac(text.encode(), kdf, bk, sid))
    devids = [random_devid(rng, kind) for _ in range(rng.randint(1, 6))]
    if rng.random() < .15:  # one malformed DevID: both must refuse the run
        devids.insert(rng.randrange(len(devids) + 1),
                      rng.choice(["490154203237519", "12345", "MEID:XYZ", "a b", ""]))
    return text, key, bk, devids


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    rows = None
    if r.returncode == 0:
        rows = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    return r.returncode, rows, r.stderr.strip()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dmboot", required=True, help="path to the C dmboot command")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        desc, kf, bkf = (os.path.join(tmp, n) for n in ("d.desc", "k.hex", "bk.hex"))
        for n in range(args.trials):
            text, key, bk, devids = random_trial(rng, n)
            with open(desc, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            with open(kf, "w") as f:
                f.write(key.hex() + "\n")
            with open(bkf, "w") as f:
                f.write(bk.hex() + "\n")
            opt = rng.choice([["--key", kf], ["--batch-key", bkf]])
            c = run([args.dmboot, "derive", "--descriptor", desc] + opt + devids)
            r = run([sys.executable, os.path.join(HERE, "dmboot_ref.py"), "derive",
                     "--descriptor", desc] + opt + devids)
            if (c[0] == 0) != (r[0] == 0) or c[1] != r[1]:
                bad += 1
                print("trial %d (seed %d) differs: %s, DevIDs %r" % (n, args.seed, opt[0], devids))
                print("  descriptor:\n    " + text.rstrip("\n").replace("\n", "\n    "))
                print("  C   exit %d %s" % (c[0], c[1] if c[0] == 0 else c[2]))
                print("  ref exit %d %s" % (r[0], r[1] if r[0] == 0 else r[2]))
    print("crosscheck: %d trials, %d differ" % (args.trials, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
