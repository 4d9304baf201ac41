"""dmboot.server's WSGI application, in-process, against the independent
client (dmclient.py), on each store (SQLite; Redis when available).

Issue 10 and issue 14 items 2, 4, 11: each test names what failed before."""

from __future__ import annotations

import base64
import os
import time

import pytest

import dmboot
import srvlib
from dmboot.server import DMServer, RedisStore, SQLiteStore
from dmclient import Client, call_app

STORES = ["sqlite"] + (["redis"] if srvlib.have_redis() else [])


@pytest.fixture(scope="module")
def op(tmp_path_factory):
    return srvlib.Operator(tmp_path_factory.mktemp("op"))


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    if not srvlib.have_redis():
        pytest.skip("redis-server or the redis package is missing")
    r = srvlib.Redis(tmp_path_factory.mktemp("redis"))
    yield r
    r.stop()


_counter = [0]


@pytest.fixture(params=STORES)
def store_factory(request, tmp_path):
    """A function making a store on ONE shared state (each call: a new
    connection to it, as a restarted or another process has)."""
    if request.param == "sqlite":
        path = str(tmp_path / "nonces.db")
        return lambda: SQLiteStore(path)
    r = request.getfixturevalue("redis_server")
    _counter[0] += 1
    prefix = f"t{_counter[0]}:"
    return lambda: RedisStore(r.url, prefix=prefix)


def app_for(op, store, **kw) -> DMServer:
    return DMServer(op.registry, srvlib.KEY, store, **kw)


_dev = [0]


def new_device(op, auth="DIGEST", **kw):
    _dev[0] += 1
    return op.device(auth, 1000 + _dev[0], **kw)


def replay(app, package: bytes, headers, ctype="application/vnd.syncml.dm+xml", url=srvlib.URL):
    code, body, rh = call_app(app, url, package, ctype, headers)
    assert code == 200
    xml = dmboot.wbxml_to_xml(body) if ctype.endswith("wbxml") else body.decode()
    m = dmboot.SyncMLMessage.parse(xml)
    import re
    st = re.search(r"<Cmd>SyncHdr</Cmd>.*?<Data>(\d+)</Data>", xml, re.S)
    return st.group(1) if st else None, xml, m


@pytest.mark.parametrize("auth,ctype", [
    ("DIGEST", "application/vnd.syncml.dm+xml"), ("DIGEST", "application/vnd.syncml.dm+wbxml"),
    ("HMAC", "application/vnd.syncml.dm+xml"), ("HMAC", "application/vnd.syncml.dm+wbxml"),
    ("DIGEST", "application/vnd.syncml+xml"), ("HMAC", "application/vnd.syncml+wbxml")])
def test_sessions(op, store_factory, auth, ctype):
    """First contact, then a second session with the NextNonce; every media
    type answered in the one received (vnd.syncml+xml got 415 before)."""
    app = app_for(op, store_factory())
    c = Client(new_device(op, auth, ctype=ctype), app)
    s1 = c.session()
    assert s1.path == ["212"] and s1.server_ok
    assert s1.final is not None and s1.final.hdr_status()[0] == "200"  # the Status package arrived
    s2 = c.session()
    assert s2.path == ["212"] and s2.server_ok


def test_replay_of_first_package(op, store_factory):
    """A captured first package: 212 once, refused after a restart (a new
    app and store connection on the same state) and on another process."""
    dev = new_device(op)
    app = app_for(op, store_factory())
    s = Client(dev, app).session()
    assert s.path == ["212"]
    code, _, _ = replay(app, s.first_package, s.first_headers)
    assert code == "401"
    restarted = app_for(op, store_factory())  # before: 212 again after a restart
    code, xml, _ = replay(restarted, s.first_package, s.first_headers)
    assert code == "401" and "<Chal>" in xml


def test_replay_by_devid_spelling(op, store_factory):
    """Issue 14.2: the captured md5 package of a DIGEST device, replayed with
    other spellings of its DevID, new SessionIDs and more commands, got 212
    as a first contact each time."""
    dev = new_device(op, "DIGEST")
    app = app_for(op, store_factory())
    s = Client(dev, app).session()
    assert s.path == ["212"]
    digits = dev.devid.split(":")[1]
    spaced = f"IMEI:{digits[:2]}-{digits[2:8]}-{digits[8:14]}-{digits[14]}"
    for i, spelling in enumerate([f"imei:{digits}", digits, spaced, f"Imei:{digits}"]):
        pkg = s.first_package.replace(dev.devid.encode(), spelling.encode(), 1)
        pkg = pkg.replace(b"<SessionID>", f"<SessionID>9{i}".encode(), 1)
        pkg = pkg.replace(b"<Final/>", b"<Get><CmdID>7</CmdID><Item><Target><LocURI>./x"
                          b"</LocURI></Target></Item></Get><Final/>")
        assert dmboot.normalize_devid("imei", spelling) == dev.devid
        code, xml, _ = replay(app, pkg, {})
        # a Chal: the server knew the device (an unknown DevID gets none)
        assert code == "401" and "<Chal>" in xml, (spelling, xml)


def test_two_apps_same_package_at_once(op, store_factory):
    """Two servers on one store receive the same first package at once:
    exactly one 212."""
    import threading

    dev = new_device(op, "HMAC")
    c = Client(dev)
    body, headers = c.message("1", 1, list(c.package1_commands().values()))
    apps = [app_for(op, store_factory()) for _ in range(8)]
    codes = []
    barrier = threading.Barrier(len(apps))

    def run(a):
        barrier.wait()
        codes.append(replay(a, body, headers)[0])

    ts = [threading.Thread(target=run, args=(a,)) for a in apps]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(codes) == ["212"] + ["401"] * (len(apps) - 1)


def test_chal_answered_per_command(op, store_factory):
    """On 407 each command gets a Status 407 (the Chal on the SyncHdr's);
    the client re-sends only those commands, and gets 212 (before: a
    Status for the SyncHdr only, so a deployed client re-sent nothing)."""
    app = app_for(op, store_factory())
    c = Client(new_device(op), app)
    s = c.session(with_cred=False)
    assert s.path == ["407", "212"] and s.resent == [["1", "2"]] and s.server_ok


def test_server_cred_follows_the_device_chal(op, store_factory):
    """Issue 14.4 / 10: the server's credential uses the nonce the device
    gave it in its Chal; a device that challenged the server rejected the
    next session's credential before."""
    for auth in ("DIGEST", "HMAC"):
        app = app_for(op, store_factory())
        dev = new_device(op, auth, challenge_server=True)
        c = Client(dev, app)
        derived = dev.srv_nonce
        s1 = c.session()
        assert s1.path == ["212"] and s1.server_ok
        assert dev.srv_nonce != derived  # the device challenged the server
        s2 = c.session()
        assert s2.path == ["212"] and s2.server_ok  # made with the device's nonce


def test_device_chal_nonce_read_as_the_core_reads_it(op, store_factory):
    """The nonce a device gives the server is decoded by the core's
    canonical base64 and bounded (1 to DMBOOT_NONCE_MAX bytes): before,
    Python's b64decode took "AB==" (non-canonical) and any length up to the
    body limit, stored for ever and hashed into every later credential."""
    for bad in ("AB==", base64.b64encode(b"x" * 300).decode()):
        store = store_factory()
        app = app_for(op, store)
        dev = new_device(op, "DIGEST", challenge_server=True)
        dev.server_chal_text = bad
        assert Client(dev, app).session().path == ["212"]
        assert store.device(dev.devid)[2] is None, bad  # ignored, not stored
        dev.server_chal_text = None  # a good one is taken
        assert Client(dev, app).session().path == ["212"]
        assert store.device(dev.devid)[2] == dev.srv_nonce


def test_two_chals_then_no_chal(op, store_factory):
    """With a wrong secret: 401 with Chal twice, then 401 without (before:
    unbounded Chals)."""
    app = app_for(op, store_factory())
    dev = new_device(op)
    dev.secret = "wrong" + dev.secret[5:]
    s = Client(dev, app).session(max_rounds=6)
    assert s.path == ["401", "401", "401"]


def test_chal_belongs_to_its_session(op, store_factory):
    """A client that restarts SessionID at 1: the Chal of an abandoned
    session is not applied to the next first package (before: keyed by
    DevID and SessionID)."""
    app = app_for(op, store_factory())
    dev = new_device(op)
    c = Client(dev, app)
    first = c.session(session_id="1", with_cred=False, max_rounds=1)
    assert first.path == ["407"]
    dev.nonce = op.descs["DIGEST"].derive(dev.devid, key=srvlib.KEY).client_nonce
    again = c.session(session_id="1")  # the package 1 with its own nonce, to the base URL
    assert again.path == ["212"]


def test_chal_nonce_expires(op, store_factory):
    app = app_for(op, store_factory(), session_ttl=0.3)
    c = Client(new_device(op), app)
    s = c.session(with_cred=False, max_rounds=1)
    assert s.path == ["407"]
    time.sleep(0.5)
    # the answer with the expired Chal's nonce: not accepted
    body, headers = c.message(format(c.dev.session_counter, "X"), 2,
                              list(c.package1_commands().values()))
    code, xml, _ = replay(app, body, headers)
    assert code == "401"


def test_validity_at_use(op, tmp_path):
    """Issue 14.11: a batch that has expired since its import is refused at
    use (401 without a Chal), not authenticated for ever."""
    text = srvlib.DESCRIPTOR.format(auth="DIGEST", auth_l="old", prefix="35209913",
                                    today="2001-01-01", until="2020-12-31")
    d = dmboot.Descriptor.parse(text)
    reg = dmboot.Registry()
    reg.add(d)  # no verification: as if imported in 2020
    app = DMServer(reg, srvlib.KEY, SQLiteStore(str(tmp_path / "s.db")))
    acc = d.derive(srvlib.luhn("35209913" + "000001"), key=srvlib.KEY)
    from dmclient import Device
    c = Client(Device.from_account(acc, srvlib.URL, d), app)
    s = c.session()
    assert s.path == ["401"]


def test_unknown_devid_no_chal(op, store_factory):
    app = app_for(op, store_factory())
    dev = new_device(op)
    dev.devid = "IMEI:490154203237518"  # a DevID no descriptor covers
    s = Client(dev, app).session()
    assert s.path == ["401"]


def test_http_errors_change_nothing(op, store_factory):
    """Malformed, oversized, truncated, wrong type or method: 4xx, and the
    device's first contact still works afterwards."""
    app = app_for(op, store_factory(), max_body=4096)
    dev = new_device(op)
    c = Client(dev)
    body, headers = c.message("1", 1, list(c.package1_commands().values()))
    xml_t = "application/vnd.syncml.dm+xml"
    assert call_app(app, srvlib.URL, body[:-20], xml_t, headers)[0] == 400
    assert call_app(app, srvlib.URL, b"\x03\x01\x6a\x00\x00", "application/vnd.syncml.dm+wbxml",
                    {})[0] == 400
    assert call_app(app, srvlib.URL, body + b" " * 5000, xml_t, headers)[0] == 413
    assert call_app(app, srvlib.URL, body, "text/xml", headers)[0] == 415
    import io
    env = {"REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO(b"")}
    got = []
    app(env, lambda s, h: got.append(s))
    assert got[0].startswith("405")
    # a Content-Length longer than the body (the client hung up)
    env = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": xml_t, "CONTENT_LENGTH": str(len(body) + 9),
           "wsgi.input": io.BytesIO(body), "PATH_INFO": "/dm", "HTTP_HOST": "dm.test"}
    got = []
    app(env, lambda s, h: got.append(s))
    assert got[0].startswith("400")
    assert Client(dev, app).session().path == ["212"]


def test_nonce_state_is_keyed_by_normalized_devid(op, tmp_path):
    store = SQLiteStore(str(tmp_path / "s.db"))
    app = app_for(op, store)
    dev = new_device(op)
    digits = dev.devid.split(":")[1]
    dev.send_devid = f"imei:{digits}"
    assert Client(dev, app).session().path == ["212"]
    assert store.first_used(dev.devid) and not store.first_used(dev.send_devid)
    assert store.next_nonce(dev.devid) is not None


def test_sqlite_file_is_private_and_wal(tmp_path):
    p = tmp_path / "n.db"
    s = SQLiteStore(str(p))
    assert s.claim_first("IMEI:1") and not s.claim_first("IMEI:1")
    assert (os.stat(p).st_mode & 0o077) == 0
    assert s._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    link = tmp_path / "link.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    with pytest.raises(OSError):
        SQLiteStore(str(link))


def test_import_writes_safely_under_the_lock(op, tmp_path):
    """Issue 14.11: the example's import wrote its temporary file with
    write_bytes at a predictable name (following a link planted there) and
    took no registry lock. Now: a link planted at that name is never
    written through, and the import waits for the registry lock that
    `dmboot registry add` takes."""
    import subprocess
    import sys
    import threading

    from dmboot.server import LOCK_NAME, import_descriptors

    reg = tmp_path / "registry"
    reg.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("untouched\n")
    (reg / ".srv-digest.desc.tmp").symlink_to(victim)
    v = dmboot.Verifier(key=srvlib.KEY, issuer_keys=[dmboot.PublicKey.load(op.issuer_pub)],
                        require_signature=True, require_mac=True)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl,os,time;"
                               f"fd=os.open({str(reg / LOCK_NAME)!r},os.O_RDWR|os.O_CREAT);"
                               "fcntl.lockf(fd,fcntl.LOCK_EX);print('held',flush=True);"
                               "time.sleep(1.0)"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    done = []
    start = time.monotonic()
    t = threading.Thread(target=lambda: done.append(
        import_descriptors([str(op.files[0])], str(reg), v)))
    t.start()
    t.join()
    holder.wait()
    holder.stdout.close()
    assert time.monotonic() - start > 0.5  # it waited for the lock
    assert victim.read_text() == "untouched\n"
    target = reg / "srv-digest.desc"
    assert not target.is_symlink() and target.read_text() == op.files[0].read_text()
    assert [x for x in os.listdir(reg) if x.endswith(".tmp") and x != ".srv-digest.desc.tmp"] == []
    assert done[0][0][1] == "srv-digest"


def test_keyring(op, tmp_path):
    """With a keyring (one master key per manufacturer), the descriptor's
    key-id picks the key: devices of a descriptor whose key-id the keyring
    holds authenticate; the server is given no single key."""
    other = bytes(range(100, 132))
    kr = dmboot.Keyring({"operator-acme-2026": srvlib.KEY, "operator-other": other})
    reg = dmboot.Registry(keyring=kr)
    for d in op.descs.values():
        reg.add(d)
    app = DMServer(reg, None, SQLiteStore(str(tmp_path / "s.db")))
    for auth in ("DIGEST", "HMAC"):
        s = Client(new_device(op, auth), app).session()
        assert s.path == ["212"] and s.server_ok
    # another key: the descriptor's key-check refuses it (wrong-key), 401
    # without a Chal
    reg2 = dmboot.Registry()
    for d in op.descs.values():
        reg2.add(d)
    reg2_app = DMServer(reg2, other, SQLiteStore(str(tmp_path / "s2.db")))
    s = Client(new_device(op), reg2_app).session()
    assert s.path == ["401"]


def test_chal_answer_replayed_at_once(op, store_factory):
    """The answer to a Chal sent several times at once (a replay racing the
    device): one 212; the others get 401 without a Chal and leave the
    winner's session as it is (it still expects the device's Status
    package)."""
    import re
    import threading

    from dmclient import text

    store = store_factory()
    app = app_for(op, store)
    c = Client(new_device(op))
    body, headers = c.message("77", 1, list(c.package1_commands().values()), with_cred=False)
    code, xml, _ = replay(app, body, headers)
    assert code == "407"
    import xml.etree.ElementTree as ET
    root = ET.fromstring(xml.encode())
    resp = text(root, "SyncHdr", "RespURI")
    c.dev.nonce = base64.b64decode(re.search(r"<NextNonce[^>]*>([^<]+)<", xml).group(1))
    answer, h2 = c.message("77", 2, list(c.package1_commands().values()))
    codes, chals = [], []
    barrier = threading.Barrier(4)

    def send():
        barrier.wait()
        st, x, _ = replay(app, answer, h2, url=resp)
        codes.append(st)
        chals.append("<Chal>" in x)

    ts = [threading.Thread(target=send) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(codes) == ["212", "401", "401", "401"]
    assert sum(chals) == 1  # only the 212's Chal (the NextNonce)
    token = resp.split("?s=", 1)[1]
    assert store.get_session(token).state == "auth"


def test_wbxml_of_many_siblings_is_refused_at_once(op, tmp_path):
    """An unauthenticated WBXML package of 200,000 sibling elements (200 KB):
    libwbxml2's decoding grows with the square of an element's children, so
    it held a thread for minutes (100 KB: 99 s; the 401 reply, one Status
    per command, as long again to encode). Now 400 at once, nothing else
    changes."""
    app = app_for(op, SQLiteStore(str(tmp_path / "s.db")))
    body = b"\x02\xa4\x01\x6a\x00\x6d\x2c\x6b" + b"\x13" * 200000 + b"\x01\x01"
    t = time.monotonic()
    code, out, _ = call_app(app, srvlib.URL, body, "application/vnd.syncml.dm+wbxml", {})
    assert code == 400 and b"too many children of one element" in out, out[:200]
    assert time.monotonic() - t < 2
    assert Client(new_device(op), app).session().path == ["212"]


def test_store_url_password_not_logged():
    """`serve` logs its store (`store %r`): a Redis URL's password (docs/server.md
    asks for one) went into the log file as it was."""
    s = RedisStore.__new__(RedisStore)
    for url in ("redis://:s3cret@10.0.0.5:6379/0", "rediss://dm:s3cret@redis.op.example/1",
                "redis://:s3cr@t@10.0.0.5:6379/0"):
        s.url = url
        r = repr(s)
        assert "s3cr" not in r and "***@" in r, r
    s.url = "redis://10.0.0.5:6379/0"
    assert repr(s) == "<dmboot.server RedisStore redis://10.0.0.5:6379/0>"


def _chal_session(op, app, devno: int):
    """A device's package 1 without a credential: its Client (nonce set to
    the Chal's) and the RespURI of the session."""
    import re
    import xml.etree.ElementTree as ET

    from dmclient import text

    c = Client(new_device(op) if devno is None else op.device("DIGEST", devno))
    body, h = c.message("5", 1, list(c.package1_commands().values()), with_cred=False)
    code, out, _ = call_app(app, srvlib.URL, body, "application/vnd.syncml.dm+xml", h)
    assert code == 200 and b"<Data>407</Data>" in out
    c.dev.nonce = base64.b64decode(re.search(rb"<NextNonce[^>]*>([^<]+)<", out).group(1))
    return c, text(ET.fromstring(out), "SyncHdr", "RespURI")


def _send_at_once(app, url, packages):
    import re
    import threading

    out = [None] * len(packages)
    barrier = threading.Barrier(len(packages))

    def go(i):
        body, h = packages[i]
        barrier.wait()
        _, o, _ = call_app(app, url, body, "application/vnd.syncml.dm+xml", h)
        code = re.search(rb"<Cmd>SyncHdr</Cmd>.*?<Data>(\d+)</Data>", o, re.S).group(1)
        resp = re.search(rb"<RespURI>([^<]*)</RespURI>", o)
        out[i] = (code.decode(), b"<Chal>" in o and resp is not None and
                  resp.group(1).decode() == url.replace("&", "&amp;"))

    ts = [threading.Thread(target=go, args=(i,)) for i in range(len(packages))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def test_chals_per_session_hold_under_concurrency(op, store_factory):
    """Twelve wrong answers to a session's Chal sent at once each read
    "1 Chal so far" and each got a new Chal (11 in one session, against a
    limit of 2): the count is now updated only if no other request of the
    session changed it meanwhile, so exactly one gets the second Chal of
    that session (a copy that comes after the session ended starts a new
    one, with a new token, as any package without one does)."""
    app = app_for(op, store_factory())
    c, resp = _chal_session(op, app, None)
    c.dev.secret = "wrong"
    wrong = c.message("5", 2, list(c.package1_commands().values()))
    got = _send_at_once(app, resp, [wrong] * 12)
    assert all(code == "401" for code, _ in got)
    assert sum(chal for _, chal in got) == 1, got


def test_racing_wrong_answer_leaves_the_winners_session(op, store_factory):
    """The device's right answer to a Chal and wrong copies sent to its
    session at once: a wrong copy that read the session before the answer
    was accepted wrote it back as waiting for a Chal answer (7 times in 20),
    so the device's Status package (and its Chal to the server) was then
    refused. Now the accepted session stays as it is."""
    store = store_factory()
    app = app_for(op, store)
    won = 0
    for _ in range(60):
        c, resp = _chal_session(op, app, None)
        good = c.message("5", 2, list(c.package1_commands().values()))
        secret, c.dev.secret = c.dev.secret, "wrong"
        wrong = c.message("5", 2, list(c.package1_commands().values()))
        c.dev.secret = secret
        got = _send_at_once(app, resp, [good, wrong, wrong, wrong])
        if got[0][0] != "212":
            continue  # a wrong copy came first and got the Chal renewed: fair
        won += 1
        s = store.get_session(resp.split("?s=", 1)[1])
        assert s is not None and s.state == "auth", (got, s)
        if won == 6:
            break
    assert won >= 2  # (the right answer is first in most rounds)


def test_keyring_without_trust_file_is_warned(op, tmp_path):
    """A keyring means several manufacturers; without --trust nothing bounds
    what each trusted issuer claims: one manufacturer's descriptor for
    another's TAC range, under its own key-id and master key, is imported
    (and whoever imports first wins). import and serve say so in the log."""
    import logging

    from dmboot._serve import main as serve_main

    kr = tmp_path / "keyring"
    kr.mkdir()
    fd = os.open(kr / "operator-acme-2026.key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, srvlib.KEY.hex().encode() + b"\n")
    os.close(fd)
    log = tmp_path / "import.log"
    try:
        rc = serve_main(["import", "--registry", str(tmp_path / "reg"), "--keyring", str(kr),
                         "--issuer-key", str(op.issuer_pub), "--log", str(log),
                         *[str(f) for f in op.files]])
    finally:
        for h in logging.getLogger().handlers[:]:
            h.close()
        logging.getLogger().handlers[:] = []
    assert rc == 0
    text = log.read_text()
    assert "WARNING" in text and "--trust" in text, text


def test_keyring_of_two_without_trust_file_is_refused(op, tmp_path):
    """Two key-ids are two manufacturers: without --trust, ACME's descriptor
    for Globex's TAC range (under ACME's own key-id and master key) would be
    imported and shut Globex's out. import and serve refuse to start."""
    import logging

    from dmboot._serve import main as serve_main

    kr = tmp_path / "keyring"
    kr.mkdir()
    for kid in ("operator-acme-2026", "operator-globex-2026"):
        fd = os.open(kr / f"{kid}.key", os.O_WRONLY | os.O_CREAT, 0o600)
        os.write(fd, os.urandom(32).hex().encode() + b"\n")
        os.close(fd)
    for cmd in ("import", "serve"):
        argv = [cmd, "--registry", str(tmp_path / "reg"), "--keyring", str(kr),
                "--issuer-key", str(op.issuer_pub)]
        try:
            with pytest.raises(SystemExit) as e:
                serve_main(argv + ([str(f) for f in op.files] if cmd == "import" else []))
        finally:
            logging.getLogger().handlers[:] = []
        assert "a keyring of 2 key-ids (several manufacturers) needs --trust FILE" in str(e.value)
    assert not (tmp_path / "reg").exists() or not any((tmp_path / "reg").iterdir())


def test_package_of_many_commands_is_refused(op, tmp_path):
    """An unauthenticated XML package of 170,000 <Get/> (1 MiB) got a 401
    with a Status for each: 17 MB of reply and a second of a thread per
    request. A package of more than max_commands (1000) commands is now 413
    before anything is answered; nothing else changes. (The default
    max_body, 256 KiB, refuses this one by its size already.)"""
    app = app_for(op, SQLiteStore(str(tmp_path / "s.db")), max_body=1 << 20)
    c = Client(new_device(op))
    body, h = c.message("1", 1, ["<Get/>"] * 170000)
    t = time.monotonic()
    code, out, _ = call_app(app, srvlib.URL, body, "application/vnd.syncml.dm+xml", h)
    assert code == 413 and b"commands" in out, (code, out[:200])
    assert len(out) < 1000 and time.monotonic() - t < 1
    body, h = c.message("1", 1, ["<Get/>"] * 1001)
    assert call_app(app, srvlib.URL, body, "application/vnd.syncml.dm+xml", h)[0] == 413
    assert Client(c.dev, app).session().path == ["212"]


@pytest.mark.parametrize("used", ["first", "next", "chal"])
def test_store_accept_uses_a_nonce_once_in_one_step(store_factory, used):
    """Store.accept (SQLite: now one statement, the write lock held only
    inside SQLite): of 8 connections accepting the same nonce at once,
    exactly one wins; a refused accept changes nothing (the winner's
    NextNonce and session stay, no session of the loser's appears)."""
    import threading

    from dmboot.server import Session

    devid, tok = "IMEI:352099120000019", "tok-" + used
    setup = store_factory()
    old = b"old-next-nonce-0"
    chal = b"chal-nonce-00000"
    if used == "next":
        setup.set_next_nonce(devid, old)
    if used == "chal":
        setup.put_session(Session(tok, devid, "7", "chal", chal, 1, 1, "srv-digest"), 300)
    nonce = {"first": None, "next": old, "chal": chal}[used]
    n = 8
    stores = [store_factory() for _ in range(n)]
    barrier = threading.Barrier(n)
    won = [False] * n

    def go(i: int) -> None:
        s = Session(tok if used == "chal" else f"{tok}-{i}", devid, "7", "auth", None, 1, 2,
                    "srv-digest")
        barrier.wait()
        won[i] = stores[i].accept(devid, used, nonce, tok if used == "chal" else None,
                                  f"next-{i:011d}".encode(), s, 300)

    ts = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert won.count(True) == 1, won
    w = won.index(True)
    first, nxt, _ = setup.device(devid)
    assert nxt == f"next-{w:011d}".encode()
    assert first  # any accepted package ends the first contact
    for i in range(n):
        got = setup.get_session(tok if used == "chal" else f"{tok}-{i}")
        if used == "chal" or i == w:
            assert got is not None and got.state == "auth" and got.chal is None
        else:
            assert got is None
    # and again: the nonce is gone
    s = Session(tok if used == "chal" else tok + "-again", devid, "7", "auth", None, 1, 3, "x")
    assert not setup.accept(devid, used, nonce, tok if used == "chal" else None,
                            b"next-again-0000", s, 300)
    assert setup.device(devid)[1] == f"next-{w:011d}".encode()
    for st in stores + [setup]:
        st.close()


@pytest.mark.parametrize("used", ["next", "chal"])
def test_an_accepted_session_ends_the_first_contact(store_factory, used):
    """The derived client nonce is good once per device, ever: a device
    whose first accepted package used a Chal's nonce (it sent none before,
    got 407) or a NextNonce must not get a first contact afterwards: not a
    package that read the device as new just before (a race), not a
    replay. Before, only a first contact marked it, and a first contact did
    not look at the NextNonce, so it could overwrite the one just issued."""
    from dmboot.server import Session

    devid, tok = "IMEI:352099120000019", "tok-" + used
    st = store_factory()
    if used == "next":
        st.set_next_nonce(devid, b"old-next-nonce-0")
        nonce = b"old-next-nonce-0"
    else:
        st.put_session(Session(tok, devid, "7", "chal", b"chal-nonce-00000", 1, 1, "d"), 300)
        nonce = b"chal-nonce-00000"
    assert st.accept(devid, used, nonce, tok if used == "chal" else None, b"issued-0000000",
                     Session(tok, devid, "7", "auth", None, 1, 2, "d"), 300)
    assert st.device(devid)[0]  # first contact over
    assert not st.accept(devid, "first", None, None, b"replayed-00000",
                         Session("tok-first", devid, "1", "auth", None, 0, 1, "d"), 300)
    assert st.device(devid)[1] == b"issued-0000000" and st.get_session("tok-first") is None
    st.close()


def test_store_spec_from_the_environment(tmp_path, monkeypatch):
    """--store env:NAME keeps a Redis password off the command line (ps);
    an unset variable is a clear error, not a SQLite file named 'env:X'."""
    from dmboot.server import open_store

    monkeypatch.setenv("DMBOOT_TEST_STORE", f"sqlite:{tmp_path / 'e.db'}")
    s = open_store("env:DMBOOT_TEST_STORE")
    assert isinstance(s, SQLiteStore) and s.path == str(tmp_path / "e.db")
    s.close()
    monkeypatch.delenv("DMBOOT_TEST_STORE")
    with pytest.raises(ValueError, match="DMBOOT_TEST_STORE is unset"):
        open_store("env:DMBOOT_TEST_STORE")
    assert not (tmp_path / "env:DMBOOT_TEST_STORE").exists()
