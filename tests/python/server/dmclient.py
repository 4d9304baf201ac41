"""An OMA DM client written independently of dmboot.server, behaving as a
deployed client (libdmclient, a handset's DM agent) does:

- package 1: Alert 1201 and a Replace of ./DevInfo, with the md5 <Cred>
  (or the x-syncml-hmac transport header) made with the nonce it holds;
- it follows RespURI for every later message of the session;
- after a 401/407 it takes the NextNonce of the Chal in the Status for the
  SyncHdr and re-sends ONLY the commands whose Status was 401 or 407
  (a server that sent a Status for the SyncHdr alone gets nothing re-sent
  and the session ends);
- after 212 it checks the server's credential with the nonce it holds for
  the server, keeps the NextNonce for its next session, answers the
  server's commands (Results for a Get) with its Status package, in which
  it MAY challenge the server (a Chal with a fresh NextNonce for the
  server, which the server's credential must use from the next session).

Credentials are computed here with hashlib (OMA DM security), not with
dmboot; WBXML uses dmboot's encoder (libwbxml2, what clients use).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import dmboot  # WBXML only


def b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def md5_cred(name: str, secret: str, nonce: bytes) -> str:
    inner = b64(hashlib.md5(f"{name}:{secret}".encode()).digest())
    return b64(hashlib.md5(inner.encode() + b":" + nonce).digest())


def hmac_mac(name: str, secret: str, nonce: bytes, body: bytes) -> str:
    inner = b64(hashlib.md5(f"{name}:{secret}".encode()).digest())
    return b64(hashlib.md5(inner.encode() + b":" + nonce + b":" +
                           b64(hashlib.md5(body).digest()).encode()).digest())


def parse_hmac(value: str) -> Dict[str, str]:
    out = {}
    for part in value.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip().lower()] = v.strip().strip('"')
    return out


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child(e: Optional[ET.Element], *path: str) -> Optional[ET.Element]:
    for name in path:
        if e is None:
            return None
        e = next((c for c in e if local(c.tag) == name), None)
    return e


def text(e: Optional[ET.Element], *path: str) -> str:
    e = child(e, *path)
    return (e.text or "").strip() if e is not None else ""


@dataclass
class Device:
    devid: str
    url: str
    auth: str  # "DIGEST" or "HMAC"
    name: str
    secret: str
    nonce: bytes  # the nonce its next credential uses
    srv_name: str
    srv_secret: str
    srv_nonce: bytes  # the nonce the server's credential must use
    ctype: str = "application/vnd.syncml.dm+xml"
    challenge_server: bool = False
    server_chal_text: Optional[str] = None  # a NextNonce sent as is (bad input)
    send_devid: Optional[str] = None  # another spelling in Source/LocURI
    session_counter: int = field(default_factory=lambda: int.from_bytes(os.urandom(2), "big"))

    @classmethod
    def from_account(cls, acc, url: str, descriptor, **kw) -> "Device":
        return cls(devid=acc.devid, url=url, auth=descriptor.get("client-auth-type") or "DIGEST",
                   name=acc.name, secret=acc.client_secret, nonce=acc.client_nonce,
                   srv_name=descriptor.server_id, srv_secret=acc.server_secret,
                   srv_nonce=acc.server_nonce, **kw)

    @property
    def wbxml(self) -> bool:
        return self.ctype.endswith("wbxml")


@dataclass
class Exchange:
    status: int  # HTTP status
    body: bytes  # as received
    xml: str
    root: Optional[ET.Element]
    headers: Dict[str, str]

    def hdr_status(self) -> Tuple[str, Optional[bytes]]:
        """The Status for our SyncHdr: its code and its Chal's NextNonce."""
        for st in self.statuses():
            if text(st, "Cmd") == "SyncHdr":
                nn = text(st, "Chal", "Meta", "NextNonce")
                return text(st, "Data"), base64.b64decode(nn) if nn else None
        return "", None

    def statuses(self) -> List[ET.Element]:
        body = child(self.root, "SyncBody")
        return [c for c in body if local(c.tag) == "Status"] if body is not None else []

    def commands(self) -> List[ET.Element]:
        body = child(self.root, "SyncBody")
        return [c for c in body if local(c.tag) not in ("Status", "Final")] \
            if body is not None else []

    def resp_uri(self) -> str:
        return text(self.root, "SyncHdr", "RespURI")


def post(url: str, body: bytes, ctype: str, headers: Optional[Dict[str, str]] = None,
         timeout: float = 10) -> Tuple[int, bytes, Dict[str, str]]:
    u = urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        path = u.path + (f"?{u.query}" if u.query else "")
        h = {"Content-Type": ctype, **(headers or {})}
        conn.request("POST", path or "/", body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


@dataclass
class SessionLog:
    path: List[str] = field(default_factory=list)  # SyncHdr statuses, e.g. ["407", "212"]
    resent: List[List[str]] = field(default_factory=list)  # commands re-sent after each Chal
    server_ok: Optional[bool] = None
    final: Optional[Exchange] = None
    first_package: bytes = b""
    first_headers: Dict[str, str] = field(default_factory=dict)

    @property
    def authenticated(self) -> bool:
        return bool(self.path) and self.path[-1] == "212"


class Client:
    """Runs sessions for one Device."""

    def __init__(self, dev: Device, app=None) -> None:
        self.dev = dev
        self.app = app  # a WSGI app to call in-process instead of HTTP

    # ---- messages -----------------------------------------------------------

    def _hdr(self, session: str, msg_id: int, cred: Optional[str]) -> str:
        d = self.dev
        c = ""
        if cred is not None:
            c = ("<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
                 "<Type xmlns='syncml:metinf'>syncml:auth-md5</Type></Meta>"
                 f"<Data>{cred}</Data></Cred>")
        return (f"<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>"
                f"<SessionID>{session}</SessionID><MsgID>{msg_id}</MsgID>"
                f"<Target><LocURI>{escape(d.url)}</LocURI></Target>"
                f"<Source><LocURI>{escape(d.send_devid or d.devid)}</LocURI>"
                f"<LocName>{escape(d.name)}</LocName></Source>{c}"
                "<Meta><MaxMsgSize xmlns='syncml:metinf'>16000</MaxMsgSize></Meta></SyncHdr>")

    def package1_commands(self) -> Dict[str, str]:
        d = self.dev

        def item(uri: str, value: str) -> str:
            return (f"<Item><Source><LocURI>{uri}</LocURI></Source>"
                    f"<Meta><Format xmlns='syncml:metinf'>chr</Format></Meta>"
                    f"<Data>{escape(value)}</Data></Item>")

        return {
            "1": "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>",
            "2": ("<Replace><CmdID>2</CmdID>" + item("./DevInfo/DevId", d.devid)
                  + item("./DevInfo/Man", "ACME") + item("./DevInfo/Mod", "X1")
                  + item("./DevInfo/DmV", "1.2") + item("./DevInfo/Lang", "en-US")
                  + "</Replace>"),
        }

    def message(self, session: str, msg_id: int, commands: List[str],
                with_cred: bool = True) -> Tuple[bytes, Dict[str, str]]:
        d = self.dev
        cred = md5_cred(d.name, d.secret, d.nonce) if with_cred and d.auth == "DIGEST" else None
        xml = ("<?xml version='1.0' encoding='UTF-8'?><SyncML xmlns='SYNCML:SYNCML1.2'>"
               + self._hdr(session, msg_id, cred) + "<SyncBody>" + "".join(commands)
               + "<Final/></SyncBody></SyncML>")
        body = dmboot.xml_to_wbxml(xml) if d.wbxml else xml.encode()
        headers = {}
        if with_cred and d.auth == "HMAC":
            mac = hmac_mac(d.name, d.secret, d.nonce, body)
            headers["x-syncml-hmac"] = f'algorithm=MD5, username="{d.name}", mac={mac}'
        return body, headers

    def send(self, url: str, body: bytes, headers: Dict[str, str]) -> Exchange:
        if self.app is not None:
            code, raw, rh = call_app(self.app, url, body, self.dev.ctype, headers)
        else:
            code, raw, rh = post(url, body, self.dev.ctype, headers)
        if code != 200:
            return Exchange(code, raw, "", None, rh)
        assert rh.get("content-type") == self.dev.ctype, rh
        xml = dmboot.wbxml_to_xml(raw) if self.dev.wbxml else raw.decode()
        return Exchange(code, raw, xml, ET.fromstring(xml.encode()), rh)

    def server_cred_ok(self, ex: Exchange) -> bool:
        d = self.dev
        if d.auth == "HMAC":
            h = parse_hmac(ex.headers.get("x-syncml-hmac", ""))
            return (h.get("username") == d.srv_name and
                    h.get("mac") == hmac_mac(d.srv_name, d.srv_secret, d.srv_nonce, ex.body))
        data = text(ex.root, "SyncHdr", "Cred", "Data")
        return data == md5_cred(d.srv_name, d.srv_secret, d.srv_nonce)

    # ---- a session ----------------------------------------------------------

    def session(self, *, with_cred: bool = True, session_id: Optional[str] = None,
                max_rounds: int = 4) -> SessionLog:
        d = self.dev
        d.session_counter += 1
        sid = session_id or format(d.session_counter, "X")
        out = SessionLog()
        pending = self.package1_commands()
        url, msg_id = d.url, 1
        body, headers = self.message(sid, msg_id, list(pending.values()), with_cred)
        out.first_package, out.first_headers = body, headers
        for _ in range(max_rounds):
            ex = self.send(url, body, headers)
            if ex.status != 200:
                out.path.append(f"http-{ex.status}")
                return out
            code, nn = ex.hdr_status()
            out.path.append(code)
            if nn is not None:
                d.nonce = nn  # the server's NextNonce: our next credential uses it
            url = ex.resp_uri() or url
            if code in ("401", "407"):
                if nn is None:
                    return out  # no Chal: the session is over
                # re-send only the commands that got 401/407
                again = [text(st, "CmdRef") for st in ex.statuses()
                         if text(st, "Cmd") != "SyncHdr" and text(st, "Data") in ("401", "407")]
                out.resent.append([c for c in again if c in pending])
                if not again:
                    return out
                msg_id += 1
                body, headers = self.message(sid, msg_id, [pending[c] for c in again
                                                           if c in pending])
                continue
            if code != "212":
                return out
            out.server_ok = self.server_cred_ok(ex)
            # the Status package: Status for the server's SyncHdr (with a
            # Chal for the server when asked), Status and Results for its
            # commands
            msg_id += 1
            srv_msg = text(ex.root, "SyncHdr", "MsgID")
            parts = []
            chal = ""
            if d.challenge_server:
                new = os.urandom(16)
                chal = ("<Chal><Meta><Type xmlns='syncml:metinf'>"
                        + ("syncml:auth-MAC" if d.auth == "HMAC" else "syncml:auth-md5")
                        + "</Type><Format xmlns='syncml:metinf'>b64</Format>"
                        "<NextNonce xmlns='syncml:metinf'>"
                        f"{d.server_chal_text or b64(new)}</NextNonce></Meta></Chal>")
            parts.append(f"<Status><CmdID>1</CmdID><MsgRef>{srv_msg}</MsgRef><CmdRef>0</CmdRef>"
                         f"<Cmd>SyncHdr</Cmd>{chal}"
                         f"<Data>{'212' if out.server_ok else '401'}</Data></Status>")
            cid = 1
            for c in ex.commands():
                cid += 1
                parts.append(f"<Status><CmdID>{cid}</CmdID><MsgRef>{srv_msg}</MsgRef>"
                             f"<CmdRef>{text(c, 'CmdID')}</CmdRef><Cmd>{local(c.tag)}</Cmd>"
                             "<Data>200</Data></Status>")
                if local(c.tag) == "Get":
                    cid += 1
                    items = "".join(
                        f"<Item><Source><LocURI>{escape(text(i, 'Target', 'LocURI'))}</LocURI>"
                        f"</Source><Data>{escape(d.devid)}</Data></Item>"
                        for i in c if local(i.tag) == "Item")
                    parts.append(f"<Results><CmdID>{cid}</CmdID><MsgRef>{srv_msg}</MsgRef>"
                                 f"<CmdRef>{text(c, 'CmdID')}</CmdRef>{items}</Results>")
            body, headers = self.message(sid, msg_id, parts, with_cred=False)
            fin = self.send(url, body, headers)
            out.final = fin
            if d.challenge_server and fin.status == 200 and fin.hdr_status()[0] == "200":
                d.srv_nonce = new  # the server's next credential must use it
            return out
        return out


def call_app(app, url: str, body: bytes, ctype: str,
             headers: Dict[str, str]) -> Tuple[int, bytes, Dict[str, str]]:
    """Call a WSGI application in-process, as an HTTP server would."""
    import io

    u = urlsplit(url)
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": u.path or "/", "QUERY_STRING": u.query,
           "CONTENT_TYPE": ctype, "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": u.hostname,
           "SERVER_PORT": str(u.port or 80), "HTTP_HOST": u.netloc, "wsgi.url_scheme": u.scheme,
           "wsgi.input": io.BytesIO(body), "SCRIPT_NAME": ""}
    for k, v in headers.items():
        env["HTTP_" + k.upper().replace("-", "_")] = v
    got = {}

    def start_response(status, hdrs):
        got["status"] = int(status.split()[0])
        got["headers"] = {k.lower(): v for k, v in hdrs}

    out = b"".join(app(env, start_response))
    return got["status"], out, got["headers"]
