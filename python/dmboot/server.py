"""dmboot.server: the operator's OMA DM first-contact server (docs/server.md).

A WSGI application that authenticates devices from a registry of verified
descriptors and the master key alone (no per-device data but the nonces it
issued), with its nonce state in a durable store shared by every process:

    from dmboot.server import DMServer, SQLiteStore
    app = DMServer(registry, key, SQLiteStore("/var/lib/dmboot/nonces.db"))

and a command that imports descriptors and serves the application with
waitress in several processes::

    dmboot-server import --registry DIR --key MASTER.key --issuer-key ACME.pub DESC...
    dmboot-server serve  --registry DIR --key MASTER.key --issuer-key ACME.pub \\
                         --store sqlite:/var/lib/dmboot/nonces.db --workers 2 --port 8080

A session, as OMA DM 1.2/1.3 security has it:

1. The device's package 1 carries its credential (md5 ``<Cred>`` or the
   ``x-syncml-hmac`` header) made with the nonce it holds: the derived
   client nonce on its very first contact (accepted once per device, for
   ever), else the NextNonce this server gave it at its last 212 (used once).
2. Authenticated: Status 212 for the SyncHdr, with a Chal carrying the
   NextNonce for the device's next session, a Status 200 for each command,
   the server's own credential (made with the nonce the device last gave
   the server), a ``Get`` of ``./DevInfo/DevId`` and ``RespURI`` (this
   session's token), so that the device answers with its Status package;
   a Chal the device puts there for the server is remembered, and the
   server's credential of its next session uses that nonce.
3. Not authenticated: 407 (no credential) or 401 with a Chal with a fresh
   nonce on the SyncHdr's Status, the same code for each command, and
   RespURI; the next package of the session must use that nonce. Two
   Chals per session at most, then 401 without a Chal. A DevID that no
   descriptor covers, a malformed one, an expired descriptor, a wrong
   key: 401 without a Chal.

Packages: ``application/vnd.syncml.dm+xml``, ``+wbxml`` and the older
``application/vnd.syncml+xml``, ``+wbxml``, answered in the type received.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import dmboot
from dmboot import native

from ._store import RedisStore, Session, SQLiteStore, Store, open_store

__all__ = ["DMServer", "Store", "SQLiteStore", "RedisStore", "open_store", "MEDIA_TYPES",
           "import_descriptors", "main"]

XML_TYPES = ("application/vnd.syncml.dm+xml", "application/vnd.syncml+xml")
WBXML_TYPES = ("application/vnd.syncml.dm+wbxml", "application/vnd.syncml+wbxml")
MEDIA_TYPES = XML_TYPES + WBXML_TYPES
SYNCML_NS = "SYNCML:SYNCML1.2"

# The Meta/Type of a Chal, for a descriptor's client-auth-type / auth-pref.
CHAL_TYPE = {"DIGEST": "syncml:auth-md5", "HMAC": "syncml:auth-MAC",
             "BASIC": "syncml:auth-basic"}
# Nothing to challenge: no descriptor for the DevID (or it is not one), the
# operator's key is wrong for it, the descriptor is not valid now, or the
# check could not run.
NO_CHALLENGE = frozenset(("no-descriptor", "not-covered", "devid-malformed", "wrong-key",
                          "unknown-key", "bad-message", "not-checkable", "not-valid", "error"))

log = logging.getLogger("dmboot.server")


@dataclass
class _Command:
    name: str
    cmd_id: str
    element: ET.Element = field(repr=False)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].split(":")[-1]


def _child(e: ET.Element, name: str) -> Optional[ET.Element]:
    for c in e:
        if _local(c.tag) == name:
            return c
    return None


def _text(e: Optional[ET.Element], *path: str) -> str:
    for name in path:
        if e is None:
            return ""
        e = _child(e, name)
    return (e.text or "").strip() if e is not None else ""


def _commands(root: ET.Element) -> List[_Command]:
    body = _child(root, "SyncBody")
    if body is None:
        return []
    return [_Command(_local(c.tag), _text(c, "CmdID"), c) for c in body
            if _local(c.tag) != "Final"]


class _Header:
    """A package's SyncHdr values, read from the C parser once."""

    __slots__ = ("_f",)

    def __init__(self, msg: _Header) -> None:
        self._f = msg.fields()

    def fields(self) -> Dict[str, str]:
        return self._f

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return self._f.get(name, default)


class _Reply:
    """A reply package, built as XML text."""

    def __init__(self, req: "_Header", msg_id: int) -> None:
        f = req.fields()
        self.session = f.get("SessionID", "")
        self.msg_ref = f.get("MsgID", "1")
        self.devid = f.get("Source/LocURI", "")
        self.server = f.get("Target/LocURI", "")
        self.msg_id = msg_id
        self.cmd_id = 0
        self.parts: List[str] = []
        self.resp_uri: Optional[str] = None
        self.cred: Optional[Tuple[str, str]] = None

    def _next(self) -> int:
        self.cmd_id += 1
        return self.cmd_id

    def status_hdr(self, code: int, chal: Optional[Tuple[str, bytes]] = None) -> None:
        chal_xml = ""
        if chal is not None:
            chal_xml = (f"<Chal><Meta><Type xmlns='syncml:metinf'>{escape(chal[0])}</Type>"
                        "<Format xmlns='syncml:metinf'>b64</Format>"
                        f"<NextNonce xmlns='syncml:metinf'>{base64.b64encode(chal[1]).decode()}"
                        "</NextNonce></Meta></Chal>")
        self.parts.append(
            f"<Status><CmdID>{self._next()}</CmdID><MsgRef>{escape(self.msg_ref)}</MsgRef>"
            f"<CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><TargetRef>{escape(self.server)}</TargetRef>"
            f"<SourceRef>{escape(self.devid)}</SourceRef>{chal_xml}<Data>{code}</Data></Status>")

    def status_cmds(self, commands: Iterable[_Command], code: int) -> None:
        for c in commands:
            if c.name == "Status":
                continue  # no Status for a Status
            self.parts.append(
                f"<Status><CmdID>{self._next()}</CmdID><MsgRef>{escape(self.msg_ref)}</MsgRef>"
                f"<CmdRef>{escape(c.cmd_id)}</CmdRef><Cmd>{escape(c.name)}</Cmd>"
                f"<Data>{code}</Data></Status>")

    def get(self, uris: Iterable[str]) -> None:
        items = "".join(f"<Item><Target><LocURI>{escape(u)}</LocURI></Target></Item>"
                        for u in uris)
        self.parts.append(f"<Get><CmdID>{self._next()}</CmdID>{items}</Get>")

    def xml(self) -> str:
        cred = ""
        if self.cred is not None:
            cred = ("<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
                    f"<Type xmlns='syncml:metinf'>{escape(self.cred[0])}</Type></Meta>"
                    f"<Data>{escape(self.cred[1])}</Data></Cred>")
        resp = f"<RespURI>{escape(self.resp_uri)}</RespURI>" if self.resp_uri else ""
        return (f"<SyncML xmlns='{SYNCML_NS}'><SyncHdr><VerDTD>1.2</VerDTD>"
                f"<VerProto>DM/1.2</VerProto><SessionID>{escape(self.session)}</SessionID>"
                f"<MsgID>{self.msg_id}</MsgID><Target><LocURI>{escape(self.devid)}</LocURI>"
                f"</Target><Source><LocURI>{escape(self.server)}</LocURI></Source>{resp}{cred}"
                f"</SyncHdr><SyncBody>{''.join(self.parts)}<Final/></SyncBody></SyncML>")


class _HTTPError(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code = code


_REASONS = {200: "OK", 400: "Bad Request", 405: "Method Not Allowed", 411: "Length Required",
            413: "Payload Too Large", 415: "Unsupported Media Type",
            500: "Internal Server Error"}


def printable(s: str, limit: int = 80) -> str:
    """Untrusted text for a log line: printable ASCII, cut."""
    out = "".join(c if " " <= c <= "~" else "?" for c in s[:limit])
    return out + ("..." if len(s) > limit else "")


class DMServer:
    """The WSGI application. ``registry``: a :class:`dmboot.Registry` of
    verified descriptors; ``key``: the operator's master key (bytes), or
    None when the registry has a keyring (``dmboot.Registry(keyring=)``:
    each descriptor's key-id picks its master key; a key-id it lacks is 401
    without a Chal); ``store``: the nonce state (:class:`SQLiteStore`,
    :class:`RedisStore`). Thread-safe; several processes may share one
    store."""

    def __init__(self, registry: dmboot.Registry, key: Optional[bytes] = None,
                 store: Optional[Store] = None, *, max_body: int = 256 << 10, session_ttl: float = 300.0, max_chals: int = 2,
                 max_commands: int = 1000,
                 nonce_len: int = 16, get_uris: Iterable[str] = ("./DevInfo/DevId",),
                 public_url: Optional[str] = None) -> None:
        if store is None:
            raise ValueError("a store is needed (SQLiteStore, RedisStore)")
        self.registry = registry
        self.key = key
        self.store = store
        self.max_body = max_body
        self.max_commands = max_commands
        self.session_ttl = session_ttl
        self.max_chals = max_chals
        self.nonce_len = nonce_len
        self.get_uris = list(get_uris)
        self.public_url = public_url

    # ---- WSGI ---------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> List[bytes]:
        try:
            code, ctype, body, headers = self._handle(environ)
        except _HTTPError as e:
            log.info("- REFUSED request: %s (%d)", e, e.code)
            code, ctype, body, headers = e.code, "text/plain; charset=utf-8", \
                (str(e) + "\n").encode(), {}
        except Exception as e:  # a bug: one line, no traceback to the client
            log.error("- ERROR %s: %s", type(e).__name__, e)
            code, ctype, body, headers = 500, "text/plain; charset=utf-8", \
                b"internal error\n", {}
        hdrs = [("Content-Type", ctype), ("Content-Length", str(len(body)))]
        hdrs += list(headers.items())
        start_response(f"{code} {_REASONS.get(code, 'Error')}", hdrs)
        return [body]

    def _read_body(self, environ: dict) -> bytes:
        if environ.get("REQUEST_METHOD") != "POST":
            raise _HTTPError(405, "POST a SyncML DM package")
        ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if ctype not in MEDIA_TYPES:
            raise _HTTPError(415, f"unsupported media type '{printable(ctype)}'")
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            raise _HTTPError(411, "a Content-Length is needed") from None
        if not 0 < length <= self.max_body:
            raise _HTTPError(413 if length > 0 else 400,
                             f"Content-Length {length} (1 to {self.max_body} bytes)")
        stream = environ["wsgi.input"]
        chunks, got = [], 0
        while got < length:
            chunk = stream.read(length - got)
            if not chunk:
                raise _HTTPError(400, f"body ended after {got} of {length} bytes")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _url(self, environ: dict) -> str:
        if self.public_url:
            return self.public_url
        host = environ.get("HTTP_HOST") or (
            f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}")
        return (f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
                f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}")

    # ---- a package ------------------------------------------------------------

    def _handle(self, environ: dict) -> Tuple[int, str, bytes, Dict[str, str]]:
        body = self._read_body(environ)
        ctype = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        wbxml = ctype in WBXML_TYPES
        enc = "wbxml" if wbxml else "xml"
        try:
            xml = dmboot.wbxml_to_xml(body) if wbxml else body.decode("utf-8")
            msg = _Header(dmboot.SyncMLMessage.parse(xml))
            # dmboot's reader accepted it (no DTD subset, no entities): the
            # commands' CmdIDs and Statuses come from ElementTree
            root = ET.fromstring(xml.encode("utf-8"))
        except (dmboot.Error, UnicodeError, ET.ParseError) as e:
            raise _HTTPError(400, f"malformed SyncML DM package ({enc}): {e}") from None
        sync_body = _child(root, "SyncBody")
        if sync_body is not None and len(sync_body) > self.max_commands + 1:  # (+ Final)
            # each would get a Status: a 1 MiB package of <Get/>s made 17 MB
            # of reply and a second of work, before any authentication
            raise _HTTPError(413, f"more than {self.max_commands} commands in a package")
        token = (parse_qs(environ.get("QUERY_STRING", "")).get("s") or [""])[0]
        session = self.store.get_session(token) if token else None
        raw_devid = msg.get("Source/LocURI") or ""
        who = (f"{printable(raw_devid)} session {printable(msg.get('SessionID') or '')} "
               f"msg {printable(msg.get('MsgID') or '')} {enc}")
        if session is not None and session.state == "auth":
            reply, headers = self._status_package(session, msg, root, who)
        else:
            reply, headers = self._authenticate(environ, session, msg, xml, body, root,
                                                environ.get("HTTP_X_SYNCML_HMAC"), who)
        out = dmboot.xml_to_wbxml(reply.xml()) if wbxml else reply.xml().encode()
        if "hmac" in headers:  # the server's x-syncml-hmac covers the reply as sent
            result, nonce = headers.pop("hmac")  # type: ignore[misc]
            headers["x-syncml-hmac"] = result.server_hmac(out, nonce)
        return 200, ctype, out, headers

    def _lookup(self, devid: str) -> Tuple[Optional[dmboot.Descriptor], str]:
        """The descriptor covering the DevID and the normalized DevID
        (None, "" when none covers it or it is malformed)."""
        try:
            return self.registry.lookup(devid)
        except dmboot.Error:
            return None, ""

    def _authenticate(self, environ: dict, session: Optional[Session],
                      msg: _Header, xml: str, body: bytes, root: ET.Element,
                      hmac: Optional[str], who: str):
        raw_devid = msg.get("Source/LocURI") or ""
        d, devid = self._lookup(raw_devid)
        commands = _commands(root)
        if session is not None and (session.devid != devid or
                                    session.session_id != (msg.get("SessionID") or "")):
            session = None  # another device's or session's token: a new session
        if session is not None and session.chal is None:
            # its Chal's nonce was used a moment ago by another request
            # (this one is a copy racing it): nothing for it, and the
            # session is left to the request that used it
            log.info("%s REFUSED (replayed): the Chal of this session was just answered; 401, "
                     "no Chal", who)
            reply = _Reply(msg, session.msg_id + 1)
            reply.status_hdr(401)
            reply.status_cmds(commands, 401)
            return reply, {}
        # The nonce this package must use, and where it comes from.
        nonce: Optional[bytes] = None
        server_nonce: Optional[bytes] = None
        source, kind = "first contact", "first"  # kind: which nonce Store.accept uses
        if d is not None:
            first_used, next_nonce, server_nonce = self.store.device(devid)
            if session is not None and session.chal is not None:
                nonce, source, kind = session.chal, "the Chal of this session", "chal"
            elif next_nonce is not None:
                nonce, source, kind = next_nonce, "the NextNonce of its last session", "next"
            elif first_used:
                # nothing this device may use: any credential fails
                nonce, source, kind = (dmboot.generate_nonce(16), "no valid nonce (first used)",
                                       "next")
        # (key None: the registry's keyring picks the key by key-id)
        if hmac is not None:  # the MAC covers the body as it travelled
            result = self.registry.check_hmac(  # type: ignore[attr-defined]
                raw_devid, hmac, body, key=self.key, nonce=nonce)
        else:
            result = self.registry.check_message(  # type: ignore[attr-defined]
                xml, key=self.key, nonce=nonce)
        reason, message = result.reason, result.message
        if result.authenticated:
            devid = result.devid  # the normalized DevID, the state's key
            next_nonce = dmboot.generate_nonce(self.nonce_len)
            msg_id = (session.msg_id if session is not None else 0) + 1
            token = session.token if session is not None else secrets.token_urlsafe(18)
            new = Session(token, devid, msg.get("SessionID") or "", "auth", None,
                          session.chals if session else 0, msg_id, result.descriptor_id or "")
            if self.store.accept(devid, kind, nonce, token, next_nonce, new, self.session_ttl):
                return self._accepted(environ, new, msg, commands, result, source,
                                      next_nonce, server_nonce, who)
            # the same package (or another with the same nonce) was accepted
            # meanwhile, here or by another process: a replay, which gets
            # nothing, and leaves the session that won alone
            log.info("%s REFUSED (replayed): the nonce (%s) was already used; 401, no Chal",
                     who, source)
            reply = _Reply(msg, (session.msg_id if session is not None else 0) + 1)
            reply.status_hdr(401)
            reply.status_cmds(commands, 401)
            return reply, {}
        chals = (session.chals if session is not None else 0) + 1
        msg_id = (session.msg_id if session is not None else 0) + 1
        reply = _Reply(msg, msg_id)
        if reason in NO_CHALLENGE or chals > self.max_chals:
            if session is not None:  # (not one whose answer was accepted meanwhile)
                self.store.drop_chal_session(session.token)
            why = "too many Chals in this session" if chals > self.max_chals and \
                reason not in NO_CHALLENGE else "nothing to challenge"
            log.info("%s REFUSED (%s): %s; 401, no Chal (%s)", who, reason, message, why)
            reply.status_hdr(401)
            reply.status_cmds(commands, 401)
            return reply, {}
        code = 407 if reason == "no-credential" else 401
        chal_nonce = dmboot.generate_nonce(self.nonce_len)
        token = session.token if session is not None else secrets.token_urlsafe(18)
        new = Session(token, devid, msg.get("SessionID") or "", "chal", chal_nonce, chals,
                      msg_id, d.id if d else "")
        if session is None:
            self.store.put_session(new, self.session_ttl)
        elif not self.store.rechal(new, session.chals, self.session_ttl):
            # another request of this session changed it since it was read
            # (its answer accepted, or another Chal given): this one gets
            # nothing, so that copies sent at once neither get more Chals
            # than max_chals nor overwrite an accepted session
            log.info("%s REFUSED (%s): %s; 401, no Chal (the session changed meanwhile)",
                     who, reason, message)
            reply.status_hdr(401)
            reply.status_cmds(commands, 401)
            return reply, {}
        chal_type = self._chal_type(d)
        reply.resp_uri = f"{self._url(environ)}?s={token}"
        reply.status_hdr(code, (chal_type, chal_nonce))
        reply.status_cmds(commands, code)
        log.info("%s REFUSED (%s, %s): %s; %d with Chal %d of %d (%s)", who, reason, source,
                 message, code, chals, self.max_chals, chal_type)
        return reply, {}

    def _accepted(self, environ: dict, session: Session, msg: _Header,
                  commands: List[_Command], result: dmboot.CheckResult, source: str,
                  next_nonce: bytes, server_nonce: Optional[bytes], who: str):
        """Authenticated (its nonce used, the new NextNonce and the session
        stored): the 212 reply. server_nonce: the nonce the device last gave
        the server (None: the derived one)."""
        devid = session.devid
        d = self.registry.find(result.descriptor_id) if result.descriptor_id else None
        reply = _Reply(msg, session.msg_id)
        reply.resp_uri = f"{self._url(environ)}?s={session.token}"
        reply.status_hdr(212, (self._chal_type(d), next_nonce))
        reply.status_cmds(commands, 200)
        if self.get_uris:
            reply.get(self.get_uris)
        headers: Dict[str, object] = {}
        stype = result.server_cred_type
        if stype == "syncml:auth-MAC":
            headers["hmac"] = (result, server_nonce)
        elif stype is not None:
            reply.cred = (stype, result.server_cred(server_nonce))
        log.info("%s AUTHENTICATED as %s (%s, %s) under '%s': 212, server credential %s "
                 "(%s nonce), NextNonce, Get", who, devid, result.client_cred_type, source,
                 result.descriptor_id, stype, "the device's" if server_nonce else "derived")
        return reply, headers

    def _status_package(self, session: Session, msg: _Header, root: ET.Element,
                        who: str):
        """The device's answer to a 212 reply: its Statuses (one may carry
        a Chal for the server) and Results. The session ends here."""
        commands = _commands(root)
        reply = _Reply(msg, session.msg_id + 1)
        _, devid = self._lookup(msg.get("Source/LocURI") or "")
        if devid != session.devid or (msg.get("SessionID") or "") != session.session_id:
            log.info("%s REFUSED: not the DevID or SessionID of the session token; 401", who)
            reply.status_hdr(401)
            reply.status_cmds(commands, 401)
            return reply, {}
        answers = [c for c in commands if c.name == "Status" and
                   _text(c.element, "Cmd") == "SyncHdr" and
                   _text(c.element, "MsgRef") == str(session.msg_id)]
        if not answers:
            # not the answer to our 212 message (a replayed package 1, say):
            # nothing for it, and the session still waits for the device's
            log.info("%s REFUSED: no Status for the server's message %d in a session waiting "
                     "for one; 401, no Chal", who, session.msg_id)
            reply.status_hdr(401)
            reply.status_cmds(commands, 401)
            return reply, {}
        self.store.delete_session(session.token)
        verdict, chal = "", ""
        for c in commands:
            if c.name != "Status" or _text(c.element, "Cmd") != "SyncHdr":
                continue
            verdict = _text(c.element, "Data")
            ch = _child(c.element, "Chal")
            nn = _text(ch, "Meta", "NextNonce") if ch is not None else ""
            if nn:
                try:
                    nonce = dmboot.base64_decode(nn)  # canonical, as the core reads it
                except dmboot.ParseError:
                    chal = "a Chal whose NextNonce is not base64 (ignored)"
                    continue
                if not 0 < len(nonce) <= native.DMBOOT_NONCE_MAX:
                    chal = (f"a Chal whose NextNonce has {len(nonce)} bytes, not 1 to "
                            f"{native.DMBOOT_NONCE_MAX} (ignored)")
                    continue
                self.store.set_server_nonce(session.devid, nonce)
                chal = "a Chal: the server's next credential uses its nonce"
        results = [c for c in commands if c.name == "Results"]
        reply.status_hdr(200)
        reply.status_cmds(commands, 200)
        log.info("%s STATUS package: server credential %s, %d Results%s; session ends", who,
                 {"212": "accepted", "200": "accepted"}.get(verdict, f"status {verdict or '?'}"),
                 len(results), f", {chal}" if chal else "")
        return reply, {}

    def _chal_type(self, d: Optional[dmboot.Descriptor]) -> str:
        auth = None
        if d is not None:
            auth = d.get("client-auth-type") or d.get("auth-pref")
        return CHAL_TYPE.get((auth or "DIGEST").upper(), "syncml:auth-md5")


# ---------------------------------------------------------------------------
# import

LOCK_NAME = ".dmboot-registry.lock"


def _write_exclusive(directory: str, name: str, data: bytes) -> None:
    """Write directory/name whole or not at all: a new temporary file
    (O_EXCL, O_NOFOLLOW: never through a planted link), flushed, renamed."""
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    tmp = f".{name}.{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o644, dir_fd=dfd)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        os.fsync(dfd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass
        raise
    finally:
        os.close(dfd)


def import_descriptors(paths: Iterable[str], registry_dir: str,
                       verifier: dmboot.Verifier) -> List[Tuple[str, Optional[str], str]]:
    """Verify each descriptor and add it to the registry directory, under
    the registry lock (the one ``dmboot registry add`` takes), refusing an
    id or devid-match overlap. Returns (path, id or None, message) for each."""
    import fcntl

    os.makedirs(registry_dir, mode=0o755, exist_ok=True)
    out: List[Tuple[str, Optional[str], str]] = []
    lock = os.open(os.path.join(registry_dir, LOCK_NAME),
                   os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        fcntl.lockf(lock, fcntl.LOCK_EX)
        trial = dmboot.Registry()
        trial.load_dir(registry_dir)  # what is there was verified when it was added
        for path in paths:
            try:
                d = dmboot.Descriptor.load(path)
                trial.add(d, verifier)
            except dmboot.Error as e:
                out.append((path, None, str(e)))
                continue
            _write_exclusive(registry_dir, f"{d.id}.desc", d.text.encode())
            out.append((path, d.id, f"descriptor '{d.id}' (devid-match "
                                    f"{d.get('devid-match')}), verified"))
    finally:
        os.close(lock)
    return out


def main(argv: Optional[List[str]] = None) -> int:
    from ._serve import main as serve_main

    return serve_main(argv)


if __name__ == "__main__":  # python -m dmboot.server
    raise SystemExit(main())
