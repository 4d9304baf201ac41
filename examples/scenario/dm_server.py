#!/usr/bin/env python3
"""A small OMA DM server that knows no device: only descriptors and a key.

    dm_server.py --registry DIR --key MASTER.key --issuer-key ISSUER.pub
                 [--import DESCRIPTOR ...] [--port N] [--log FILE]

At start it imports each --import descriptor into the registry directory
after verifying it (the issuer's Ed25519 signature, the MAC and key-check
with the master key); a descriptor that fails is refused and logged. Then
it loads the registry (verified again) and answers SyncML DM packages on
127.0.0.1: XML (application/vnd.syncml.dm+xml) or WBXML
(application/vnd.syncml.dm+wbxml, application/vnd.syncml+wbxml), in the
encoding it received.

A device's first package is authenticated with what the registry and the
master key derive for its DevID: syncml:auth-md5 in the SyncHdr's Cred, or
the x-syncml-hmac transport header. The reply carries Status 212 for the
SyncHdr, the server's own credential (Cred, or x-syncml-hmac), and a Chal
with a fresh NextNonce that the device's next package must use. A package
without a credential, or with a wrong one, gets 407 or 401 with a Chal and
a fresh NextNonce; a DevID no descriptor covers gets 401 and no Chal.

The server holds nothing per device but the NextNonce it issued (memory).
It prints "listening on http://127.0.0.1:PORT" once ready, and one log
line per request with its decision and reason.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional, Tuple
from xml.sax.saxutils import escape

import dmboot

XML_TYPE = "application/vnd.syncml.dm+xml"
WBXML_TYPES = ("application/vnd.syncml.dm+wbxml", "application/vnd.syncml+wbxml")
SYNCML_NS = "SYNCML:SYNCML1.2"


class Server:
    """What the request handler shares: the registry, the key, the nonces."""

    def __init__(self, registry: dmboot.Registry, key: bytes, log) -> None:
        self.registry = registry
        self.key = key
        self.log_file = log
        self.lock = threading.Lock()
        # DevID -> the NextNonce its next session must use (set only when it
        # authenticated, so an impostor's failures cannot change it)
        self.next_nonce: Dict[str, bytes] = {}
        # (DevID, SessionID) -> the nonce of a Chal sent in that session
        self.chal_nonce: Dict[Tuple[str, str], bytes] = {}

    def log(self, line: str) -> None:
        with self.lock:
            print(time.strftime("%H:%M:%S"), line, file=self.log_file, flush=True)

    def expected_nonce(self, devid: str, session: str) -> Optional[bytes]:
        """The nonce this package must use: a Chal's in this session, else
        the NextNonce of the last authenticated session, else None: a first
        contact, checked with the nonce derived for the DevID."""
        with self.lock:
            return self.chal_nonce.pop((devid, session), None) or self.next_nonce.get(devid)

    def challenge(self, devid: str, session: str) -> bytes:
        nonce = dmboot.generate_nonce(16)
        with self.lock:
            self.chal_nonce[(devid, session)] = nonce
        return nonce

    def authenticated(self, devid: str) -> bytes:
        nonce = dmboot.generate_nonce(16)
        with self.lock:
            self.next_nonce[devid] = nonce
        return nonce


def import_descriptors(paths, registry_dir: Path, verifier: dmboot.Verifier, log) -> int:
    """Verify each descriptor, add it to a trial registry (refusing overlaps)
    and write it into the registry directory atomically. Returns how many
    were refused."""
    refused = 0
    trial = dmboot.Registry()
    trial.load_dir(registry_dir, verifier)
    for path in paths:
        try:
            d = dmboot.Descriptor.load(path)
            trial.add(d, verifier)  # verifies, then refuses an overlap
        except dmboot.Error as e:
            refused += 1
            print(f"import REFUSED {path}: {e}", file=log, flush=True)
            continue
        target = registry_dir / f"{d.id}.desc"
        tmp = registry_dir / f".{d.id}.desc.tmp"
        tmp.write_bytes(d.text.encode())
        os.replace(tmp, target)
        print(f"import OK {path}: descriptor '{d.id}' "
              f"(devid-match {d.get('devid-match')})", file=log, flush=True)
    return refused


def syncml_reply(request: dmboot.SyncMLMessage, status: int, chal_nonce: Optional[bytes],
                 server_cred: Optional[Tuple[str, str]], body_statuses: bool) -> str:
    """A reply package: Status for the SyncHdr (and for the commands when
    authenticated), the server's Cred, and a Chal with a NextNonce."""
    f = request.fields()
    sess, msg = f.get("SessionID", ""), f.get("MsgID", "1")
    dev, srv = f.get("Source/LocURI", ""), f.get("Target/LocURI", "")
    cred = ""
    if server_cred is not None:
        cred = ("<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
                f"<Type xmlns='syncml:metinf'>{escape(server_cred[0])}</Type></Meta>"
                f"<Data>{escape(server_cred[1])}</Data></Cred>")
    chal = ""
    if chal_nonce is not None:
        chal = ("<Chal><Meta><Type xmlns='syncml:metinf'>syncml:auth-md5</Type>"
                "<Format xmlns='syncml:metinf'>b64</Format>"
                f"<NextNonce xmlns='syncml:metinf'>{base64.b64encode(chal_nonce).decode()}"
                "</NextNonce></Meta></Chal>")
    statuses = [f"<Status><CmdID>1</CmdID><MsgRef>{escape(msg)}</MsgRef><CmdRef>0</CmdRef>"
                f"<Cmd>SyncHdr</Cmd><TargetRef>{escape(srv)}</TargetRef>"
                f"<SourceRef>{escape(dev)}</SourceRef>{chal}<Data>{status}</Data></Status>"]
    if body_statuses:
        for i, cmd in enumerate(request.commands(), start=2):
            statuses.append(f"<Status><CmdID>{i}</CmdID><MsgRef>{escape(msg)}</MsgRef>"
                            f"<CmdRef>{i - 1}</CmdRef><Cmd>{escape(cmd)}</Cmd><Data>200</Data>"
                            "</Status>")
    return (f"<SyncML xmlns='{SYNCML_NS}'><SyncHdr><VerDTD>1.2</VerDTD>"
            f"<VerProto>DM/1.2</VerProto><SessionID>{escape(sess)}</SessionID>"
            f"<MsgID>{escape(msg)}</MsgID><Target><LocURI>{escape(dev)}</LocURI></Target>"
            f"<Source><LocURI>{escape(srv)}</LocURI></Source>{cred}</SyncHdr>"
            f"<SyncBody>{''.join(statuses)}<Final/></SyncBody></SyncML>")


class Handler(BaseHTTPRequestHandler):
    server_version = "dmboot-example-dm/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args) -> None:  # the server logs decisions itself
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        srv: Server = self.server.dm  # type: ignore[attr-defined]
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        wbxml = ctype in WBXML_TYPES
        if not wbxml and ctype != XML_TYPE:
            return self.plain(415, f"unsupported media type '{ctype}'")
        try:
            xml = dmboot.wbxml_to_xml(body) if wbxml else body.decode("utf-8")
            message = dmboot.SyncMLMessage.parse(xml)
        except (dmboot.Error, UnicodeDecodeError) as e:
            srv.log(f"- {'wbxml' if wbxml else 'xml'} REFUSED malformed package: {e}")
            return self.plain(400, f"malformed SyncML DM package: {e}")
        devid = message.get("Source/LocURI") or "?"
        session = message.get("SessionID") or ""
        hmac = self.headers.get("x-syncml-hmac")
        nonce = srv.expected_nonce(devid, session)
        if hmac is not None:
            # the MAC covers the body as it travelled (WBXML bytes for WBXML)
            result = srv.registry.check_hmac(devid, hmac, body, key=srv.key, nonce=nonce)
        else:
            result = srv.registry.check_message(xml, key=srv.key, nonce=nonce)
        enc = "wbxml" if wbxml else "xml"
        round_ = "first contact" if nonce is None else "nonce issued by the server"
        if result.authenticated:
            status, chal, cred = 212, srv.authenticated(devid), None
            if result.server_cred_type != "syncml:auth-MAC":
                cred = (result.server_cred_type, result.server_cred)
            srv.log(f"{devid} {enc} {result.client_cred_type} ({round_}) AUTHENTICATED under "
                    f"'{result.descriptor_id}'; 212, server credential {result.server_cred_type}")
        elif result.reason in ("no-descriptor", "not-covered", "devid-malformed"):
            status, chal, cred = 401, None, None
            srv.log(f"{devid} {enc} REFUSED ({result.reason}): {result.message}")
        else:
            # ask for syncml:auth-md5 with a fresh nonce: 407 when there was
            # no credential, 401 when it was wrong
            status = 407 if result.reason == "no-credential" else 401
            chal, cred = srv.challenge(devid, session), None
            srv.log(f"{devid} {enc} REFUSED ({result.reason}, {round_}): {result.message}; "
                    f"{status} with a Chal")
        reply = syncml_reply(message, status, chal, cred, body_statuses=status == 212)
        out = dmboot.xml_to_wbxml(reply) if wbxml else reply.encode()
        headers = {}
        if result.authenticated and result.server_cred_type == "syncml:auth-MAC":
            headers["x-syncml-hmac"] = result.server_hmac(out)
        self.send(200, ctype if wbxml else XML_TYPE, out, headers)

    def plain(self, code: int, text: str) -> None:
        self.send(code, "text/plain; charset=utf-8", (text + "\n").encode(), {})

    def send(self, code: int, ctype: str, data: bytes, headers: Dict[str, str]) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--registry", required=True, type=Path, help="registry directory")
    ap.add_argument("--key", required=True, help="the master key file (hex)")
    ap.add_argument("--issuer-key", required=True, action="append",
                    help="a trusted issuer public key (PEM); repeatable")
    ap.add_argument("--import", dest="imports", action="append", default=[],
                    help="a descriptor to verify and add to the registry first")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    ap.add_argument("--log", help="log file (default: standard error)")
    args = ap.parse_args()

    log = open(args.log, "a", buffering=1) if args.log else sys.stderr
    key = dmboot.load_key(args.key)
    verifier = dmboot.Verifier(key=key, issuer_keys=[dmboot.PublicKey.load(p)
                                                     for p in args.issuer_key])
    args.registry.mkdir(parents=True, exist_ok=True)
    import_descriptors(args.imports, args.registry, verifier, log)
    registry = dmboot.Registry()
    registry.load_dir(args.registry, verifier)
    print(f"registry: {len(registry)} descriptor(s): {', '.join(registry.ids())}",
          file=log, flush=True)

    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    httpd.dm = Server(registry, key, log)  # type: ignore[attr-defined]
    print(f"listening on http://127.0.0.1:{httpd.server_address[1]}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
