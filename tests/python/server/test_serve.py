"""`dmboot-server serve` (waitress, prefork) as an operator runs it: several
processes on one store, crashes and restarts, hostile connections."""

from __future__ import annotations

import signal
import socket
import threading
import time

import pytest

import srvlib
from dmclient import Client, post

pytestmark = pytest.mark.skipif(not srvlib.have_waitress(), reason="waitress is not installed")

STORES = ["sqlite"] + (["redis"] if srvlib.have_redis() else [])


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    return srvlib.Operator(tmp_path_factory.mktemp("serve"))


@pytest.fixture(params=STORES)
def store(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:{tmp_path / 'nonces.db'}"
        return
    r = srvlib.Redis(tmp_path)
    yield r.url
    r.stop()


_dev = [0]


def device(op, url, auth="DIGEST", **kw):
    _dev[0] += 1
    return op.device(auth, 5000 + _dev[0], url=url, **kw)


def status_of(raw: bytes) -> str:
    import re
    m = re.search(rb"<Cmd>SyncHdr</Cmd>.*?<Data>(\d+)</Data>", raw, re.S)
    return m.group(1).decode() if m else "?"


def test_two_processes_one_store(op, store):
    """Two servers (separate process trees) on one store: packages of a
    device alternate between them, a captured first package is refused by
    the other one, and the same first package sent to both at once gets
    exactly one 212."""
    a = srvlib.Served(op, store, workers=2)
    b = srvlib.Served(op, store, workers=1)
    try:
        dev = device(op, a.url, "HMAC", challenge_server=True)
        c = Client(dev)
        first = c.session()
        assert first.path == ["212"] and first.server_ok
        for i in range(4):  # alternate
            dev.url = (b if i % 2 == 0 else a).url
            s = c.session()
            assert s.path == ["212"] and s.server_ok, (i, s.path)
        code, raw, _ = post(b.url, first.first_package, dev.ctype, first.first_headers)
        assert code == 200 and status_of(raw) == "401"  # the replay on the other server
        # the same first package to both at once, several times over
        for _ in range(3):
            d2 = device(op, a.url)
            c2 = Client(d2)
            body, headers = c2.message("1", 1, list(c2.package1_commands().values()))
            got = []
            barrier = threading.Barrier(4)

            def send(url):
                barrier.wait()
                got.append(status_of(post(url, body, d2.ctype, headers)[1]))

            ts = [threading.Thread(target=send, args=(u,)) for u in (a.url, b.url) * 2]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            assert sorted(got) == ["212", "401", "401", "401"], got
    finally:
        assert a.stop() == 0
        assert b.stop() == 0


def test_kill9_and_restart(op, store):
    """kill -9 of the server mid-run, restart on the same store: every
    device still authenticates with the NextNonce it was given (nothing
    issued is lost), and replays stay refused."""
    s = srvlib.Served(op, store, workers=2)
    port = s.port
    clients = [Client(device(op, s.url, auth)) for auth in ("DIGEST", "HMAC") * 5]
    firsts = []
    for c in clients:
        r = c.session()
        assert r.path == ["212"]
        firsts.append(r)
    s.kill9()
    s2 = srvlib.Served(op, store, workers=2, port=port)
    try:
        for c, first in zip(clients, firsts):
            r = c.session()
            assert r.path == ["212"] and r.server_ok
            code, raw, _ = post(s2.url, first.first_package, c.dev.ctype, first.first_headers)
            assert status_of(raw) == "401"
    finally:
        assert s2.stop() == 0


def test_hostile_connections(op, tmp_path):
    """300 half-open connections, a body shorter than its Content-Length,
    clients that hang up: devices still authenticate within a second, no
    traceback in the log, and SIGTERM stops the server (exit 0, port
    closed). Before: one thread held per connection, a traceback per
    hang-up."""
    s = srvlib.Served(op, f"sqlite:{tmp_path / 'n.db'}", workers=2,
                      extra=["--read-timeout", "4", "--threads", "4"])
    socks = []
    try:
        for i in range(300):
            k = socket.create_connection(("127.0.0.1", s.port))
            if i % 3 == 0:
                k.sendall(b"POST /dm HTTP/1.1\r\nHost: x\r\n")  # headers never end
            elif i % 3 == 1:
                k.sendall(b"POST /dm HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          b"application/vnd.syncml.dm+xml\r\nContent-Length: 5000\r\n\r\n<Sync")
            socks.append(k)
        for i in range(20):  # hang up mid-request and before the answer
            k = socket.create_connection(("127.0.0.1", s.port))
            k.sendall(b"POST /dm HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.syncml.dm"
                      b"+xml\r\nContent-Length: 100\r\n\r\n" + b"x" * (i * 5))
            k.close()
        for auth in ("DIGEST", "HMAC"):
            c = Client(device(op, s.url, auth))
            t = time.monotonic()
            r = c.session()
            assert r.path == ["212"] and r.server_ok
            assert time.monotonic() - t < 1.0
        # the idle ones are closed after the read timeout
        time.sleep(6)
        closed = 0
        for k in socks:
            k.settimeout(0.5)
            try:
                if k.recv(1) == b"":
                    closed += 1
            except (ConnectionResetError, socket.timeout):
                pass
            except OSError:
                closed += 1
        assert closed >= 290, closed
    finally:
        for k in socks:
            k.close()
        rc = s.stop(signal.SIGTERM)
    log = s.log_text()
    assert rc == 0
    assert "Traceback" not in log, log
    with socket.socket() as k:
        assert k.connect_ex(("127.0.0.1", s.port)) != 0


def test_serve_with_keyring(op, tmp_path):
    """dmboot-server import|serve --keyring DIR: the key picked by key-id."""
    import os

    kr = tmp_path / "keyring"
    kr.mkdir()
    fd = os.open(kr / "operator-acme-2026.key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, srvlib.KEY.hex().encode() + b"\n")
    os.close(fd)
    s = srvlib.Served(op, f"sqlite:{tmp_path / 'n.db'}", keyring=kr,
                      registry=tmp_path / "registry")
    try:
        for auth in ("DIGEST", "HMAC"):
            r = Client(device(op, s.url, auth)).session()
            assert r.path == ["212"] and r.server_ok
    finally:
        assert s.stop() == 0


def test_kill9_under_load(op, tmp_path):
    """kill -9 while devices are in the middle of their sessions, restart on
    the same store: every device then authenticates in its next session
    (one whose 212 was lost holds an older nonce and gets a Chal it answers),
    and none gets a second first contact."""
    store = f"sqlite:{tmp_path / 'n.db'}"
    s = srvlib.Served(op, store, workers=2)
    port = s.port
    clients = [Client(device(op, s.url, auth)) for auth in ("DIGEST", "HMAC") * 10]
    stop = threading.Event()

    def run(c):
        while not stop.is_set():
            try:
                c.session()
            except Exception:  # noqa: BLE001 - the server is killed under it
                time.sleep(0.05)

    ts = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in ts:
        t.start()
    time.sleep(1.5)
    s.kill9()
    stop.set()
    for t in ts:
        t.join()
    s2 = srvlib.Served(op, store, workers=2, port=port)
    try:
        for c in clients:
            r = c.session()
            assert r.path[-1] == "212" and r.server_ok, r.path
        log = s.log_text() + s2.log_text()
        for c in clients:
            assert log.count(f"AUTHENTICATED as {c.dev.devid} (syncml:auth-md5, first contact)") \
                + log.count(f"AUTHENTICATED as {c.dev.devid} (syncml:auth-MAC, first contact)") == 1
    finally:
        assert s2.stop() == 0


def test_serve_starts_with_an_expired_batch(op, tmp_path):
    """serve verified the registry at start-up with the validity check, and
    loading is all or nothing: once any batch's not-after had passed, the
    server no longer started at all (a restart, a deploy, a crash), and no
    device of any manufacturer authenticated. Validity is checked at every
    check (omadm.md §5 step 0), so serve now loads an expired batch and its
    devices get 401 without a Chal, the others 212."""
    import dmboot

    reg = tmp_path / "registry"
    reg.mkdir()
    for f in op.files:
        (reg / f.name).write_text(f.read_text())
    sk = dmboot.SigningKey.generate()
    pub = tmp_path / "old-issuer.pub"
    pub.write_text(sk.public_pem())
    text = srvlib.DESCRIPTOR.format(auth="DIGEST", auth_l="old", prefix="35209913",
                                    today="2020-01-01", until="2021-12-31")
    (reg / "srv-old.desc").write_text(
        dmboot.Descriptor.parse(text).sign(key=srvlib.KEY, signing_key=sk,
                                           update_key_check=True))
    s = srvlib.Served(op, f"sqlite:{tmp_path / 'n.db'}", registry=reg,
                      extra=["--issuer-key", str(pub)])
    try:
        assert Client(device(op, s.url)).session().path == ["212"]
        old = dmboot.Registry()
        old.load_dir(reg)
        acc = old.find("srv-old").derive("IMEI:" + srvlib.luhn("35209913000001"), key=srvlib.KEY)
        from dmclient import Device
        dev = Device.from_account(acc, s.url, old.find("srv-old"))
        assert Client(dev).session().path == ["401"]  # not-valid: no Chal
    finally:
        assert s.stop() == 0
    assert "not-valid" in s.log_text()


def test_channel_not_polled_for_output_while_its_task_runs():
    """waitress asked poll() for POLLOUT on a channel whose task was still
    sending its response: poll() returned at once, the main loop went round
    (160 times per request under load, 5-10 ms of CPU each, holding the
    GIL the task needed) and one worker fell to ~150 first contacts/s."""
    from dmboot._serve import _channel_class

    Channel = _channel_class()

    class Adj:
        outbuf_high_watermark = 1 << 20

    c = Channel.__new__(Channel)  # (no socket: only writable() is asked)
    c.adj = Adj()
    c.requests, c.total_outbufs_len = [object()], 100
    c.will_close = c.close_when_flushed = False
    assert not c.writable()  # the task sends, and pulls the trigger at its end
    c.requests = []
    assert c.writable()  # the task ended: the loop flushes what is left
    c.requests, c.total_outbufs_len = [object()], (1 << 20) + 1
    assert c.writable()  # over the high-water mark: the task waits for the loop
    c.total_outbufs_len, c.will_close = 100, True
    assert c.writable()
