#!/usr/bin/env python3
"""Load benchmark of `dmboot-server serve` (docs/server.md): simulated
devices make their first contact against the server on 127.0.0.1.

For each store (SQLite file, Redis), each worker count and each mode it
starts a fresh store and server, then C concurrent devices (C keep-alive
connections, one request in flight on each) send first packages: half
XML, half WBXML, half syncml:auth-md5, half x-syncml-hmac. Every package
(credentials derived per device, HTTP request bytes) is made before the
timed phase, and the client is one single-threaded process (selectors), so
that the load generator takes little of the CPU the server needs; it
prints its own CPU time per contact next to the server's.

Modes: ``closed``: each connection sends its next package as soon as its
answer is in, so C are always in flight and the mean latency is C divided
by the rate (Little's law); ``open``: packages are due at --rate per
second, each goes out on an idle connection (or waits for one) and its
latency counts from when it was due, waiting included.

It prints first contacts authenticated per second (212), the latency of
an answer (p50, p99, max), errors (anything but 212: must be 0). With
--full each device also sends its Status package (the session's second
message).

    PYTHONPATH=build/python python3 bench/bench_server.py [--devices N]
        [--concurrency C] [--workers 1,2] [--stores sqlite,redis]
        [--modes closed,open] [--rate R] [--duration S] [--full]

Prints figures; it is not a test (nothing fails on slow figures).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import shutil
import sys
import tempfile
import selectors
import socket
import time
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "python" / "server"))

import srvlib  # noqa: E402
from dmclient import Client  # noqa: E402

STATUS = re.compile(rb"<Cmd>SyncHdr</Cmd>.*?<Data>(\d+)</Data>", re.S)
RESP = re.compile(rb"<RespURI>[^<?]*\?([^<]+)</RespURI>")
# WBXML replies: the status is the opaque/inline string after the Data token
WB_STATUS = re.compile(rb"SyncHdr.*?\x03(\d{3})\x00", re.S)
WB_RESP = re.compile(rb"\x03https?://[^\x00?]*\?([^\x00]+)\x00")


def make_packages(op: srvlib.Operator, n: int, port: int, full: bool) -> List[tuple]:
    out = []
    url = f"http://127.0.0.1:{port}/dm"
    for i in range(n):
        auth = "DIGEST" if i % 2 == 0 else "HMAC"
        ctype = "application/vnd.syncml.dm+wbxml" if i % 4 >= 2 else \
            "application/vnd.syncml.dm+xml"
        dev = op.device(auth, 100000 + i, url=url, ctype=ctype)
        c = Client(dev)
        body, headers = c.message(format(i + 1, "X"), 1, list(c.package1_commands().values()))
        status = b""
        if full:
            # the Status package: Status 212 for the server's SyncHdr, 200 and
            # Results for its Get (the same bytes whatever the server sends)
            xml = ("<?xml version='1.0' encoding='UTF-8'?><SyncML xmlns='SYNCML:SYNCML1.2'>"
                   + c._hdr(format(i + 1, "X"), 2, None) + "<SyncBody>"
                   "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>"
                   "<Data>212</Data></Status><Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>4"
                   "</CmdRef><Cmd>Get</Cmd><Data>200</Data></Status><Results><CmdID>3</CmdID>"
                   "<MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Source><LocURI>./DevInfo/DevId"
                   f"</LocURI></Source><Data>{dev.devid}</Data></Item></Results><Final/>"
                   "</SyncBody></SyncML>")
            import dmboot
            status = dmboot.xml_to_wbxml(xml) if dev.wbxml else xml.encode()
        out.append((ctype, body, headers, status))
    return out


def request_bytes(port: int, path: str, ctype: str, body: bytes, headers: dict) -> bytes:
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n").encode() + body


_CLEN = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.I)


class _Conn:
    """One device's keep-alive connection: a non-blocking socket, one request
    in flight, the response read by Content-Length."""

    __slots__ = ("sock", "buf", "job", "t0", "second")

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buf = b""
        self.job: Optional[tuple] = None
        self.t0 = 0.0
        self.second = False


def client_proc(port: int, jobs: List[tuple], conns: int, rate: float, start_at, ready,
                q) -> None:
    """Send ``jobs`` over ``conns`` keep-alive connections, single-threaded
    (selectors, requests made beforehand: the client's CPU stays small).
    rate 0: closed loop (each connection sends its next job as soon as its
    answer is in: ``conns`` always in flight). rate > 0: open loop (job i is
    due at start + i / rate; it goes out on an idle connection, or waits for
    one; its latency counts from when it was due, so waiting is counted)."""
    cpu0 = time.process_time()
    sel = selectors.DefaultSelector()
    pool = [_Conn(port) for _ in range(conns)]
    for c in pool:
        sel.register(c.sock, selectors.EVENT_READ, c)
    idle = list(pool)
    lat: List[float] = []
    errors: List[str] = []
    ready.release()
    while start_at.value == 0.0:
        time.sleep(0.001)
    t_start = start_at.value
    while time.monotonic() < t_start:
        time.sleep(max(0.0, t_start - time.monotonic()))
    n, i, done, busy = len(jobs), 0, 0, 0

    def send(c: _Conn, job: tuple, t0: float) -> None:
        c.job, c.t0, c.second, c.buf = job, t0, False, b""
        c.sock.sendall(job[0])

    while done < n:
        now = time.monotonic()
        # what is due goes out on idle connections
        while i < n and idle and (rate == 0 or t_start + i / rate <= now):
            send(idle.pop(), jobs[i], time.monotonic() if rate == 0 else t_start + i / rate)
            i += 1
            busy += 1
        timeout = None
        if rate and i < n and idle:
            timeout = max(0.0, t_start + i / rate - time.monotonic())
        for key, _ in sel.select(timeout):
            c: _Conn = key.data
            try:
                data = c.sock.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                errors.append("closed")
                done += 1
                busy -= 1
                sel.unregister(c.sock)
                c.sock.close()
                continue
            c.buf += data
            h = c.buf.find(b"\r\n\r\n")
            if h < 0:
                continue
            m = _CLEN.search(c.buf, 0, h + 2)
            if m is None or len(c.buf) < h + 4 + int(m.group(1)):
                continue
            raw = c.buf[h + 4:h + 4 + int(m.group(1))]
            http_status = c.buf[9:12].decode()
            wb = c.job[2]
            st = (WB_STATUS if wb else STATUS).search(raw)
            code = st.group(1).decode() if st else f"http-{http_status}"
            if c.second:  # the Status package's answer
                if http_status != "200" or code != "200":
                    errors.append(f"status-package-{http_status}")
            else:
                lat.append(time.monotonic() - c.t0)
                if code != "212":
                    errors.append(code)
                elif c.job[1]:
                    ru = (WB_RESP if wb else RESP).search(raw)
                    if ru is None:
                        errors.append("no-RespURI")
                    else:
                        c.second, c.buf = True, b""
                        path = "/dm?" + ru.group(1).decode().replace("&amp;", "&")
                        c.sock.sendall(request_bytes(port, path, c.job[3], c.job[1], {}))
                        continue
            done += 1
            busy -= 1
            c.buf = b""
            idle.append(c)
    t_end = time.monotonic()
    for c in pool:
        c.sock.close()
    q.put((lat, errors, t_end, time.process_time() - cpu0))


def _proc_cpu(pids: List[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def _tree(pid: int) -> List[int]:
    out = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        kids = []
    for k in kids:
        out += _tree(k)
    return out


def run_one(op: srvlib.Operator, store: str, workers: int, args, rate: float = 0.0) -> dict:
    port = srvlib.free_port()
    n = args.devices if not rate else int(rate * args.duration)
    pk = make_packages(op, n, port, args.full)
    # (request bytes, Status package body or b"", WBXML?, content type)
    jobs = [(request_bytes(port, "/dm", ctype, body, headers), status,
             ctype.endswith("wbxml"), ctype) for ctype, body, headers, status in pk]
    served = srvlib.Served(op, store, workers=workers, port=port,
                           extra=["--threads", str(args.threads)])
    try:
        procs = args.client_procs
        per = max(1, args.concurrency // procs)
        q: "mp.Queue" = mp.Queue()
        start_at = mp.Value("d", 0.0)
        ready = mp.Semaphore(0)
        ps = [mp.Process(target=client_proc,
                         args=(port, jobs[i::procs], per, rate / procs, start_at, ready, q))
              for i in range(procs)]
        for p in ps:
            p.start()
        for _ in ps:
            ready.acquire()  # every connection open
        server_pids = _tree(served.proc.pid)
        cpu0 = _proc_cpu(server_pids)
        t0 = time.monotonic() + 0.05
        start_at.value = t0
        results = [q.get() for _ in ps]
        for p in ps:
            p.join()
        server_cpu = _proc_cpu(server_pids) - cpu0
    finally:
        served.stop()
    wall = max(r[2] for r in results) - t0
    lat = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]
    ok = len(lat) - sum(1 for e in errors if e.isdigit() or e.startswith("http-"))
    pct = lambda f: lat[min(len(lat) - 1, int(len(lat) * f))] * 1000 if lat else 0.0  # noqa: E731
    return {"rate": ok / wall, "p50": pct(0.5), "p99": pct(0.99), "max": lat[-1] * 1000 if lat else 0,
            "errors": len(errors), "ok": ok, "wall": wall, "n": n,
            "server_cpu": server_cpu, "client_cpu": sum(r[3] for r in results)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devices", type=int, default=4000, help="devices (closed loop)")
    ap.add_argument("--concurrency", type=int, default=100,
                    help="concurrent devices: connections, at most one request each (100)")
    ap.add_argument("--client-procs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=8, help="server threads per worker")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--stores", default="sqlite,redis")
    ap.add_argument("--modes", default="closed,open",
                    help="closed: every device sends again at once (--concurrency always in "
                         "flight); open: first contacts arrive at --rate per second")
    ap.add_argument("--rate", type=float, default=1000.0, help="open loop: offered per second")
    ap.add_argument("--duration", type=float, default=5.0, help="open loop: seconds")
    ap.add_argument("--full", action="store_true", help="also send each Status package")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dmboot-bench-server-"))
    op = srvlib.Operator(work / "op")
    redis = None
    print(f"dmboot-server: first contacts (XML+WBXML, md5+HMAC), {args.concurrency} concurrent "
          f"devices (connections) from {args.client_procs} client process(es), "
          f"{args.threads} threads per worker, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f}{', whole sessions' if args.full else ''}")
    print("closed: N always in flight (mean latency = N / rate); "
          f"open: {args.rate:.0f}/s offered for {args.duration:.0f} s, latency from when due")
    print(f"{'store':7} {'workers':>7} {'mode':>11} {'contacts/s':>10} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'max ms':>7} {'errors':>6} {'server us':>9} {'client us':>9}")
    total_errors = 0
    try:
        for store_kind in args.stores.split(","):
            for w in (int(x) for x in args.workers.split(",")):
                for mode in args.modes.split(","):
                    if store_kind == "redis":
                        if not srvlib.have_redis():
                            print(f"{'redis':7} (skipped: no redis-server or redis package)")
                            break
                        if redis is not None:
                            redis.stop()
                        redis = srvlib.Redis(work / f"redis-{w}-{mode}")
                        store = redis.url
                    else:
                        store = f"sqlite:{work / f'nonces-{w}-{mode}.db'}"
                    rate = args.rate if mode == "open" else 0.0
                    r = run_one(op, store, w, args, rate)
                    label = "closed" if mode == "closed" else f"open {args.rate:.0f}"
                    print(f"{store_kind:7} {w:>7} {label:>11} {r['rate']:>10.0f} "
                          f"{r['p50']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} "
                          f"{r['errors']:>6} {r['server_cpu'] / max(1, r['ok']) * 1e6:>9.0f} "
                          f"{r['client_cpu'] / max(1, r['ok']) * 1e6:>9.0f}", flush=True)
                    total_errors += r["errors"]
    finally:
        if redis is not None:
            redis.stop()
        shutil.rmtree(work, ignore_errors=True)
    print("server us, client us: CPU time per authenticated first contact (server: all its "
          "processes; client: the load generator)")
    if total_errors:
        print(f"{total_errors} errors (anything but 212): the figures above do not count",
              file=sys.stderr)
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
