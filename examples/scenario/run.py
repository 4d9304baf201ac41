#!/usr/bin/env python3
"""The whole mission on one machine: operator, manufacturer, factory, DM
server and devices, each with only what it would hold in real life.

    run.py --build BUILD_DIR [--devices N] [--work DIR] [--port P] [--keep]
           [--lua LUA[,LUA...]] [--jobs J]

BUILD_DIR is a CMake build of dmboot with the dmboot command, the Python
module and Lua modules (scripts/demo makes one). Everything is made fresh
under --work (default BUILD_DIR/../demo):

  operator/      keyring/ (one master key per manufacturer, KEY-ID.key),
                 trust.txt (each issuer's public key, key-ids, DevID ranges),
                 inbox/ (what the manufacturers sent), registry/ (what the
                 DM server reads)
  manufacturer/  acme/ and globex/: each its own signing key pair (only the
                 public half went to the operator), its own master key (the
                 operator handed each only its own), its descriptors
  factory/       per batch: the descriptor and its batch key, nothing else
  operator/nonces.db  the DM server's own state: the nonces it issued
  devices/       per device: bootstrap.xml (its TNDS document), devid.txt,
                 state.txt (the nonces it keeps between sessions)
  negative/      a device whose secret was altered, one outside every batch
  server.log     the DM server's log: one line per import and per request

Two manufacturers, ACME and Globex, each with its own key and scope, have
devices authenticating on the one server. Four descriptors must be refused
at import, each for its own reason: one altered on its way (signature),
ACME claiming Globex's DevID range (scope), ACME using Globex's key-id
(scope), and a Globex descriptor made with ACME's master key (key-check).

The operator and the manufacturers use the dmboot command, the factory and
the devices are Lua scripts (factory.lua, device.lua, on every Lua that has
a dmboot module, taking turns), the DM server is dmboot.server (dm_server.py)
on 127.0.0.1 with two worker processes and its nonces in a SQLite file.
Every device runs its first session; the server is then restarted (its
state is in the file); a first package captured on the line is replayed
and must be refused; then every device runs its second session with the
NextNonce it kept. The server is stopped at the end whatever happens
(Ctrl-C included), and dies with this script if this script is killed.

Prints a summary; exits 0 only when every provisioned device authenticated
(and authenticated the server) in two sessions across the restart, the
replay was refused, and every negative case (a tampered descriptor, a
wrong secret, a DevID outside every batch) was refused for its reason. The work directory is removed at the end unless
--keep is given or something failed.
"""

from __future__ import annotations

import argparse
import ctypes
import http.client
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
from typing import Callable, Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

DESCRIPTOR = """\
# {name}: written by {issuer}, sent to the operator
dmboot-descriptor: 1
id: {name}
issuer: {issuer}
not-before: {today}
not-after: {until}
devid-type: imei
devid-match: IMEI:{prefix}*
kdf: {kdf}
key-id: {key_id}
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

# Two manufacturers. The operator makes one master key per manufacturer
# (named by its key-id) and hands each only its own; its trust file binds
# each manufacturer's public key to its key-ids and IMEI TAC ranges.
MAKERS = {
    "acme": {"issuer": "ACME Devices Ltd", "key_id": "operator-acme-2026",
             "ranges": "IMEI:35209911* IMEI:35209912* IMEI:35209913* IMEI:35209916*"},
    "globex": {"issuer": "Globex Corp", "key_id": "operator-globex-2026",
               "ranges": "IMEI:35209914* IMEI:35209915*"},
}

# The batches the factories make (ACME: one per client authentication and
# KDF; Globex: one), each signed by its maker with its own master key.
BATCHES = [
    {"maker": "acme", "name": "acme-x1-2026w48", "prefix": "35209911", "kdf": "hkdf-sha256",
     "auth": "HMAC"},
    {"maker": "acme", "name": "acme-x1-2026w49", "prefix": "35209912",
     "kdf": "kbkdf-hmac-sha256", "auth": "DIGEST"},
    {"maker": "globex", "name": "globex-g7-2026w48", "prefix": "35209914", "kdf": "hkdf-sha256",
     "auth": "HMAC"},
]
# Descriptors the operator must refuse at import, each for its own reason:
# (batch, what happened, the words the refusal must hold).
REFUSALS = [
    ({"maker": "acme", "name": "acme-x1-2026w50", "prefix": "35209913", "kdf": "hkdf-sha256",
      "auth": "HMAC", "alter": True},
     "one byte changed after signing",
     ("signature check failed",)),
    ({"maker": "acme", "name": "acme-x1-2026w51", "prefix": "35209915", "kdf": "hkdf-sha256",
      "auth": "HMAC"},
     "ACME claims Globex's DevID range",
     ("scope check failed", "issuer 'ACME Devices Ltd' may not claim devid-match "
                            "'IMEI:35209915*'")),
    ({"maker": "acme", "name": "acme-x1-2026w52", "prefix": "35209916", "kdf": "hkdf-sha256",
      "auth": "HMAC", "key_id": "operator-globex-2026"},
     "ACME uses Globex's key-id",
     ("scope check failed", "uses key-id 'operator-globex-2026', which is issuer "
                            "'Globex Corp''s")),
    ({"maker": "globex", "name": "globex-g7-2026w49", "prefix": "35209915",
      "kdf": "hkdf-sha256", "auth": "HMAC", "master": "acme"},
     "Globex's descriptor made with ACME's master key",
     ("key-check check failed", "the master key of key-id 'operator-globex-2026'")),
]
OUTSIDE_DEVID = "IMEI:490154203237518"  # a valid IMEI no descriptor covers

LUAS = ("lua5.4", "lua5.3", "lua5.1", "luajit")


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def die_with_parent() -> None:
    """In a child, before exec: get SIGTERM when this script dies, however
    it dies (Linux; elsewhere the finally clauses have to do)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Failed(Exception):
    pass


class Scenario:
    def __init__(self, build: Path, work: Path, devices: int, luas: List[str], jobs: int) -> None:
        self.build, self.work, self.n, self.luas, self.jobs = build, work, devices, luas, jobs
        self.dmboot = str(build / "cli" / "dmboot")
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(build / "python")
        self.env["LUA_PATH"] = f"{ROOT}/lua/?.lua;;"
        self.server: Optional[subprocess.Popen] = None
        self.port = 0
        self.times: Dict[str, float] = {}
        self.log = work / "server.log"

    def lua_env(self, lua: str) -> Dict[str, str]:
        env = dict(self.env)
        env["LUA_CPATH"] = f"{self.build / 'lua' / lua_dir(lua)}/?.so;;"
        return env

    def run(self, *cmd: str, ok: Sequence[int] = (0,), env: Optional[Dict[str, str]] = None) -> str:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env or self.env,
                           preexec_fn=die_with_parent)
        if p.returncode not in ok:
            raise Failed(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        return p.stdout

    def path(self, *parts: str) -> Path:
        p = self.work.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    # ---- the operator and the manufacturer (the dmboot command) ----------

    def operator_keys(self) -> None:
        step("manufacturers: each makes its own signing key pair and sends only the public "
             "half; operator: one master key per manufacturer (key-id), each handed only its own")
        for maker, m in MAKERS.items():
            # the manufacturer's signing key never leaves it
            self.run(self.dmboot, "key", "pair",
                     "--out-private", str(self.path("manufacturer", maker, "issuer.key")),
                     "--out-public", str(self.path("manufacturer", maker, "issuer.pub")))
            shutil.copy2(self.path("manufacturer", maker, "issuer.pub"),
                         self.path("operator", "inbox", f"{maker}-issuer.pub"))
            # the operator's keyring: KEY-ID.key, mode 0600; out of band, once,
            # the manufacturer's headquarters gets its own master key only
            kf = self.path("operator", "keyring", f"{m['key_id']}.key")
            self.run(self.dmboot, "key", "new", "--out", str(kf))
            shutil.copy2(kf, self.path("manufacturer", maker, "master.key"))
        # the trust file: whose key may claim which key-ids and DevID ranges
        blocks = ["# the operator's trust file (docs/authentication.md §6)"]
        for maker, m in MAKERS.items():
            raw = pem_public_raw(self.path("operator", "inbox", f"{maker}-issuer.pub"))
            blocks.append(f"issuer: {m['issuer']}\npublic-key: ed25519 {raw}\n"
                          f"key-ids: {m['key_id']}\ndevid-ranges: {m['ranges']}\n")
        self.path("operator", "trust.txt").write_text("\n".join(blocks))

    def write_descriptor(self, b: Dict[str, object], url: str) -> Path:
        """A manufacturer writes, signs (Ed25519) and checks a descriptor."""
        today = datetime.datetime.now(datetime.timezone.utc).date()
        until = today.replace(year=today.year + 5)
        maker = str(b["maker"])
        m = MAKERS[maker]
        path = self.path("manufacturer", maker, f"{b['name']}.desc")
        fields = dict(b)
        fields.setdefault("key_id", m["key_id"])
        path.write_text(DESCRIPTOR.format(today=today, until=until, url=url,
                                          issuer=m["issuer"], **fields))
        # key-check and MAC with the master key (its own; one refusal case
        # uses another maker's), the signature with its own signing key
        master = self.path("manufacturer", str(b.get("master", maker)), "master.key")
        self.run(self.dmboot, "sign", "--descriptor", str(path), "--key", str(master),
                 "--signing-key", str(self.path("manufacturer", maker, "issuer.key")),
                 "--key-check")
        self.run(self.dmboot, "verify", "--descriptor", str(path), "--key", str(master),
                 "--issuer-key", str(self.path("manufacturer", maker, "issuer.pub")))
        return path

    def manufacturer(self, url: str) -> None:
        step("manufacturers: a descriptor per batch, signed (Ed25519) with key-check and MAC; "
             "to the operator the descriptors, to each factory line a batch key")
        for b in BATCHES:
            path = self.write_descriptor(b, url)
            shutil.copy2(path, self.path("operator", "inbox", path.name))
            # to the factory line: its descriptor and its batch key, never the master key
            shutil.copy2(path, self.path("factory", path.name))
            self.run(self.dmboot, "key", "batch", "--descriptor", str(path), "--key",
                     str(self.path("manufacturer", str(b["maker"]), "master.key")),
                     "--out", str(self.path("factory", f"{b['name']}.key")))
        for b, _, _ in REFUSALS:
            path = self.write_descriptor(b, url)
            text = path.read_bytes()
            if b.get("alter"):
                # altered on its way: one byte of its devid-match
                i = text.index(f"devid-match: IMEI:{b['prefix']}".encode()) + \
                    len("devid-match: IMEI:")
                altered = text[:i + 7] + b"9" + text[i + 8:]
                assert len(altered) == len(text) and \
                    sum(x != y for x, y in zip(altered, text)) == 1
                text = altered
            self.path("operator", "inbox", path.name).write_bytes(text)

    # ---- the factory (Lua) ----------------------------------------------

    def factory(self) -> int:
        step(f"factory (Lua): derive and write the TNDS bootstrap document of each of {self.n} "
             "devices, from the batch keys")
        t = time.monotonic()
        # one device more than asked in the first batch: its secret is altered later
        share = self.n // len(BATCHES)
        counts = [self.n - share * (len(BATCHES) - 1) + 1] + [share] * (len(BATCHES) - 1)
        for k, (b, count) in enumerate(zip(BATCHES, counts)):
            name = str(b["name"])
            lua = self.luas[k % len(self.luas)]
            out = self.run(lua, str(HERE / "factory.lua"), str(self.path("factory", f"{name}.desc")),
                           str(self.path("factory", f"{name}.key")), str(self.work / "devices"),
                           "1", str(count), env=self.lua_env(lua))
            print(f"  {lua}: {out.strip()}")
        self.times["factory"] = time.monotonic() - t
        return sum(counts) - 1

    # ---- the operator's DM server (Python) -------------------------------

    def server_cmd(self, command: str) -> List[str]:
        # the server's whole knowledge: the registry, the keyring (a master key
        # per manufacturer: each descriptor's key-id picks its key), the trust
        # file (the issuers' public keys and scopes)
        cmd = [sys.executable, str(HERE / "dm_server.py"), command,
               "--registry", str(self.work / "operator" / "registry"),
               "--keyring", str(self.work / "operator" / "keyring"),
               "--trust", str(self.work / "operator" / "trust.txt"),
               "--log", str(self.log)]
        if command == "serve":  # ... and its own state: the nonces it issued
            cmd += ["--store", f"sqlite:{self.work / 'operator' / 'nonces.db'}",
                    "--workers", "2"]
        return cmd

    def import_descriptors(self) -> None:
        step("operator: import the descriptors into the DM server's registry, verifying each")
        inbox = sorted(str(p) for p in (self.work / "operator" / "inbox").glob("*.desc"))
        self.run(*self.server_cmd("import"), *inbox, ok=(0, 1))  # 1: something was refused
        for line in self.log.read_text().splitlines():
            print("  " + line.split(" ", 2)[2].replace(str(self.work) + "/", ""))

    def start_server(self, port: int, what: str = "serve SyncML DM on 127.0.0.1") -> None:
        step(f"DM server (Python, dmboot.server): {what}")
        self.server = subprocess.Popen(self.server_cmd("serve") + ["--port", str(port)],
                                       stdout=subprocess.PIPE, text=True, env=self.env,
                                       preexec_fn=die_with_parent)
        line = self.server.stdout.readline() if self.server.stdout else ""
        m = re.match(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.stop_server()
            raise Failed("the DM server did not start:\n" + self.log.read_text())
        self.port = int(m.group(1))
        print("  " + line.strip())

    def stop_server(self) -> Optional[int]:
        """Stop the server (SIGTERM, then SIGKILL after 10 s); its exit status."""
        if self.server is None:
            return None
        if self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.server.stdout:
            self.server.stdout.close()
        return self.server.returncode

    # ---- the devices (Lua) ------------------------------------------------

    def negative_devices(self) -> Tuple[Path, Path]:
        """The extra device of the first batch with one character of its
        client secret altered, and a device outside every devid-match (a
        document copied from another, its own DevID)."""
        devices = sorted(p for p in (self.work / "devices").iterdir() if p.is_dir())
        wrong = self.path("negative", "wrong-secret", "x").parent
        extra = [d for d in devices
                 if d.name.startswith("IMEI_" + str(BATCHES[0]["prefix"]))][-1]
        shutil.rmtree(wrong)
        shutil.move(str(extra), wrong)
        doc = (wrong / "bootstrap.xml").read_text()
        m = re.compile(r"(AAuthSecret</NodeName><Value>)([^<]+)").search(
            doc, doc.index("<NodeName>CLCRED</NodeName>"))
        assert m is not None
        secret = m.group(2)
        altered = ("B" if secret[0] != "B" else "C") + secret[1:]
        (wrong / "bootstrap.xml").write_text(doc[:m.start(2)] + altered + doc[m.end(2):])
        outside = self.path("negative", "outside", "x").parent
        shutil.rmtree(outside)
        shutil.copytree(devices[0], outside)
        (outside / "devid.txt").write_text(OUTSIDE_DEVID + "\n")
        return wrong, outside

    def device_lines(self, negatives: Sequence[Path], second: bool) -> List[str]:
        dirs = sorted(p for p in (self.work / "devices").iterdir() if p.is_dir())
        lines = []
        for i, p in enumerate(dirs):
            opts = []
            if i % 3 == 0:  # real clients mostly send WBXML: a third here
                opts.append("wbxml-old" if i % 6 == 3 else "wbxml")
            if i % 8 == 5 and not second:
                opts.append("nocred")  # waits for the server's challenge
            if i % 7 == 3 and second:
                opts.append("stale")  # second session with an old nonce
            if i == 1 and not second:
                opts.append("capture")  # an eavesdropper records its package 1
            if second:
                opts.append("second")
            lines.append(f"{p} {' '.join(opts)}".strip())
        lines += [f"{negatives[0]} wbxml{' second' if second else ''}",
                  f"{negatives[1]}{' second' if second else ''}"]
        return lines

    def run_devices(self, lines: List[str], tag: str) -> List[Dict[str, str]]:
        procs = []
        for k in range(self.jobs):
            lua = self.luas[k % len(self.luas)]
            chunk = lines[k::self.jobs]
            self.path(f"devices-{tag}-{k}.in").write_text("\n".join(chunk) + "\n")
            fin = open(self.path(f"devices-{tag}-{k}.in"))
            fout = open(self.path(f"devices-{tag}-{k}.out"), "w")
            procs.append((lua, subprocess.Popen([lua, str(HERE / "device.lua")], stdin=fin,
                                                stdout=fout, stderr=subprocess.PIPE, text=True,
                                                env=self.lua_env(lua), preexec_fn=die_with_parent),
                          fin, fout))
        results: List[Dict[str, str]] = []
        for k, (lua, proc, fin, fout) in enumerate(procs):
            _, err = proc.communicate()
            fin.close()
            fout.close()
            if proc.returncode != 0:
                raise Failed(f"device.lua ({lua}) failed:\n{err}")
            for line in self.path(f"devices-{tag}-{k}.out").read_text().splitlines():
                devid, *kvs = line.split()
                v = dict(kv.split("=", 1) for kv in kvs)
                v["devid"], v["lua"] = devid, lua
                results.append(v)
        return results

    def devices(self, negatives: Sequence[Path], port: int) -> Tuple[List[Dict[str, str]], str]:
        step("devices (Lua): session 1: package 1 (XML or WBXML, HMAC or md5, some after a "
             "Chal), check the server's credential, answer its Get and challenge the server")
        t = time.monotonic()
        first = {v["dir"]: v for v in self.run_devices(self.device_lines(negatives, False), "1")}
        self.stop_server()
        self.start_server(port, "restarted on the same store (the nonces it issued are in "
                                "operator/nonces.db)")
        replay = self.replay()
        step("devices (Lua): session 2 with the NextNonce each kept; the server's credential "
             "made with the nonce each device gave it")
        second = self.run_devices(self.device_lines(negatives, True), "2")
        self.times["devices"] = time.monotonic() - t
        results = []
        for v in second:
            v.update({k: x for k, x in first.get(v["dir"], {}).items() if k in ("s1", "server1")})
            ok = (v.get("s1", "")[-3:] == "212" and v.get("s2", "")[-3:] == "212"
                  and v.get("server1") == "ok" and v.get("server2") == "ok")
            v["result"] = "authenticated" if ok else "refused"
            results.append(v)
        print(f"  {len(results)} devices in {self.jobs} processes on {', '.join(self.luas)}")
        return results, replay

    def replay(self) -> str:
        """The package 1 an eavesdropper captured in session 1, sent again to
        the restarted server: its SyncHdr status (401: refused)."""
        captured = [p for p in (self.work / "devices").iterdir() if (p / "captured.pkg").exists()]
        if not captured:
            raise Failed("no device captured its package 1")
        body = (captured[0] / "captured.pkg").read_bytes()
        hmac, ctype = (captured[0] / "captured.hdr").read_text().split("\n")[:2]
        headers = {"Content-Type": ctype}
        if hmac:
            headers["x-syncml-hmac"] = hmac
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("POST", "/dm", body=body, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        conn.close()
        xml = raw
        if ctype.endswith("wbxml"):
            import dmboot
            xml = dmboot.wbxml_to_xml(raw).encode()
        m = re.search(rb"<Cmd>SyncHdr</Cmd>.*?<Data>(\d+)</Data>", xml, re.S)
        status = m.group(1).decode() if m else f"http-{r.status}"
        print(f"  replayed the captured package 1 of {captured[0].name} ({ctype}): "
              f"status {status}")
        return status


def pem_public_raw(path: Path) -> str:
    """The base64 of the raw 32-byte Ed25519 key of a PEM public key (what
    a trust file's public-key line holds; `dmboot key pair` prints it)."""
    import base64

    body = "".join(line for line in path.read_text().splitlines() if not line.startswith("-"))
    return base64.b64encode(base64.b64decode(body)[-32:]).decode()


def lua_dir(lua: str) -> str:
    return "luajit" if lua == "luajit" else lua.replace("lua", "")


def pick_luas(build: Path, wanted: Optional[str]) -> List[str]:
    """The Lua interpreters that have a dmboot module in the build and
    LuaSocket (the devices' HTTP)."""
    names = wanted.split(",") if wanted else list(LUAS)
    found = [lua for lua in names if shutil.which(lua)
             and (build / "lua" / lua_dir(lua) / "dmboot" / "native.so").exists()]
    if not found:
        raise SystemExit(f"no Lua ({', '.join(names)}) with a dmboot module under {build}/lua")
    with_socket = [lua for lua in found
                   if subprocess.run([lua, "-e", 'require "socket.http"'],
                                     capture_output=True).returncode == 0]
    if not with_socket:
        raise SystemExit(f"no LuaSocket for {', '.join(found)}: the devices need it "
                         "(Debian: apt-get install lua-socket)")
    return with_socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_closed(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


def summarize(s: Scenario, provisioned: int, results: List[Dict[str, str]],
              negatives: Sequence[Path], server_status: Optional[int], total: float,
              out: Callable[[str], None], replay: str = "") -> bool:
    log = s.log.read_text()
    neg = {str(p): p.name for p in negatives}
    good = [v for v in results if v["dir"] not in neg]
    auth = [v for v in good if v["result"] == "authenticated"]
    first = [v for v in auth if v["s1"] == "212"]
    after_chal = Counter(v["s1"].split(">")[0] for v in auth if v["s1"] != "212")
    stale = sum(1 for v in auth if v["s2"] != "212")
    enc = Counter(v["enc"] for v in auth)
    kinds = Counter(v["auth"] for v in auth)
    imported = re.findall(r"import OK (\S+): descriptor '([^']+)'", log)
    refused_imports = re.findall(r"import REFUSED (\S+): (.*)", log)
    reasons = {m[0]: m[1] for m in re.findall(r"(\S+) session \S+ msg \d+ \w+ REFUSED \(([\w-]+)", log)
               if m[1] not in ("no-credential",)}
    requests = len(re.findall(r" session \S+ msg \d+ ", log))

    out("")
    out(f"dmboot end-to-end scenario: {s.n} devices, DM server on 127.0.0.1:{s.port}")
    out(f"  descriptors imported   {len(imported)}: "
        + ", ".join(i for _, i in imported) + " (signature, scope, key-check and MAC "
        "verified; each maker's key picked by its key-id)")
    out(f"  descriptors refused    {len(refused_imports)}:")
    story = {f"{b['name']}.desc": what for b, what, _ in REFUSALS}
    for path, why in refused_imports:
        name = Path(path).name
        out(f"    {name} ({story.get(name, 'unexpected')}): {why}")
    refusals_ok = len(refused_imports) == len(REFUSALS) and all(
        any(Path(path).name == f"{b['name']}.desc" and all(w in why for w in words)
            for path, why in refused_imports)
        for b, _, words in REFUSALS)
    out(f"  devices provisioned    {provisioned} (factory: batch keys only, TNDS documents)")
    makers = Counter(next((str(b["maker"]) for b in BATCHES
                           if v["devid"].startswith("IMEI:" + str(b["prefix"]))), "?")
                      for v in auth)
    out(f"  devices authenticated  {len(auth)} of {provisioned} ("
        + ", ".join(f"{MAKERS[k]['issuer']}: {n}" for k, n in sorted(makers.items())
                    if k in MAKERS)
        + f", one server): {len(first)} on their first "
        f"package, {len(auth) - len(first)} after a Chal ("
        + ", ".join(f"{k}: {n}" for k, n in sorted(after_chal.items())) + ")")
    out(f"                         every one checked the server's credential, challenged the "
        f"server, and after the server's restart ran a second session with its NextNonce "
        f"({stale} after a stale nonce and a Chal)")
    out(f"                         {enc['xml']} XML, {enc['wbxml'] + enc['wbxml-old']} WBXML "
        f"({enc['wbxml-old']} as application/vnd.syncml+wbxml); "
        f"{kinds['HMAC']} x-syncml-hmac, {kinds['DIGEST']} syncml:auth-md5")
    out(f"  replayed package 1     status {replay or '?'} from the restarted server "
        f"(a captured first contact is accepted once)")
    refused = [v for v in results if v["result"] != "authenticated"]
    out(f"  devices refused        {len(refused)}:")
    for v in refused:
        label = neg.get(v["dir"], "PROVISIONED")
        out(f"    {label}: {v['devid']}: status {v['s1']}, server: "
            f"{reasons.get(v['devid'], '?')}")
    out(f"  DM server              {requests} requests; stopped "
        f"({'exit status ' + str(server_status) if server_status is not None else 'never started'}"
        f", port {'closed' if port_closed(s.port) else 'STILL OPEN'}); it was given "
        "registry/, keyring/ and trust.txt, nothing per device")
    out(f"  time                   {total:.1f} s (factory {s.times.get('factory', 0):.1f} s, "
        f"devices {s.times.get('devices', 0):.1f} s)")

    wrong = next((v for v in results if neg.get(v["dir"]) == "wrong-secret"), None)
    outside = next((v for v in results if neg.get(v["dir"]) == "outside"), None)
    return (len(auth) == provisioned == len(good)
            and len(imported) == len(BATCHES) and refusals_ok
            and all(makers.get(m, 0) > 0 for m in MAKERS)
            and wrong is not None and wrong["result"] == "refused"
            and reasons.get(wrong["devid"]) == "wrong-credential"
            and outside is not None and outside["result"] == "refused"
            and reasons.get(outside["devid"]) == "no-descriptor"
            and server_status == 0 and port_closed(s.port) and replay == "401")


def interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, type=Path, help="a CMake build of dmboot")
    ap.add_argument("--devices", type=int, default=1000, help="devices to provision (default 1000)")
    ap.add_argument("--work", type=Path, help="work directory (default BUILD/../demo)")
    ap.add_argument("--port", type=int, default=0, help="the DM server's port (default: a free one)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--lua", help="Lua interpreters to use, comma-separated (default: every one "
                    "with a dmboot module)")
    ap.add_argument("--jobs", type=int, default=4, help="device processes (default 4)")
    args = ap.parse_args()
    if args.devices < 2:
        ap.error("--devices must be at least 2")
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C: the finally below
    # stops the server
    signal.signal(signal.SIGTERM, interrupted)

    build = args.build.resolve()
    work = (args.work or build.parent / "demo").resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    s = Scenario(build, work, args.devices, pick_luas(build, args.lua), max(1, args.jobs))
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}/dm"
    start = time.monotonic()
    results: List[Dict[str, str]] = []
    negatives: Tuple[Path, Path] = (work / "negative" / "wrong-secret",
                                    work / "negative" / "outside")
    provisioned = 0
    server_status: Optional[int] = None
    ok = False
    try:
        s.operator_keys()
        s.manufacturer(url)
        provisioned = s.factory()
        s.import_descriptors()
        s.start_server(port)
        negatives = s.negative_devices()
        results, replay = s.devices(negatives, port)
        server_status = s.stop_server()
        ok = summarize(s, provisioned, results, negatives, server_status,
                       time.monotonic() - start, print, replay)
    except Failed as e:
        print(f"\nFAILED: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        s.stop_server()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("\nresult: " + ("OK" if ok else "FAILED")
          + ("" if ok and not args.keep else f" (work directory kept: {work})"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
