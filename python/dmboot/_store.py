"""The DM server's nonce state (docs/server.md): what a server must remember
about each device, kept durable and shared by every server process.

Per device, keyed by its NORMALIZED DevID (the one the check returns, so
that ``imei:...``, the bare digits and ``IMEI:35-209912-...`` are one device):

- ``first``: the derived client nonce has been used (a first contact is
  accepted once per device, for ever);
- ``next``: the NextNonce issued at the device's last 212, for its next
  session (used once);
- ``server``: the nonce the device last gave the server (its Chal to the
  server), with which the server's credential is made.

Per session (a random token carried in RespURI): the DevID, the SessionID,
the state (``chal``: waiting for an answer to a Chal; ``auth``: the device
authenticated, its Status package is expected), the Chal's nonce (used
once), how many Chals were sent, the server's MsgID; it expires.

Every "used once" is an atomic compare-and-delete in the store itself, so
two processes (or hosts) that receive the same package at once give one
212 between them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

__all__ = ["Session", "Store", "SQLiteStore", "RedisStore", "open_store"]


@dataclass
class Session:
    token: str
    devid: str
    session_id: str
    state: str  # "chal" or "auth"
    chal: Optional[bytes]
    chals: int
    msg_id: int
    descriptor_id: str


class Store:
    """The interface both backends implement."""

    def claim_first(self, devid: str) -> bool:
        """Mark the derived client nonce of ``devid`` used; True only for
        the one call that did it."""
        raise NotImplementedError

    def first_used(self, devid: str) -> bool:
        raise NotImplementedError

    def device(self, devid: str) -> Tuple[bool, Optional[bytes], Optional[bytes]]:
        """(first used, NextNonce, the device's nonce for the server), in one
        read."""
        return self.first_used(devid), self.next_nonce(devid), self.server_nonce(devid)

    def next_nonce(self, devid: str) -> Optional[bytes]:
        raise NotImplementedError

    def set_next_nonce(self, devid: str, nonce: bytes) -> None:
        raise NotImplementedError

    def server_nonce(self, devid: str) -> Optional[bytes]:
        raise NotImplementedError

    def set_server_nonce(self, devid: str, nonce: bytes) -> None:
        raise NotImplementedError

    def put_session(self, s: Session, ttl: float) -> None:
        raise NotImplementedError

    def get_session(self, token: str) -> Optional[Session]:
        raise NotImplementedError

    def delete_session(self, token: str) -> None:
        raise NotImplementedError

    def rechal(self, s: Session, chals_before: int, ttl: float) -> bool:
        """Store session ``s`` (a new Chal, ``s.chals`` of them) only if the
        stored session is still waiting for a Chal answer with
        ``chals_before`` Chals: of requests of one session racing, one wins,
        and none overwrites a session whose answer was accepted meanwhile."""
        cur = self.get_session(s.token)
        if cur is None or cur.state != "chal" or cur.chals != chals_before:
            return False
        self.put_session(s, ttl)
        return True

    def drop_chal_session(self, token: str) -> None:
        """Delete the session only while it waits for a Chal answer (not
        one whose answer was accepted meanwhile)."""
        cur = self.get_session(token)
        if cur is not None and cur.state == "chal":
            self.delete_session(token)

    def accept(self, devid: str, used: str, nonce: Optional[bytes], token: Optional[str],
               next_nonce: bytes, session: Session, ttl: float) -> bool:
        """A package authenticated: use its nonce once (``used``: "first",
        the derived client nonce; "next", the device's NextNonce ``nonce``;
        "chal", the Chal ``nonce`` of session ``token``); only if this call
        used it, store the device's new NextNonce and the session, and
        return True. Any accepted package also ends the device's first
        contact for good, and a first contact needs a device with no
        NextNonce: both in the same atomic step."""
        raise NotImplementedError

    def close(self) -> None:
        pass


# ---------------------------------------------------------------------------
# SQLite: one file, WAL, for one host (any number of processes on it)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS device (
    devid TEXT PRIMARY KEY,
    first_used INTEGER NOT NULL DEFAULT 0,
    next_nonce BLOB,
    server_nonce BLOB
);
CREATE TABLE IF NOT EXISTS session (
    token TEXT PRIMARY KEY,
    devid TEXT NOT NULL,
    session_id TEXT NOT NULL,
    state TEXT NOT NULL,
    chal BLOB,
    chals INTEGER NOT NULL,
    msg_id INTEGER NOT NULL,
    descriptor_id TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expires ON session(expires);
"""

# A package accepted, as ONE statement (so one transaction whose write lock
# is held only inside SQLite's C code: a transaction of several statements
# held the lock while its thread waited for the GIL between them, and every
# other writer -- thread or process -- slept in SQLite's busy handler).
# Per connection (TEMP): an INSERT into this view runs the trigger of its
# ``used``. Step 1 uses the nonce once and stores the device's new NextNonce
# (only if the nonce was still unused); step 2 stores the session only if
# step 1 did (the new NextNonce is fresh random: only step 1 of this very
# statement can have stored it). Nothing changed: the nonce was used.
_ACCEPT_SQL = """
CREATE TEMP VIEW IF NOT EXISTS dmboot_accept (used, devid, nonce, token, next_nonce, s_token,
    s_devid, session_id, state, chal, chals, msg_id, descriptor_id, now, expires) AS
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL;
CREATE TEMP TRIGGER IF NOT EXISTS dmboot_accept_first INSTEAD OF INSERT ON dmboot_accept
WHEN NEW.used = 'first' BEGIN
    INSERT INTO device (devid, first_used, next_nonce) VALUES (NEW.devid, 1, NEW.next_nonce)
        ON CONFLICT(devid) DO UPDATE SET first_used = 1, next_nonce = excluded.next_nonce
        WHERE first_used = 0 AND next_nonce IS NULL;
    INSERT OR REPLACE INTO session SELECT NEW.s_token, NEW.s_devid, NEW.session_id, NEW.state,
        NEW.chal, NEW.chals, NEW.msg_id, NEW.descriptor_id, NEW.expires
        WHERE EXISTS (SELECT 1 FROM device WHERE devid = NEW.devid
                      AND next_nonce = NEW.next_nonce);
END;
CREATE TEMP TRIGGER IF NOT EXISTS dmboot_accept_next INSTEAD OF INSERT ON dmboot_accept
WHEN NEW.used = 'next' AND NEW.nonce IS NOT NULL BEGIN
    UPDATE device SET first_used = 1, next_nonce = NEW.next_nonce
        WHERE devid = NEW.devid AND next_nonce = NEW.nonce;
    INSERT OR REPLACE INTO session SELECT NEW.s_token, NEW.s_devid, NEW.session_id, NEW.state,
        NEW.chal, NEW.chals, NEW.msg_id, NEW.descriptor_id, NEW.expires
        WHERE EXISTS (SELECT 1 FROM device WHERE devid = NEW.devid
                      AND next_nonce = NEW.next_nonce);
END;
CREATE TEMP TRIGGER IF NOT EXISTS dmboot_accept_chal INSTEAD OF INSERT ON dmboot_accept
WHEN NEW.used = 'chal' AND NEW.nonce IS NOT NULL AND NEW.token = NEW.s_token BEGIN
    INSERT INTO device (devid, first_used, next_nonce) SELECT NEW.devid, 1, NEW.next_nonce
        WHERE EXISTS (SELECT 1 FROM session WHERE token = NEW.token AND chal = NEW.nonce
                      AND expires >= NEW.now)
        ON CONFLICT(devid) DO UPDATE SET first_used = 1, next_nonce = excluded.next_nonce;
    INSERT OR REPLACE INTO session SELECT NEW.s_token, NEW.s_devid, NEW.session_id, NEW.state,
        NEW.chal, NEW.chals, NEW.msg_id, NEW.descriptor_id, NEW.expires
        WHERE EXISTS (SELECT 1 FROM device WHERE devid = NEW.devid
                      AND next_nonce = NEW.next_nonce);
END;
"""


class SQLiteStore(Store):
    """The embedded default: a SQLite file in WAL mode. Each thread has its
    own connection; every change is one transaction, durable against a
    crash of the process (kill -9) with ``synchronous=NORMAL``, and against
    a power loss too with ``sync="full"``."""

    def __init__(self, path: str, *, sync: str = "normal", busy_timeout: float = 10.0) -> None:
        if sync not in ("normal", "full"):
            raise ValueError("sync must be 'normal' or 'full'")
        self.path = os.fspath(path)
        self.sync = sync
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._pid = os.getpid()
        db = self._db()  # creates the file and the tables now
        with db:
            db.executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        if self._pid != os.getpid():  # forked: never share a connection
            self._local = threading.local()
            self._pid = os.getpid()
        db = getattr(self._local, "db", None)
        if db is None:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            os.close(fd)
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                 check_same_thread=True)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={self.sync.upper()}")
            db.executescript(_ACCEPT_SQL)  # (TEMP: this connection's; writes nothing)
            self._local.db = db
        return db

    def _exec(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        return self._db().execute(sql, args)

    def claim_first(self, devid: str) -> bool:
        db = self._db()
        cur = db.execute("INSERT INTO device (devid, first_used) VALUES (?, 1) "
                         "ON CONFLICT(devid) DO UPDATE SET first_used = 1 WHERE first_used = 0",
                         (devid,))
        return cur.rowcount == 1

    def _device(self, devid: str, column: str) -> Any:
        row = self._exec(f"SELECT {column} FROM device WHERE devid = ?", (devid,)).fetchone()
        return None if row is None else row[0]

    def first_used(self, devid: str) -> bool:
        return bool(self._device(devid, "first_used"))

    def device(self, devid: str) -> Tuple[bool, Optional[bytes], Optional[bytes]]:
        row = self._exec("SELECT first_used, next_nonce, server_nonce FROM device "
                         "WHERE devid = ?", (devid,)).fetchone()
        return (False, None, None) if row is None else (bool(row[0]), row[1], row[2])

    def next_nonce(self, devid: str) -> Optional[bytes]:
        return self._device(devid, "next_nonce")

    def set_next_nonce(self, devid: str, nonce: bytes) -> None:
        self._exec("INSERT INTO device (devid, next_nonce) VALUES (?, ?) "
                   "ON CONFLICT(devid) DO UPDATE SET next_nonce = excluded.next_nonce",
                   (devid, nonce))

    def server_nonce(self, devid: str) -> Optional[bytes]:
        return self._device(devid, "server_nonce")

    def set_server_nonce(self, devid: str, nonce: bytes) -> None:
        self._exec("INSERT INTO device (devid, server_nonce) VALUES (?, ?) "
                   "ON CONFLICT(devid) DO UPDATE SET server_nonce = excluded.server_nonce",
                   (devid, nonce))

    def put_session(self, s: Session, ttl: float) -> None:
        now = time.time()
        db = self._db()
        db.execute("INSERT OR REPLACE INTO session VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (s.token, s.devid, s.session_id, s.state, s.chal, s.chals, s.msg_id,
                    s.descriptor_id, now + ttl))
        if s.token[-1:] == "A":  # now and then (1 in 64), forget expired sessions
            db.execute("DELETE FROM session WHERE expires < ?", (now,))

    def get_session(self, token: str) -> Optional[Session]:
        row = self._exec("SELECT token, devid, session_id, state, chal, chals, msg_id, "
                         "descriptor_id FROM session WHERE token = ? AND expires >= ?",
                         (token, time.time())).fetchone()
        return None if row is None else Session(*row)

    def delete_session(self, token: str) -> None:
        self._exec("DELETE FROM session WHERE token = ?", (token,))

    def rechal(self, s: Session, chals_before: int, ttl: float) -> bool:
        now = time.time()
        cur = self._exec("UPDATE session SET chal = ?, chals = ?, msg_id = ?, expires = ? "
                         "WHERE token = ? AND state = 'chal' AND chals = ? AND expires >= ?",
                         (s.chal, s.chals, s.msg_id, now + ttl, s.token, chals_before, now))
        return cur.rowcount == 1

    def drop_chal_session(self, token: str) -> None:
        self._exec("DELETE FROM session WHERE token = ? AND state = 'chal'", (token,))

    def accept(self, devid: str, used: str, nonce: Optional[bytes], token: Optional[str],
               next_nonce: bytes, session: Session, ttl: float) -> bool:
        # one statement, so one transaction and one commit: no moment where
        # the nonce is used but the new NextNonce or the session not stored
        # (_ACCEPT_SQL); it changed rows only if it used the nonce
        if used not in ("first", "next", "chal") or (used != "first" and nonce is None):
            return False
        if used == "chal" and token != session.token:
            return False
        db = self._db()
        now = time.time()
        before = db.total_changes
        db.execute("INSERT INTO dmboot_accept (used, devid, nonce, token, next_nonce, s_token, "
                   "s_devid, session_id, state, chal, chals, msg_id, descriptor_id, now, expires) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (used, devid, nonce, token, next_nonce, session.token, session.devid,
                    session.session_id, session.state, session.chal, session.chals,
                    session.msg_id, session.descriptor_id, now, now + ttl))
        ok = db.total_changes != before
        if ok and session.token[-1:] == "A":  # now and then (1 in 64), forget expired sessions
            db.execute("DELETE FROM session WHERE expires < ?", (now,))
        return ok

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def __repr__(self) -> str:
        return f"<dmboot.server SQLiteStore {self.path}>"


# ---------------------------------------------------------------------------
# Redis: several hosts

# a package accepted: its nonce used (once), the new NextNonce and the
# session stored, all in one atomic step
_ACCEPT = """
local ok = false
if ARGV[1] == 'first' then
  ok = redis.call('EXISTS', KEYS[2]) == 0 and redis.call('SET', KEYS[1], '1', 'NX')
elseif ARGV[1] == 'next' then
  ok = redis.call('GET', KEYS[2]) == ARGV[2]
else
  ok = redis.call('HGET', KEYS[3], 'chal') == ARGV[2]
end
if not ok then return 0 end
redis.call('SET', KEYS[1], '1')
redis.call('SET', KEYS[2], ARGV[3])
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[3], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1
"""
# a new Chal for a session still waiting for an answer with that many Chals
_RECHAL = """
if redis.call('HGET', KEYS[1], 'state') ~= 'chal' or redis.call('HGET', KEYS[1], 'chals') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'chal', ARGV[2], 'chals', ARGV[3], 'msg_id', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""
_DROP_CHAL = """
if redis.call('HGET', KEYS[1], 'state') == 'chal' then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisStore(Store):
    """The networked backend: several server processes on several hosts
    share one Redis (docs/server.md: run it with appendonly yes and
    appendfsync always or everysec). Device state has no expiry; a
    session is a hash that expires."""

    def __init__(self, url: str, *, prefix: str = "dmboot:") -> None:
        try:
            import redis  # the 'server' extra
        except ImportError as e:  # pragma: no cover - depends on the install
            raise RuntimeError("the Redis store needs the redis package: "
                               "pip install 'dmboot[server]' (Debian: python3-redis)") from e
        self.url = url
        self.prefix = prefix
        self._redis = redis
        self._pid = os.getpid()
        self._r = redis.Redis.from_url(url)
        self._r.ping()
        self._accept = self._r.register_script(_ACCEPT)
        self._rechal = self._r.register_script(_RECHAL)
        self._drop_chal = self._r.register_script(_DROP_CHAL)

    def _c(self):
        if self._pid != os.getpid():  # forked: a pool of its own
            self._pid = os.getpid()
            self._r = self._redis.Redis.from_url(self.url)
            self._accept = self._r.register_script(_ACCEPT)
            self._rechal = self._r.register_script(_RECHAL)
            self._drop_chal = self._r.register_script(_DROP_CHAL)
        return self._r

    def _k(self, kind: str, key: str) -> str:
        return f"{self.prefix}{kind}:{key}"

    def claim_first(self, devid: str) -> bool:
        return bool(self._c().set(self._k("first", devid), b"1", nx=True))

    def first_used(self, devid: str) -> bool:
        return bool(self._c().exists(self._k("first", devid)))

    def device(self, devid: str) -> Tuple[bool, Optional[bytes], Optional[bytes]]:
        first, nxt, srv = self._c().mget(self._k("first", devid), self._k("next", devid),
                                         self._k("server", devid))
        return first is not None, nxt, srv

    def next_nonce(self, devid: str) -> Optional[bytes]:
        return self._c().get(self._k("next", devid))

    def set_next_nonce(self, devid: str, nonce: bytes) -> None:
        self._c().set(self._k("next", devid), nonce)

    def server_nonce(self, devid: str) -> Optional[bytes]:
        return self._c().get(self._k("server", devid))

    def set_server_nonce(self, devid: str, nonce: bytes) -> None:
        self._c().set(self._k("server", devid), nonce)

    def put_session(self, s: Session, ttl: float) -> None:
        k = self._k("session", s.token)
        fields: Dict[str, Any] = {"devid": s.devid, "session_id": s.session_id,
                                  "state": s.state, "chals": s.chals, "msg_id": s.msg_id,
                                  "descriptor_id": s.descriptor_id}
        p = self._c().pipeline(transaction=True)
        p.delete(k)
        if s.chal is not None:
            fields["chal"] = s.chal
        p.hset(k, mapping=fields)
        p.pexpire(k, max(1, int(ttl * 1000)))
        p.execute()

    def get_session(self, token: str) -> Optional[Session]:
        h = self._c().hgetall(self._k("session", token))
        if not h:
            return None
        t = lambda f: h.get(f, b"").decode()  # noqa: E731
        return Session(token, t(b"devid"), t(b"session_id"), t(b"state"), h.get(b"chal"),
                       int(h.get(b"chals", b"0")), int(h.get(b"msg_id", b"0")),
                       t(b"descriptor_id"))

    def delete_session(self, token: str) -> None:
        self._c().delete(self._k("session", token))

    def rechal(self, s: Session, chals_before: int, ttl: float) -> bool:
        self._c()
        return self._rechal(keys=[self._k("session", s.token)],
                            args=[str(chals_before), s.chal if s.chal is not None else b"",
                                  s.chals, s.msg_id, max(1, int(ttl * 1000))]) == 1

    def drop_chal_session(self, token: str) -> None:
        self._c()
        self._drop_chal(keys=[self._k("session", token)])

    def accept(self, devid: str, used: str, nonce: Optional[bytes], token: Optional[str],
               next_nonce: bytes, session: Session, ttl: float) -> bool:
        self._c()
        if used == "chal" and token != session.token:
            return False
        fields = ["devid", session.devid, "session_id", session.session_id,
                  "state", session.state, "chals", session.chals, "msg_id", session.msg_id,
                  "descriptor_id", session.descriptor_id]
        return self._accept(keys=[self._k("first", devid), self._k("next", devid),
                                  self._k("session", session.token)],
                            args=[used, nonce if nonce is not None else b"", next_nonce,
                                  max(1, int(ttl * 1000)), *fields]) == 1

    def close(self) -> None:
        self._r.close()

    def __repr__(self) -> str:
        return f"<dmboot.server RedisStore {_without_password(self.url)}>"


def _without_password(url: str) -> str:
    """A store URL for a log line: its password (redis://:PASSWORD@host,
    rediss://user:PASSWORD@host) replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        u = urlsplit(url)
        if u.password is None:
            return url
        host = u.netloc.rsplit("@", 1)[1]
        return urlunsplit(u._replace(netloc=f"{u.username or ''}:***@{host}"))
    except ValueError:
        return "<a store URL that does not parse>"


def open_store(spec: str) -> Store:
    """``sqlite:PATH`` (or a bare path), ``redis://HOST:PORT/DB``, or
    ``env:NAME``: the spec in environment variable NAME, so that a Redis
    password stays off the command line (``ps`` shows it to every user)."""
    if spec.startswith("env:"):
        name = spec[len("env:"):]
        value = os.environ.get(name)
        if not value or value.startswith("env:"):
            raise ValueError(f"--store env:{name}: the environment variable {name} "
                             "is unset or empty (or names another env: spec)")
        spec = value
    if spec.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(spec)
    if spec.startswith("sqlite:"):
        spec = spec[len("sqlite:"):]
    return SQLiteStore(spec)
