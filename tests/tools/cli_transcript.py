#!/usr/bin/env python3
"""A transcript of the dmboot command on the shared vectors, to compare
builds byte for byte:

    cli_transcript.py --dmboot PATH [--vectors DIR] [--out FILE]

It runs the command (PATH may be a wrapper that starts an emulator, such as
<build>/dmboot-emulated of a cross build) on every case of tests/vectors
(derivation, descriptors, DevIDs, authentication, credentials), the
registry and first-contact checks built on them, and every --help, and
writes each run as its command line, exit status, standard output and
standard error, plus the files it wrote. The runs take place in a temporary
directory with relative file names, under LC_ALL=C and TZ=UTC, with fixed
times (--at), so two builds of the same sources must give the same bytes:
scripts/check-cross compares armhf and s390x with this machine's build.

The values are not judged here (the CTest suites do that); only sameness is.
Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
AT = "2027-06-01T00:00:00Z"  # inside every validity window the vectors use


class Transcript:
    def __init__(self, dmboot: str, work: Path):
        self.dmboot = dmboot
        self.work = work
        self.out = bytearray()
        self.runs = 0
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}

    def text(self, line: str) -> None:
        self.out += line.encode("utf-8") + b"\n"

    def write(self, name: str, data, mode: int = 0o644) -> str:
        p = self.work / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.exists():
            p.unlink()
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        p.chmod(mode)
        return name

    def run(self, *args: str, stdin: bytes = b"", files: Optional[str] = None) -> bytes:
        """Run dmboot ARGS; record the run (and the files under `files`)."""
        self.runs += 1
        p = subprocess.run([self.dmboot, *args], input=stdin, capture_output=True, cwd=self.work,
                           env=self.env, timeout=120)
        self.text("$ dmboot " + " ".join(shlex.quote(a) for a in args)
                  + (" < (%d bytes)" % len(stdin) if stdin else ""))
        self.text("exit %d" % p.returncode)
        for name, data in (("stdout", p.stdout), ("stderr", p.stderr)):
            if data:
                self.text("--- %s (%d bytes)" % (name, len(data)))
                self.out += data + (b"" if data.endswith(b"\n") else b"\n[no final newline]\n")
        if files:
            d = self.work / files
            for f in sorted(d.rglob("*")) if d.is_dir() else []:
                self.text("--- file %s (mode %o, %d bytes)" % (f.relative_to(self.work),
                                                             f.stat().st_mode & 0o777,
                                                             f.stat().st_size))
                self.out += f.read_bytes() + b"\n"
        return p.stdout


def commands(t: Transcript) -> List[List[str]]:
    """Every command and subcommand named in `dmboot --help`."""
    help_text = t.run("--help").decode("utf-8")
    cmds, inside = [], False
    for line in help_text.splitlines():
        if line.startswith("commands:"):
            inside = True
            continue
        if inside and not line.strip():
            break
        if inside:
            words = line.split("  ")[0].split()
            cmds.append(words)
    return cmds


def help_runs(t: Transcript) -> None:
    t.text("## help and usage")
    for cmd in commands(t):
        t.run(*cmd, "--help")
    t.run()
    t.run("no-such-command")
    t.run("derive", "--no-such-option")


def derivation(t: Transcript, vectors: Path) -> List[Dict]:
    t.text("## derivation.json")
    cases = json.loads((vectors / "derivation.json").read_text(encoding="utf-8"))["accounts"]
    for i, c in enumerate(cases):
        t.text("# %s" % c["name"])
        d = t.write("d%d.desc" % i, c["descriptor"])
        k = t.write("k%d" % i, c["key"] + "\n", 0o600)
        bk = t.write("bk%d" % i, c["batch_key"] + "\n", 0o600)
        inputs = [dev["input"] for dev in c["devices"]]
        t.run("key", "batch", "--descriptor", d, "--key", k)
        t.run("key", "check", "--descriptor", d, "--key", k)
        t.run("key", "check", "--descriptor", d, "--batch-key", bk)
        t.run("derive", "--descriptor", d, "--key", k, *inputs)
        t.run("derive", "--descriptor", d, "--batch-key", bk, "--format", "csv", *inputs)
        t.run("derive", "--descriptor", d, "--key", k,
              stdin=("\n".join(inputs) + "\n\n").encode("utf-8"))
        for fmt in ("tnds", "w7"):
            t.run("derive", "--descriptor", d, "--key", k, "--format", fmt,
                  "--out-dir", "%s%d" % (fmt, i), *inputs, files="%s%d" % (fmt, i))
    return cases


def descriptors(t: Transcript, vectors: Path) -> None:
    t.text("## descriptors.json")
    data = json.loads((vectors / "descriptors.json").read_text(encoding="utf-8"))
    for kind in ("valid", "invalid"):
        for i, c in enumerate(data[kind]):
            t.text("# %s: %s" % (kind, c["name"]))
            text = c["text"] if "text" in c else base64.b64decode(c["text_base64"])
            d = t.write("desc-%s-%d.desc" % (kind, i), text)
            t.run("verify", "--descriptor", d, "--allow-unauthenticated", "--at", AT)


def devids(t: Transcript, vectors: Path) -> None:
    t.text("## devids.json")
    cases = json.loads((vectors / "devids.json").read_text(encoding="utf-8"))["cases"]
    key = t.write("devid-key", "11" * 32 + "\n", 0o600)
    for kind in sorted({c["type"] for c in cases}):
        d = t.write("devid-%s.desc" % kind,
                    "dmboot-descriptor: 1\nid: devids-%s\nissuer: T\ndevid-type: %s\n"
                    "devid-match: *\nserver-id: dm.example\nserver-addr: https://dm.example/\n"
                    "name: devid\nclient-secret: derive bytes 16 hex\n" % (kind, kind))
        good = [c["input"] for c in cases if c["type"] == kind and "normalized" in c]
        t.run("derive", "--descriptor", d, "--key", key, "--", *good)
        for c in cases:
            if c["type"] == kind and "normalized" not in c:
                t.run("derive", "--descriptor", d, "--key", key, "--", c["input"])


def authentication(t: Transcript, vectors: Path) -> None:
    t.text("## authentication.json")
    data = json.loads((vectors / "authentication.json").read_text(encoding="utf-8"))
    for i, c in enumerate(data["cases"]):
        t.text("# %s" % c["name"])
        d = t.write("auth%d.desc" % i, c["descriptor"])
        k = t.write("auth%d.key" % i, c["key"] + "\n", 0o600)
        t.run("key", "check", "--descriptor", d, "--key", k)
        t.run("sign", "--descriptor", d, "--key", k, "--key-check", "--out", "-")
        signed = t.write("auth%d-signed.desc" % i, t.run("sign", "--descriptor", d, "--key", k,
                                                         "--out", "-"))
        t.run("verify", "--descriptor", signed, "--key", k, "--at", AT)
        t.run("verify", "--descriptor", d, "--key", k, "--at", AT)
    for i, c in enumerate(data["signature"]):
        t.text("# %s" % c["name"])
        d = t.write("sig%d.desc" % i, c["descriptor"])
        priv = t.write("sig%d.pem" % i, c["private_key_pem"], 0o600)
        pub = t.write("sig%d.pub" % i, c["public_key_pem"])
        t.run("verify", "--descriptor", d, "--issuer-key", pub, "--at", AT)
        t.run("verify", "--descriptor", d, "--issuer-key", pub, "--require-mac", "--at", AT)
        t.run("sign", "--descriptor", d, "--signing-key", priv, "--out", "-")


def credentials(t: Transcript, vectors: Path) -> None:
    t.text("## credentials.json")
    for i, c in enumerate(json.loads((vectors / "credentials.json").read_text(
            encoding="utf-8"))["cases"]):
        t.text("# %s" % c["case"])
        s = t.write("cred%d.secret" % i, c["secret"] + "\n", 0o600)
        n = t.write("cred%d.name" % i, c["name"] + "\n")
        args = ["auth", c["type"], "--name-file", n, "--secret-file", s]
        if c["type"] != "basic":
            args += ["--nonce", c["nonce"]]
        if c["type"] == "hmac":
            args += ["--body", t.write("cred%d.body" % i, base64.b64decode(c["body"]))]
        t.run(*args)
        if c["type"] == "hmac":
            t.run(*args, "--mac-only")


def registry_and_first_contact(t: Transcript, cases: List[Dict]) -> None:
    t.text("## registry and first contact (derivation.json)")
    lookups = []
    for i, c in enumerate(cases):
        t.run("registry", "add", "--registry", "reg", "--descriptor", "d%d.desc" % i,
              "--key", "k%d" % i, "--allow-unauthenticated", "--ignore-validity")
        lookups += [dev["input"] for dev in c["devices"]]
    t.run("registry", "list", "--registry", "reg")
    t.run("registry", "lookup", "--registry", "reg", *lookups)
    for i, c in enumerate(cases):
        dev = c["devices"][0]
        if "client_secret" not in dev or "client_nonce" not in dev:
            continue
        t.text("# first contact: %s" % dev["devid"])
        s = t.write("fc%d.secret" % i, dev["client_secret"] + "\n", 0o600)
        name = dev.get("name", dev["devid"])
        md5 = t.run("auth", "md5", "--name", name, "--secret-file", s,
                    "--nonce", dev["client_nonce"]).decode("utf-8").strip()
        for source in (["--descriptor", "d%d.desc" % i], ["--registry", "reg"]):
            t.run("auth", "check", *source, "--key", "k%d" % i, "--devid", dev["input"],
                  "--cred-type", "syncml:auth-md5", "--cred-data", md5, "--loc-name", name)
        t.run("auth", "check", "--descriptor", "d%d.desc" % i, "--key", "k%d" % i,
              "--devid", dev["input"], "--cred-type", "syncml:auth-md5",
              "--cred-data", "AAAAAAAAAAAAAAAAAAAAAA==", "--loc-name", name)
        t.run("auth", "check", "--descriptor", "d%d.desc" % i, "--key", "k%d" % i,
              "--devid", dev["input"], "--cred-type", "syncml:auth-basic",
              "--cred-data-file", t.write("fc%d.basic" % i, base64.b64encode(
                  ("%s:%s" % (name, dev["client_secret"])).encode("utf-8")) + b"\n"))


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dmboot", required=True, help="the command (or a wrapper that runs it)")
    ap.add_argument("--vectors", type=Path, default=HERE.parent / "vectors")
    ap.add_argument("--out", type=Path, help="write the transcript here (default: stdout)")
    a = ap.parse_args(argv)
    dmboot = os.path.abspath(a.dmboot)
    with tempfile.TemporaryDirectory(prefix="dmboot-transcript.") as tmp:
        t = Transcript(dmboot, Path(tmp))
        help_runs(t)
        cases = derivation(t, a.vectors)
        descriptors(t, a.vectors)
        devids(t, a.vectors)
        authentication(t, a.vectors)
        credentials(t, a.vectors)
        registry_and_first_contact(t, cases)
    if a.out:
        a.out.write_bytes(bytes(t.out))
    else:
        sys.stdout.buffer.write(bytes(t.out))
    print("cli_transcript: %d runs, %d bytes" % (t.runs, len(t.out)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
