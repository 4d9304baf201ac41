"""Shared set-up for the dmboot.server tests (a helper module, not a
conftest.py, so that it never collides with tests/python/conftest.py):
an operator's keys, two signed descriptors (one md5 batch, one HMAC
batch), their devices' accounts, a served process, a Redis of our own."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import dmboot

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from dmclient import Device  # noqa: E402

KEY = bytes(range(40, 72))

DESCRIPTOR = """\
dmboot-descriptor: 1
id: srv-{auth_l}
issuer: ACME Devices Ltd
not-before: {today}
not-after: {until}
devid-type: imei
devid-match: IMEI:{prefix}*
kdf: hkdf-sha256
key-id: operator-acme-2026
server-id: dm.operator.example
server-name: Operator DM
server-addr: http://127.0.0.1/dm
auth-pref: {auth}
client-auth-type: {auth}
server-auth-type: {auth}
name: devid
client-secret: derive bytes 16 base64url
server-secret: derive chars 20 alnum
client-nonce: derive bytes 16
server-nonce: derive bytes 16
"""
PREFIX = {"DIGEST": "35209912", "HMAC": "35209911"}
URL = "http://dm.test/dm"


def luhn(d14: str) -> str:
    s = 0
    for i, ch in enumerate(reversed(d14)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            n -= 9 if n > 9 else 0
        s += n
    return d14 + str((10 - s % 10) % 10)


def imei(auth: str, i: int) -> str:
    return "IMEI:" + luhn(PREFIX[auth] + f"{i:06d}")


class Operator:
    """Keys, signed descriptors and a registry, made fresh in a directory."""

    def __init__(self, work: Path) -> None:
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.key_file = work / "master.key"
        fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, KEY.hex().encode() + b"\n")
        os.close(fd)
        sk = dmboot.SigningKey.generate()
        self.issuer_pub = work / "issuer.pub"
        self.issuer_pub.write_text(sk.public_pem())
        today = datetime.datetime.now(datetime.timezone.utc).date()
        self.descs = {}
        self.files: List[Path] = []
        for auth in ("DIGEST", "HMAC"):
            text = DESCRIPTOR.format(auth=auth, auth_l=auth.lower(), prefix=PREFIX[auth],
                                     today=today - datetime.timedelta(days=1),
                                     until=today.replace(year=today.year + 5))
            signed = dmboot.Descriptor.parse(text).sign(key=KEY, signing_key=sk,
                                                       update_key_check=True)
            d = dmboot.Descriptor.parse(signed)
            self.descs[auth] = d
            f = work / f"srv-{auth.lower()}.desc"
            f.write_text(signed)
            self.files.append(f)
        self.registry = dmboot.Registry()
        for d in self.descs.values():
            self.registry.add(d)

    def device(self, auth: str, i: int, url: str = URL, **kw) -> Device:
        d = self.descs[auth]
        acc = d.derive(imei(auth, i), key=KEY)
        return Device.from_account(acc, url, d, **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """`python -m dmboot.server serve` in a subprocess."""

    def __init__(self, op: Operator, store: str, *, workers: int = 1, port: int = 0,
                 extra: Optional[List[str]] = None, registry: Optional[Path] = None,
                 keyring: Optional[Path] = None) -> None:
        self.op = op
        self.keyring = keyring
        self.log = op.work / f"server-{time.monotonic_ns()}.log"
        reg = registry or op.work / "registry"
        if not reg.exists():
            r = subprocess.run(self.base("import", reg) + [str(f) for f in op.files],
                               capture_output=True, text=True)
            assert r.returncode == 0, r.stderr + self.log.read_text()
        cmd = self.base("serve", reg) + ["--store", store, "--workers", str(workers),
                                         "--port", str(port)] + (extra or [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        m = re.match(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.stop()
            raise AssertionError("server did not start: " + line + self.log_text())
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}/dm"

    def base(self, command: str, reg: Path) -> List[str]:
        keys = (["--keyring", str(self.keyring)] if self.keyring
                else ["--key", str(self.op.key_file)])
        return [sys.executable, "-m", "dmboot.server", command, "--registry", str(reg),
                *keys, "--issuer-key", str(self.op.issuer_pub), "--log", str(self.log)]

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> Optional[int]:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        return self.proc.returncode

    def kill9(self) -> None:
        """SIGKILL the parent and its workers at once (a crash of the host's
        processes)."""
        pids = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True,
                              text=True).stdout.split()
        for p in [str(self.proc.pid)] + pids:
            try:
                os.kill(int(p), signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


class Redis:
    """A redis-server of our own on 127.0.0.1 and a free port, with an
    append-only file (fsync always), stopped at the end."""

    def __init__(self, work: Path) -> None:
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.dir = work / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [exe, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--protected-mode", "yes", "--daemonize", "no", "--logfile", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.05)
        else:
            self.stop()
            raise AssertionError("redis-server did not start")
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _missing(what: str) -> bool:
    """A missing optional dependency: the tests that need it are left out,
    except where DMBOOT_TEST_REQUIRE_ALL is set (scripts/check, which
    installs everything): there leaving them out would hide them."""
    if os.environ.get("DMBOOT_TEST_REQUIRE_ALL"):
        raise RuntimeError(f"{what} is missing and DMBOOT_TEST_REQUIRE_ALL is set")
    return False


def have_redis() -> bool:
    try:
        import redis  # noqa: F401
    except ImportError:
        return _missing("the redis package")
    if shutil.which("redis-server") or os.path.exists("/usr/bin/redis-server"):
        return True
    return _missing("redis-server")


def have_waitress() -> bool:
    try:
        import waitress  # noqa: F401
    except ImportError:
        return _missing("waitress")
    return True
