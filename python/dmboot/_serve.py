"""``dmboot-server import|serve`` (``python -m dmboot.server``): docs/server.md.

serve: the WSGI application of dmboot.server under waitress, in --workers
processes that share one listening socket (prefork: the parent binds,
forks, supervises, and stops them all on SIGTERM or SIGINT). Each worker
reads requests asynchronously (a slow or half-open client holds a socket,
never a thread), runs the application in --threads threads, closes a
connection idle for --read-timeout seconds, refuses a body over
--max-body bytes, and logs a client that hung up as nothing at all.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import sys
import time
from typing import Dict, List, Optional

import dmboot

from .server import DMServer, import_descriptors, open_store

log = logging.getLogger("dmboot.server")


def _verifier(args: argparse.Namespace, key: Optional[bytes], keyring: object,
              validity: bool = True) -> dmboot.Verifier:
    """The operator's policy: the issuer's signature and the MAC must both be
    there and verify, and the descriptor must be valid now (validity=False:
    at serve's start, where validity is left to every check, so that a
    batch that expired does not stop the server from starting); with a
    trust file, within its issuer's scope (its key-ids and DevID ranges)."""
    issuers = [dmboot.PublicKey.load(p) for p in args.issuer_key or ()]
    kw: Dict[str, object] = {"issuer_keys": issuers, "require_signature": True,
                             "require_mac": True, "ignore_validity": not validity}
    if args.trust:
        kw["trust"] = dmboot.Trust.load(args.trust)
    if keyring is not None:
        kw["keyring"] = keyring
    else:
        kw["key"] = key
    return dmboot.Verifier(**kw)  # type: ignore[arg-type]


def _keys(args: argparse.Namespace):
    """(master key, keyring): exactly one of them."""
    if args.keyring:
        keyring = dmboot.Keyring.load_dir(args.keyring)
        if len(keyring) > 1 and not args.trust:
            # several manufacturers: without scopes the first to import
            # another's DevID range shuts it out and holds its devices
            raise SystemExit(
                f"dmboot-server: a keyring of {len(keyring)} key-ids (several manufacturers) "
                "needs --trust FILE, which bounds the key-ids and DevID ranges each issuer "
                "may claim (docs/authentication.md section 6)")
        return None, keyring
    return dmboot.load_key(args.key), None


def _setup_logging(path: Optional[str]) -> None:
    handler: logging.Handler = (logging.FileHandler(path) if path
                                else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("waitress").setLevel(logging.ERROR)


def cmd_import(args: argparse.Namespace) -> int:
    key, keyring = _keys(args)
    refused = 0
    for path, did, message in import_descriptors(args.descriptors, args.registry,
                                                 _verifier(args, key, keyring)):
        if did is None:
            refused += 1
            log.info("import REFUSED %s: %s", path, message)
        else:
            log.info("import OK %s: %s", path, message)
    return 1 if refused else 0


def _channel_class():
    """waitress's HTTP channel, minus a spin of its main loop.

    While a task (a request being answered) runs, the task's thread sends
    the response itself, and waitress pulls its trigger when the task
    ends. waitress nevertheless asks poll() for POLLOUT on the channel as
    soon as the task has put bytes in the output buffer: the socket is
    writable, poll() returns at once, handle_write finds the buffer locked
    by the task, and the loop goes round again, holding the GIL the task
    thread needs to finish. Measured (bench/bench_server.py, 1 worker, 8
    threads, 100 clients): 160 rounds of the loop over every connection
    per request, 5 to 10 ms of CPU per request, 110 to 230 first contacts
    per second instead of over 1,000. Here a channel is not writable while
    its task runs, unless the buffer is over waitress's high-water mark
    (where the task waits for the main loop to flush) or the channel is
    closing; once the task ends the loop flushes what is left, as before."""
    from waitress.channel import HTTPChannel

    class Channel(HTTPChannel):
        def writable(self):  # type: ignore[override]
            if (self.requests and not self.will_close and not self.close_when_flushed
                    and self.total_outbufs_len <= self.adj.outbuf_high_watermark):
                return False
            return super().writable()

    return Channel


def _worker(app: DMServer, sock: socket.socket, args: argparse.Namespace) -> None:
    """One worker process: waitress on the shared socket until SIGTERM."""
    from waitress.server import create_server

    server = create_server(
        app, sockets=[sock], threads=args.threads, connection_limit=args.connection_limit,
        channel_timeout=args.read_timeout, cleanup_interval=max(1, args.read_timeout // 2),
        max_request_body_size=args.max_body, max_request_header_size=16384,
        asyncore_use_poll=True, log_socket_errors=False, expose_tracebacks=False,
        ident="dmboot-server")
    server.channel_class = _channel_class()  # (one socket: one TcpWSGIServer)

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
    try:
        server.run()
    except SystemExit:
        pass
    finally:
        # stop accepting; let the requests being served finish (waitress
        # waits for its threads), then close
        try:
            server.close()
        except Exception:  # noqa: BLE001 - already closing
            pass
        app.store.close()
    os._exit(0)


def cmd_serve(args: argparse.Namespace) -> int:
    key, keyring = _keys(args)  # the configuration's refusals first
    try:
        import waitress  # noqa: F401
    except ImportError:
        print("dmboot-server serve needs waitress: pip install 'dmboot[server]' "
              "(Debian: python3-waitress)", file=sys.stderr)
        return 2
    registry = dmboot.Registry(keyring=keyring)
    # every check looks at validity (omadm.md section 5, step 0): an expired
    # batch is loaded and its devices get 401 (not-valid), while loading is
    # all or nothing, so checking it here would keep the whole server down
    registry.load_dir(args.registry, _verifier(args, key, keyring, validity=False))
    store = open_store(args.store)
    app = DMServer(registry, key, store, max_body=args.max_body,
                   session_ttl=args.session_ttl, public_url=args.public_url)
    log.info("registry %s: %d descriptor(s): %s; store %r; %d worker(s) x %d threads",
             args.registry, len(registry), ", ".join(registry.ids()), store, args.workers,
             args.threads)
    store.close()  # each worker opens its own connection

    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    sock.setblocking(False)
    port = sock.getsockname()[1]

    children: Dict[int, int] = {}  # pid -> slot
    stopping = False

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            try:
                _worker(app, sock, args)
            finally:
                os._exit(1)
        children[pid] = slot

    class _Stop(Exception):
        pass

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise _Stop  # out of waitpid (which a signal alone would only restart)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for slot in range(args.workers):
            spawn(slot)
        print(f"listening on http://{args.host}:{port}/", flush=True)
        while True:
            pid, status = os.waitpid(-1, 0)
            slot = children.pop(pid, None)
            if slot is not None:
                log.error("worker %d ended (status %d): restarting it", pid, status)
                time.sleep(0.2)
                spawn(slot)
    except (_Stop, ChildProcessError):
        pass
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 15
    while children and time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.05)
            continue
        children.pop(pid, None)
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    sock.close()
    log.info("stopped")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="dmboot-server",
        description="The operator's OMA DM first-contact server (docs/server.md).")
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("import", "serve"):
        p = sub.add_parser(name)
        p.add_argument("--registry", required=True, help="registry directory")
        k = p.add_mutually_exclusive_group(required=True)
        k.add_argument("--key", help="the master key file (hex)")
        k.add_argument("--keyring", help="a keyring directory (KEY-ID.key files, one per "
                                         "manufacturer): each descriptor's key-id picks its "
                                         "master key")
        p.add_argument("--issuer-key", action="append", default=[],
                       help="a trusted issuer public key (PEM); repeatable")
        p.add_argument("--trust", help="the operator's trust file (docs/authentication.md "
                                       "§6): each issuer's public key, key-ids and DevID "
                                       "ranges; a descriptor outside its issuer's scope is "
                                       "refused")
        p.add_argument("--log", help="log file (default: standard error)")
    sub.choices["import"].add_argument("descriptors", nargs="+", help="descriptor files")
    s = sub.choices["serve"]
    s.add_argument("--store", default="sqlite:dmboot-server.db",
                   help="nonce state: sqlite:PATH (default sqlite:dmboot-server.db), "
                        "redis://HOST:PORT/DB, or env:NAME (the spec in environment "
                        "variable NAME: keeps a Redis password off the command line)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    s.add_argument("--port", type=int, default=0, help="port (0: any free one)")
    s.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    s.add_argument("--threads", type=int, default=8, help="threads per worker (8)")
    s.add_argument("--connection-limit", type=int, default=1000,
                   help="open connections per worker (1000)")
    s.add_argument("--read-timeout", type=int, default=20,
                   help="seconds a connection may stay idle, headers or body (20)")
    s.add_argument("--max-body", type=int, default=256 << 10, help="largest package (256 KiB)")
    s.add_argument("--session-ttl", type=float, default=300.0,
                   help="seconds a session (its token and Chal nonce) lives (300)")
    s.add_argument("--public-url", help="the URL devices reach this server by (for RespURI; "
                                        "default: the one each request names)")
    return ap


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    if not args.issuer_key and not args.trust:
        raise SystemExit("dmboot-server: give --issuer-key PEM (repeatable) or --trust FILE")
    _setup_logging(args.log)
    if args.keyring and not args.trust:
        # several manufacturers, and nothing bounds what each issuer claims
        log.warning("WARNING: a keyring without --trust: any trusted issuer may claim any DevID "
                    "range (another manufacturer's TAC) under its own key-id, and whoever "
                    "imports first wins; give --trust FILE (docs/authentication.md section 6)")
    try:
        if args.command == "import":
            return cmd_import(args)
        if args.workers < 1 or args.threads < 1:
            raise SystemExit("--workers and --threads must be at least 1")
        return cmd_serve(args)
    except (dmboot.Error, ValueError) as e:  # ValueError: a bad --store
        print(f"dmboot-server: {e}", file=sys.stderr)
        return 1
