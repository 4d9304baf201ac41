#!/usr/bin/env python3
"""The whole mission on one machine: operator, manufacturer, factory, DM
server and devices, each with only what it would hold in real life.

    run.py --build BUILD_DIR [--devices N] [--work DIR] [--keep]

BUILD_DIR is a CMake build of dmboot with the Python module and a Lua module
(scripts/demo makes one). Everything is created fresh under --work (default
BUILD_DIR/../demo), the server listens on 127.0.0.1 and is stopped at the
end, whatever happens. Prints a summary; exits 0 only when every provisioned
device was authenticated (and authenticated the server), and every negative
case was refused.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

DESCRIPTOR = """\
# ACME X1, week {week}: written by ACME, sent to the operator
dmboot-descriptor: 1
id: acme-x1-2026w{week}
issuer: ACME Devices Ltd
not-before: {today}
not-after: {until}
devid-type: imei
devid-match: IMEI:{prefix}*
kdf: {kdf}
key-id: operator-acme-2026
server-id: dm.operator.example
server-name: Operator DM
server-addr: {url}
auth-pref: {auth}
client-auth-type: {auth}
server-auth-type: {auth}
name: devid
client-secret: derive bytes 16 base64url
server-secret: derive chars 20 alnum
client-nonce: derive bytes 16
server-nonce: derive bytes 16
"""

# Two batches the factory makes (one per client authentication), and one
# that is altered on its way to the operator.
BATCHES = [
    {"week": "48", "prefix": "35209911", "kdf": "hkdf-sha256", "auth": "HMAC"},
    {"week": "49", "prefix": "35209912", "kdf": "kbkdf-hmac-sha256", "auth": "DIGEST"},
]
TAMPERED = {"week": "50", "prefix": "35209913", "kdf": "hkdf-sha256", "auth": "HMAC"}


def step(text: str) -> None:
    print(f"== {text}", flush=True)


class Scenario:
    def __init__(self, build: Path, work: Path, devices: int, lua: str) -> None:
        self.build, self.work, self.n, self.lua = build, work, devices, lua
        self.dmboot = str(build / "cli" / "dmboot")
        lua_dir = build / "lua" / ("luajit" if "luajit" in lua else lua.replace("lua", ""))
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(build / "python")
        self.env["LUA_PATH"] = f"{ROOT}/lua/?.lua;;"
        self.env["LUA_CPATH"] = f"{lua_dir}/?.so;;"
        self.server: Optional[subprocess.Popen] = None
        self.times: Dict[str, float] = {}

    def run(self, *cmd: str, stdin: Optional[str] = None) -> str:
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=self.env)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
        return p.stdout

    def d(self, *parts: str) -> Path:
        p = self.work.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    # ---- the people ------------------------------------------------------

    def operator_keys(self) -> None:
        step("operator: a master key, and an issuer key pair for the manufacturer")
        self.run(self.dmboot, "key", "new", "--out", str(self.d("operator", "master.key")))
        self.run(self.dmboot, "key", "pair", "--out-private", str(self.d("operator", "acme-issuer.key")),
                 "--out-public", str(self.d("operator", "acme-issuer.pub")))
        # handed over once, out of band: the master key and the private key
        for name in ("master.key", "acme-issuer.key"):
            shutil.copy2(self.d("operator", name), self.d("manufacturer", name))
        os.remove(self.d("operator", "acme-issuer.key"))  # the operator keeps the public key

    def manufacturer_descriptors(self, url: str) -> List[str]:
        step("manufacturer: a descriptor per batch, signed with the issuer key, with key-check and MAC")
        today = datetime.datetime.now(datetime.timezone.utc).date()
        until = today.replace(year=today.year + 5)
        ids = []
        for b in BATCHES + [TAMPERED]:
            desc = self.d("manufacturer", f"acme-x1-2026w{b['week']}.desc")
            desc.write_text(DESCRIPTOR.format(today=today, until=until, url=url, **b))
            self.run(self.dmboot, "sign", "--descriptor", str(desc),
                     "--key", str(self.d("manufacturer", "master.key")),
                     "--signing-key", str(self.d("manufacturer", "acme-issuer.key")), "--key-check")
            ids.append(f"acme-x1-2026w{b['week']}")
        # to the operator: the descriptors (and the issuer's public key) only
        for b in BATCHES:
            shutil.copy2(self.d("manufacturer", f"acme-x1-2026w{b['week']}.desc"),
                         self.d("operator", "inbox", f"acme-x1-2026w{b['week']}.desc"))
        text = self.d("manufacturer", f"acme-x1-2026w{TAMPERED['week']}.desc").read_text()
        # altered on the way: the devices of this batch would call another server
        self.d("operator", "inbox", f"acme-x1-2026w{TAMPERED['week']}.desc").write_text(
            text.replace(url, url.replace("/dm", "/evil"), 1))
        # to each factory line: its descriptor and its batch key, never the master key
        for b in BATCHES:
            name = f"acme-x1-2026w{b['week']}"
            shutil.copy2(self.d("manufacturer", f"{name}.desc"), self.d("factory", f"{name}.desc"))
            self.run(self.dmboot, "key", "batch", "--descriptor", str(self.d("factory", f"{name}.desc")),
                     "--key", str(self.d("manufacturer", "master.key")),
                     "--out", str(self.d("factory", f"{name}.key")))
        return ids

    def factory(self) -> int:
        step(f"factory (Lua): derive and write the TNDS bootstrap document of {self.n} devices, "
             "from the batch keys")
        t = time.monotonic()
        # one more than asked: that device's secret is altered later
        counts = [self.n - self.n // 2 + 1, self.n // 2]
        for b, count in zip(BATCHES, counts):
            name = f"acme-x1-2026w{b['week']}"
            out = self.run(self.lua, str(HERE / "factory.lua"), str(self.d("factory", f"{name}.desc")),
                           str(self.d("factory", f"{name}.key")), str(self.d("devices", "x").parent),
                           "1", str(count))
            print("  " + out.strip())
        self.times["factory"] = time.monotonic() - t
        return sum(counts) - 1

    def start_server(self, port: int) -> None:
        step("DM server (Python): import the descriptors after verifying them, then serve")
        inbox = sorted(self.d("operator", "inbox", "x").parent.glob("*.desc"))
        cmd = [sys.executable, str(HERE / "dm_server.py"),
               "--registry", str(self.d("operator", "registry", "x").parent),
               "--key", str(self.d("operator", "master.key")),
               "--issuer-key", str(self.d("operator", "acme-issuer.pub")),
               "--port", str(port), "--log", str(self.d("server.log"))]
        for path in inbox:
            cmd += ["--import", str(path)]
        self.server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=self.env)
        line = self.server.stdout.readline() if self.server.stdout else ""
        if not line.startswith("listening on"):
            self.stop_server()
            raise SystemExit("the DM server did not start:\n" + self.d("server.log").read_text())
        print("  " + line.strip())

    def stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGINT)
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        self.server = None

    def negative_devices(self) -> List[str]:
        """The extra device, its client secret altered by one character, and
        one outside every devid-match (its document copied from another)."""
        devices = sorted(p for p in self.d("devices", "x").parent.iterdir() if p.is_dir())
        wrong = self.d("negative", "wrong-secret", "x").parent
        shutil.rmtree(wrong, ignore_errors=True)
        extra = [d for d in devices if d.name.startswith("IMEI_" + BATCHES[0]["prefix"])][-1]
        shutil.move(str(extra), wrong)
        doc = (wrong / "bootstrap.xml").read_text()
        clcred = doc.index("<NodeName>CLCRED</NodeName>")
        m = re.compile(r"(AAuthSecret</NodeName><Value>)([^<]+)").search(doc, clcred)
        assert m is not None
        secret = m.group(2)
        altered = ("B" if secret[0] != "B" else "C") + secret[1:]
        (wrong / "bootstrap.xml").write_text(doc[:m.start(2)] + altered + doc[m.end(2):])
        outside = self.d("negative", "outside", "x").parent
        shutil.copytree(devices[0], outside, dirs_exist_ok=True)
        (outside / "devid.txt").write_text("IMEI:490154203237518\n")
        return [str(wrong), str(outside)]

    def devices(self, negatives: List[str], url: str, jobs: int) -> List[str]:
        step("devices (Lua): read the document, send package 1 (XML or WBXML, HMAC or md5), "
             "check the server")
        dirs = sorted(p for p in self.d("devices", "x").parent.iterdir() if p.is_dir())
        lines = []
        for i, p in enumerate(dirs):
            opts = []
            if i % 3 == 0:
                opts.append("wbxml")  # real clients mostly send WBXML
            if i % 8 == 5:
                opts.append("nocred")  # waits for the server's challenge
            lines.append(f"{p} {' '.join(opts)}")
        lines += [f"{negatives[0]} wbxml", f"{negatives[1]}"]
        t = time.monotonic()
        chunks = [lines[k::jobs] for k in range(jobs)]
        procs = []
        for k, chunk in enumerate(chunks):
            self.d(f"devices-{k}.in").write_text("\n".join(chunk) + "\n")
            with open(self.d(f"devices-{k}.in")) as fin, open(self.d(f"devices-{k}.out"), "w") as fout:
                procs.append(subprocess.Popen([self.lua, str(HERE / "device.lua"), url], stdin=fin,
                                              stdout=fout, stderr=subprocess.PIPE, text=True,
                                              env=self.env))
        out: List[str] = []
        for k, p in enumerate(procs):
            _, err = p.communicate()
            if p.returncode != 0:
                raise SystemExit(f"device.lua failed:\n{err}")
            out += self.d(f"devices-{k}.out").read_text().splitlines()
        self.times["devices"] = time.monotonic() - t
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pick_lua(build: Path) -> str:
    for lua in ("lua5.4", "lua5.3", "lua5.1", "luajit"):
        sub = "luajit" if lua == "luajit" else lua.replace("lua", "")
        if shutil.which(lua) and (build / "lua" / sub / "dmboot" / "native.so").exists():
            return lua
    raise SystemExit(f"no Lua with a dmboot module under {build}/lua")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, type=Path)
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="device processes")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--lua", help="the Lua interpreter (default: the newest with a module)")
    args = ap.parse_args()
    # a plain kill still stops the server (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.devices < 2:
        ap.error("--devices must be at least 2")
    build = args.build.resolve()
    work = (args.work or build.parent / "demo").resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    s = Scenario(build, work, args.devices, args.lua or pick_lua(build))
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}/dm"
    start = time.monotonic()
    try:
        s.operator_keys()
        s.manufacturer_descriptors(url)
        provisioned = s.factory()
        s.start_server(port)
        results = s.devices(s.negative_devices(), url, max(1, args.jobs))
    finally:
        s.stop_server()
    total = time.monotonic() - start
    log = (work / "server.log").read_text()

    by_dir = {}
    for line in results:
        devid, *kvs = line.split()
        v = dict(kv.split("=", 1) for kv in kvs)
        v["devid"] = devid
        by_dir[v["dir"]] = v
    negatives = {str(work / "negative" / "wrong-secret"), str(work / "negative" / "outside")}
    auth = [v for d, v in by_dir.items() if d not in negatives and v["result"] == "authenticated"]
    enc = Counter(v["enc"] for v in auth)
    kinds = Counter(v["auth"] for v in auth)
    chal = sum(1 for v in auth if v["chal"] == "1")
    nxt = sum(1 for v in auth if v.get("next") == "ok")
    negative_results = [by_dir[d]["result"] for d in sorted(negatives)]
    refused_imports = re.findall(r"import REFUSED (\S+): (.*)", log)
    refused_reasons = re.findall(r"(IMEI:\d+) \S+ REFUSED \(([\w-]+)", log)

    print(f"\ndmboot end-to-end scenario ({work})")
    print(f"  descriptors imported: {len(re.findall('import OK', log))}; refused at import: "
          f"{len(refused_imports)}")
    for path, why in refused_imports:
        print(f"    {Path(path).name}: {why}")
    print(f"  devices provisioned by the factory (batch keys only): {provisioned}")
    print(f"  authenticated by the server (and the server by them): {len(auth)} of {provisioned}"
          f"  [{enc['xml']} XML, {enc['wbxml']} WBXML; {kinds['HMAC']} HMAC, {kinds['DIGEST']} md5; "
          f"{len(auth) - chal} on the first package, {chal} after a Chal]")
    print(f"  second session with the NextNonce: {nxt} of {len(auth)}")
    print(f"  refused devices: {sum(1 for v in by_dir.values() if v['result'] == 'refused')}")
    for d in sorted(negatives):
        v = by_dir[d]
        why = sorted({r for dev, r in refused_reasons if dev == v["devid"]} - {"no-credential"})
        print(f"    {Path(d).name}: {v['devid']} {v['result']} (HTTP/SyncML status "
              f"{v.get('status', '212')}; server: {', '.join(why) or '?'})")
    print(f"  time: factory {s.times['factory']:.1f} s, devices {s.times['devices']:.1f} s, "
          f"total {total:.1f} s  (server log: {work / 'server.log'})")

    ok = (len(auth) == provisioned and nxt == provisioned and len(refused_imports) == 1
          and any(r == "wrong-credential" for _, r in refused_reasons)
          and any(r == "no-descriptor" for _, r in refused_reasons)
          and negative_results == ["refused", "refused"])
    if not args.keep and ok:
        shutil.rmtree(work / "devices", ignore_errors=True)
    print("\nresult: " + ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
