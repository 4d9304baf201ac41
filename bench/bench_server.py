#!/usr/bin/env python3
"""Load benchmark of `dmboot-server serve` (docs/server.md): N simulated
devices make their first contact at once against the server on 127.0.0.1.

For each store (SQLite file, Redis) and each worker count it starts a fresh
store and server, then C concurrent clients (in several processes, with
keep-alive connections) send the devices' first packages: half XML, half
WBXML, half syncml:auth-md5, half x-syncml-hmac, made beforehand with the
devices' derived credentials (tests/python/server/dmclient.py). It prints
first contacts authenticated per second (212), the latency of a package's
answer (p50, p99), and errors (anything but 212: must be 0). With --full
each device also sends its Status package (the session's second message).

    PYTHONPATH=build/python python3 bench/bench_server.py [--devices N]
        [--concurrency C] [--workers 1,2] [--stores sqlite,redis] [--full]

Prints figures; it is not a test (nothing fails on slow figures).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import List, Tuple

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


def client_proc(port: int, jobs: List[tuple], threads: int, q) -> None:
    lat: List[float] = []
    errors: List[str] = []
    lock = threading.Lock()
    it = iter(jobs)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                job = next(it, None)
            if job is None:
                break
            ctype, body, headers, status = job
            t = time.perf_counter()
            try:
                conn.request("POST", "/dm", body=body, headers={"Content-Type": ctype, **headers})
                r = conn.getresponse()
                raw = r.read()
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append(type(e).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            dt = time.perf_counter() - t
            wb = ctype.endswith("wbxml")
            m = (WB_STATUS if wb else STATUS).search(raw)
            code = m.group(1).decode() if m else f"http-{r.status}"
            with lock:
                lat.append(dt)
                if code != "212":
                    errors.append(code)
            if status and code == "212":
                ru = (WB_RESP if wb else RESP).search(raw)
                if ru is None:
                    with lock:
                        errors.append("no-RespURI")
                    continue
                try:
                    conn.request("POST", "/dm?" + ru.group(1).decode().replace("&amp;", "&"),
                                 body=status, headers={"Content-Type": ctype})
                    r2 = conn.getresponse()
                    raw2 = r2.read()
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        errors.append(type(e).__name__)
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                m2 = (WB_STATUS if wb else STATUS).search(raw2)
                if r2.status != 200 or not m2 or m2.group(1) != b"200":
                    with lock:
                        errors.append(f"status-package-{r2.status}")
        conn.close()

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    q.put((lat, errors))


def run_one(op: srvlib.Operator, store: str, workers: int, args) -> Tuple[float, float, float,
                                                                           int, int]:
    port = srvlib.free_port()
    jobs = make_packages(op, args.devices, port, args.full)
    served = srvlib.Served(op, store, workers=workers, port=port,
                           extra=["--threads", str(args.threads)])
    try:
        procs = args.client_procs
        per = max(1, args.concurrency // procs)
        q: "mp.Queue" = mp.Queue()
        chunks = [jobs[i::procs] for i in range(procs)]
        ps = [mp.Process(target=client_proc, args=(port, chunks[i], per, q))
              for i in range(procs)]
        t = time.perf_counter()
        for p in ps:
            p.start()
        results = [q.get() for _ in ps]
        for p in ps:
            p.join()
        wall = time.perf_counter() - t
    finally:
        served.stop()
    lat = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]
    ok = len(lat) - sum(1 for e in errors if e.isdigit() or e.startswith("http-"))
    p50 = lat[len(lat) // 2] * 1000 if lat else 0.0
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0.0
    return ok / wall, p50, p99, len(errors), ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=100)
    ap.add_argument("--client-procs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=8, help="server threads per worker")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--stores", default="sqlite,redis")
    ap.add_argument("--full", action="store_true", help="also send each Status package")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dmboot-bench-server-"))
    op = srvlib.Operator(work / "op")
    redis = None
    print(f"dmboot-server: {args.devices} devices (XML+WBXML, md5+HMAC), {args.concurrency} "
          f"concurrent clients in {args.client_procs} processes, {os.cpu_count()} CPUs"
          f"{', whole sessions' if args.full else ''}")
    print(f"{'store':8} {'workers':>7} {'first contacts/s':>17} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'errors':>7}")
    try:
        for store_kind in args.stores.split(","):
            for w in (int(x) for x in args.workers.split(",")):
                if store_kind == "redis":
                    if not srvlib.have_redis():
                        print(f"{'redis':8} (skipped: no redis-server or redis package)")
                        break
                    if redis is not None:
                        redis.stop()
                    redis = srvlib.Redis(work / f"redis-{w}")
                    store = redis.url
                else:
                    store = f"sqlite:{work / f'nonces-{w}.db'}"
                rate, p50, p99, errs, ok = run_one(op, store, w, args)
                print(f"{store_kind:8} {w:>7} {rate:>17.0f} {p50:>8.1f} {p99:>8.1f} {errs:>7}",
                      flush=True)
    finally:
        if redis is not None:
            redis.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
