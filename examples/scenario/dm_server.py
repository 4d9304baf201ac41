#!/usr/bin/env python3
"""A small OMA DM server that knows no device: only descriptors and a key.

    dm_server.py import --registry DIR --key MASTER.key --issuer-key ISSUER.pub DESCRIPTOR...
    dm_server.py serve  --registry DIR --key MASTER.key --issuer-key ISSUER.pub
                        [--port N] [--log FILE]

What the operator's side holds, and all this program is ever given: the
registry directory (one verified descriptor per batch), the master key and
the issuers' public keys. There is no per-device list, file or table: a
device is recognised by deriving, from the descriptor whose devid-match
covers its DevID and the master key, the credentials it must have.

``import`` verifies each descriptor (the issuer's Ed25519 signature with
--issuer-key, key-check and MAC with --key, validity dates; both signature
and MAC required), refuses one whose devid-match overlaps a descriptor
already there, and writes the good ones into the registry directory
(whole or not at all). One line per descriptor, with the reason for a
refusal; exit status 1 when any was refused.

``serve`` loads the registry (verified again) and answers SyncML DM
packages on 127.0.0.1 (HTTP POST, any path), as XML
(application/vnd.syncml.dm+xml) or WBXML (application/vnd.syncml.dm+wbxml,
or the older application/vnd.syncml+wbxml), in the encoding received:

  - a package authenticated with syncml:auth-md5 in its SyncHdr's Cred or
    with the x-syncml-hmac transport header, using the nonce the device
    must use (its derived client nonce on first contact, else the one this
    server issued), gets Status 212 for the SyncHdr, the server's own
    credential (Cred in the SyncHdr, or x-syncml-hmac over the reply) and a
    Chal with a fresh NextNonce for the device's next session;
  - a package without a credential (407), or with a wrong, stale or refused
    one (401), gets a Chal of the device's authentication type with a fresh
    NextNonce; the next package of that session must use it (the nonce
    state is in memory, keyed by DevID and SessionID);
  - a DevID that no descriptor covers gets 401 and no Chal.

Each request gives one log line: DevID, session, encoding, the decision and
its reason. It prints "listening on http://127.0.0.1:PORT/" once ready and
stops on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import base64
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional, TextIO, Tuple
from xml.sax.saxutils import escape

import dmboot

XML_TYPE = "application/vnd.syncml.dm+xml"
WBXML_TYPES = ("application/vnd.syncml.dm+wbxml", "application/vnd.syncml+wbxml")
SYNCML_NS = "SYNCML:SYNCML1.2"
MAX_BODY = 1 << 20
NONCE_LEN = 16

# The Meta/Type of a Chal, for a descriptor's client-auth-type.
CHAL_TYPE = {"DIGEST": "syncml:auth-md5", "HMAC": "syncml:auth-MAC", "BASIC": "syncml:auth-basic"}
# Reasons for which there is nothing to challenge: no descriptor covers the
# DevID (or it is not one), or the operator's key is wrong for it.
NO_CHALLENGE = ("no-descriptor", "not-covered", "devid-malformed", "wrong-key", "bad-message",
                "not-checkable", "error")


def verifier_for(key: bytes, issuer_keys: List[str]) -> dmboot.Verifier:
    """The operator's policy: the issuer's signature and the MAC (and the
    key-check, when there) must all be there and verify, and the
    descriptor must be valid today."""
    return dmboot.Verifier(key=key, issuer_keys=[dmboot.PublicKey.load(p) for p in issuer_keys],
                           require_signature=True, require_mac=True)


class Log:
    """One line per event, to a file or standard error, from any thread."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self.lock:
            print(time.strftime("%H:%M:%S"), line, file=self.out, flush=True)


# ---------------------------------------------------------------------------
# import

def import_descriptors(paths: List[str], registry_dir: Path, verifier: dmboot.Verifier,
                       log: Log) -> int:
    """Verify each descriptor, add it to a registry holding what the
    directory already has (which refuses an overlap), and write it into the
    directory atomically. Returns how many were refused."""
    registry_dir.mkdir(parents=True, exist_ok=True)
    trial = dmboot.Registry()
    trial.load_dir(registry_dir, verifier)
    refused = 0
    for path in paths:
        try:
            d = dmboot.Descriptor.load(path)
            trial.add(d, verifier)  # verifies, then refuses an id or devid-match overlap
        except dmboot.Error as e:
            refused += 1
            log(f"import REFUSED {path}: {e}")
            continue
        target = registry_dir / f"{d.id}.desc"
        tmp = registry_dir / f".{d.id}.desc.tmp"
        tmp.write_bytes(d.text.encode())
        os.replace(tmp, target)
        log(f"import OK {path}: descriptor '{d.id}' (devid-match {d.get('devid-match')}), "
            f"signature and MAC verified")
    return refused


# ---------------------------------------------------------------------------
# serve

class DMServer:
    """What the request threads share: the registry, the master key, and the
    nonces this server issued. Nothing else, and nothing per device beyond
    those nonces."""

    def __init__(self, registry: dmboot.Registry, key: bytes, log: Log) -> None:
        self.registry = registry
        self.key = key
        self.log = log
        self.lock = threading.Lock()
        # DevID -> the NextNonce its next session must use (set only when it
        # authenticated, so that failures cannot change it)
        self.next_nonce: Dict[str, bytes] = {}
        # (DevID, SessionID) -> the nonce of the Chal sent in that session
        self.chal_nonce: Dict[Tuple[str, str], bytes] = {}

    def expected_nonce(self, devid: str, session: str) -> Tuple[Optional[bytes], str]:
        """The nonce this package must use, and where it comes from: a Chal
        of this session, else the NextNonce of the device's last session,
        else None: a first contact, checked with the derived client nonce."""
        with self.lock:
            nonce = self.chal_nonce.pop((devid, session), None)
            if nonce is not None:
                return nonce, "nonce of this session's Chal"
            nonce = self.next_nonce.get(devid)
            if nonce is not None:
                return nonce, "NextNonce of the last session"
            return None, "first contact"

    def challenge(self, devid: str, session: str) -> bytes:
        nonce = dmboot.generate_nonce(NONCE_LEN)
        with self.lock:
            self.chal_nonce[(devid, session)] = nonce
        return nonce

    def authenticated(self, devid: str) -> bytes:
        nonce = dmboot.generate_nonce(NONCE_LEN)
        with self.lock:
            self.next_nonce[devid] = nonce
        return nonce

    def chal_type(self, result: dmboot.CheckResult) -> str:
        """The authentication the descriptor asks of its devices."""
        d = self.registry.find(result.descriptor_id) if result.descriptor_id else None
        auth = (d.get("client-auth-type") if d is not None else None) or "DIGEST"
        return CHAL_TYPE.get(auth.upper(), "syncml:auth-md5")


def syncml_reply(request: dmboot.SyncMLMessage, status: int,
                 chal: Optional[Tuple[str, bytes]], server_cred: Optional[Tuple[str, str]],
                 command_statuses: bool) -> str:
    """A reply package: Status for the SyncHdr (with the Chal), Status 200
    for each command when authenticated, the server's Cred in the SyncHdr."""
    f = request.fields()
    sess, msg = f.get("SessionID", ""), f.get("MsgID", "1")
    dev, srv = f.get("Source/LocURI", ""), f.get("Target/LocURI", "")
    cred = ""
    if server_cred is not None:
        cred = ("<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
                f"<Type xmlns='syncml:metinf'>{escape(server_cred[0])}</Type></Meta>"
                f"<Data>{escape(server_cred[1])}</Data></Cred>")
    chal_xml = ""
    if chal is not None:
        chal_xml = (f"<Chal><Meta><Type xmlns='syncml:metinf'>{chal[0]}</Type>"
                    "<Format xmlns='syncml:metinf'>b64</Format>"
                    f"<NextNonce xmlns='syncml:metinf'>{base64.b64encode(chal[1]).decode()}"
                    "</NextNonce></Meta></Chal>")
    statuses = [f"<Status><CmdID>1</CmdID><MsgRef>{escape(msg)}</MsgRef><CmdRef>0</CmdRef>"
                f"<Cmd>SyncHdr</Cmd><TargetRef>{escape(srv)}</TargetRef>"
                f"<SourceRef>{escape(dev)}</SourceRef>{chal_xml}<Data>{status}</Data></Status>"]
    if command_statuses:
        for i, cmd in enumerate(request.commands(), start=1):
            statuses.append(f"<Status><CmdID>{i + 1}</CmdID><MsgRef>{escape(msg)}</MsgRef>"
                            f"<CmdRef>{i}</CmdRef><Cmd>{escape(cmd)}</Cmd><Data>200</Data>"
                            "</Status>")
    return (f"<SyncML xmlns='{SYNCML_NS}'><SyncHdr><VerDTD>1.2</VerDTD>"
            f"<VerProto>DM/1.2</VerProto><SessionID>{escape(sess)}</SessionID>"
            f"<MsgID>{escape(msg)}</MsgID><Target><LocURI>{escape(dev)}</LocURI></Target>"
            f"<Source><LocURI>{escape(srv)}</LocURI></Source>{cred}</SyncHdr>"
            f"<SyncBody>{''.join(statuses)}<Final/></SyncBody></SyncML>")


class Handler(BaseHTTPRequestHandler):
    server_version = "dmboot-example-dm/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        pass  # one line per decision instead (DMServer.log)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        dm: DMServer = self.server.dm  # type: ignore[attr-defined]
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            dm.log(f"- REFUSED request: Content-Length {length} (1 to {MAX_BODY} bytes)")
            return self.plain(411 if length < 0 else 413, "bad Content-Length")
        body = self.rfile.read(length)
        wbxml = ctype in WBXML_TYPES
        if not wbxml and ctype != XML_TYPE:
            dm.log(f"- REFUSED request: unsupported media type '{ctype}'")
            return self.plain(415, f"unsupported media type '{ctype}'")
        enc = "wbxml" if wbxml else "xml"
        try:
            xml = dmboot.wbxml_to_xml(body) if wbxml else body.decode("utf-8")
            message = dmboot.SyncMLMessage.parse(xml)
        except (dmboot.Error, UnicodeDecodeError) as e:
            dm.log(f"- {enc} REFUSED malformed package: {e}")
            return self.plain(400, f"malformed SyncML DM package: {e}")

        devid = message.get("Source/LocURI") or "?"
        session = message.get("SessionID") or ""
        who = f"{devid} session {session} msg {message.get('MsgID')} {enc}"
        hmac = self.headers.get("x-syncml-hmac")
        nonce, nonce_from = dm.expected_nonce(devid, session)
        # (Registry's check_* methods are installed when dmboot has the OMA DM API)
        if hmac is not None:
            # the MAC covers the body as it travelled (the WBXML bytes for WBXML)
            result = dm.registry.check_hmac(  # type: ignore[attr-defined]
                devid, hmac, body, key=dm.key, nonce=nonce)
        else:
            result = dm.registry.check_message(  # type: ignore[attr-defined]
                xml, key=dm.key, nonce=nonce)

        server_cred: Optional[Tuple[str, str]] = None
        if result.authenticated:
            status, chal_type = 212, dm.chal_type(result)
            chal = (chal_type, dm.authenticated(devid))
            if result.server_cred_type != "syncml:auth-MAC":
                server_cred = (result.server_cred_type, result.server_cred())
            dm.log(f"{who} AUTHENTICATED ({result.client_cred_type}, {nonce_from}) under "
                   f"'{result.descriptor_id}': 212, server credential {result.server_cred_type},"
                   f" NextNonce for the next session")
        elif result.reason in NO_CHALLENGE:
            status, chal = 401, None
            dm.log(f"{who} REFUSED ({result.reason}): {result.message}; 401, no Chal")
        else:
            # ask for the descriptor's authentication with a fresh nonce:
            # 407 when there was no credential, 401 when it was refused
            status = 407 if result.reason == "no-credential" else 401
            chal = (dm.chal_type(result), dm.challenge(devid, session))
            dm.log(f"{who} REFUSED ({result.reason}, {nonce_from}): {result.message}; "
                   f"{status} with a Chal ({chal[0]}, fresh nonce)")
        reply = syncml_reply(message, status, chal, server_cred, command_statuses=status == 212)
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


def serve(args: argparse.Namespace, key: bytes, log: Log) -> int:
    registry = dmboot.Registry()
    registry.load_dir(args.registry, verifier_for(key, args.issuer_key))
    log(f"registry {args.registry}: {len(registry)} descriptor(s): {', '.join(registry.ids())}")
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    httpd.daemon_threads = True
    httpd.dm = DMServer(registry, key, log)  # type: ignore[attr-defined]

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"listening on http://127.0.0.1:{httpd.server_address[1]}/", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        log("stopped")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("import", "serve"):
        p = sub.add_parser(name)
        # the server's whole knowledge: these three
        p.add_argument("--registry", required=True, type=Path, help="registry directory")
        p.add_argument("--key", required=True, help="the master key file (hex)")
        p.add_argument("--issuer-key", required=True, action="append",
                       help="a trusted issuer public key (PEM); repeatable")
        p.add_argument("--log", help="log file (default: standard error)")
    sub.choices["import"].add_argument("descriptors", nargs="+", help="descriptor files")
    sub.choices["serve"].add_argument("--port", type=int, default=0,
                                      help="port on 127.0.0.1 (0: any free one)")
    args = ap.parse_args()

    out = open(args.log, "a", buffering=1) if args.log else sys.stderr
    log = Log(out)
    key = dmboot.load_key(args.key)
    if args.command == "import":
        refused = import_descriptors(args.descriptors, args.registry,
                                     verifier_for(key, args.issuer_key), log)
        return 1 if refused else 0
    return serve(args, key, log)


if __name__ == "__main__":
    sys.exit(main())
