#!/usr/bin/env python3
"""Check `dmboot auth basic|md5|hmac|check` end to end.

- every case of tests/vectors/credentials.json through `dmboot auth TYPE`
  (secret from a file, nonce as base64 and as a file, body from a file);
- `dmboot auth check` on SyncML DM packages built here with credentials
  made from the reference's derivation (tests/tools/dmboot_ref.py): accepted
  with the right server credential; refused, with the reason, when the body,
  the nonce, the DevID or one character of the secret changes.

Usage: check_auth_cli.py --dmboot PATH --vectors DIR
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmboot_ref as ref  # noqa: E402

KEY_HEX = "00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef"
DESCRIPTOR = """dmboot-descriptor: 1
id: auth-cli-1
issuer: T
devid-type: imei
devid-match: IMEI:35209911*
server-id: dm.operator.example
server-addr: https://dm.operator.example/oma-dm
name: devid
client-secret: derive bytes 16 base64url
server-secret: derive chars 20 alnum
client-nonce: derive bytes 16
server-nonce: derive bytes 16
"""
DEVID = "IMEI:352099110316763"
OTHER = "IMEI:352099110395957"

problems = 0


def fail(what, detail):
    global problems
    problems += 1
    print("FAIL %s: %s" % (what, detail))


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True)


def package(devid, cred_type=None, cred=None, loc_name=None):
    cred_xml = ""
    if cred_type:
        cred_xml = ("<Cred><Meta><Type xmlns='syncml:metinf'>%s</Type><Format xmlns='syncml:metinf'>"
                    "b64</Format></Meta><Data>%s</Data></Cred>" % (cred_type, cred))
    loc = "<LocName>%s</LocName>" % loc_name if loc_name else ""
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr>"
            "<VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>"
            "<Target><LocURI>https://dm.operator.example/oma-dm</LocURI></Target>"
            "<Source><LocURI>%s</LocURI>%s</Source>%s</SyncHdr><SyncBody><Alert><CmdID>1</CmdID>"
            "<Data>1201</Data></Alert><Final/></SyncBody></SyncML>\n" % (devid, loc, cred_xml)).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dmboot", required=True)
    ap.add_argument("--vectors", required=True)
    args = ap.parse_args()
    dm = args.dmboot
    with tempfile.TemporaryDirectory(prefix="dmboot-auth-") as tmp:
        def write(name, data):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data if isinstance(data, bytes) else data.encode())
            return path

        # 1. The vectors through the command.
        with open(os.path.join(args.vectors, "credentials.json"), encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        for i, c in enumerate(cases):
            secret = write("secret", c["secret"] + "\n")  # one newline is dropped
            cmd = [dm, "auth", c["type"], "--name", c["name"], "--secret-file", secret]
            variants = [cmd]
            if c["type"] != "basic":
                nonce_file = write("nonce", base64.b64decode(c["nonce"]))
                variants = [cmd + ["--nonce", c["nonce"]], cmd + ["--nonce-file", nonce_file]]
            if c["type"] == "hmac":
                body = write("body", base64.b64decode(c["body"]))
                variants = [v + ["--body", body, "--mac-only"] for v in variants]
            for v in variants:
                r = run(v)
                got = r.stdout.decode().strip()
                if r.returncode != 0 or got != c["value"]:
                    fail("vector %d (%s)" % (i, c["case"]),
                         "got %r (exit %d, %s), want %r" % (got, r.returncode, r.stderr.decode(),
                                                            c["value"]))
        # the whole header, and the secret from standard input
        c = next(c for c in cases if c["type"] == "hmac")
        body = write("body", base64.b64decode(c["body"]))
        r = run([dm, "auth", "hmac", "--name", c["name"], "--secret-file", "-", "--nonce",
                 c["nonce"], "--body", body], stdin=c["secret"].encode())
        hdr = r.stdout.decode().strip()
        want = 'algorithm=MD5, username="%s", mac=%s' % (c["name"], c["value"])
        if hdr != want:
            fail("hmac header", "got %r, want %r" % (hdr, want))
        # the secret is never an argument
        r = run([dm, "auth", "basic", "--name", "n", "s3cret"])
        if r.returncode != 2 or b"--secret-file" not in r.stderr:
            fail("secret argument", "not refused: %s" % r.stderr.decode())

        # 2. A server's check of captured messages.
        desc = write("d.desc", DESCRIPTOR)
        key = write("k.hex", KEY_HEX + "\n")
        os.chmod(key, 0o600)  # key files must be private
        acc = ref.derive_account(DESCRIPTOR.encode(), key=bytes.fromhex(KEY_HEX), devid=DEVID)
        name, secret, cn = acc["name"], acc["client_secret"], acc["client_nonce"]
        server_md5 = ref.auth_md5("dm.operator.example", acc["server_secret"], acc["server_nonce"])
        base = [dm, "auth", "check", "--descriptor", desc, "--key", key]

        def check(label, cmd, ok, reason=None, stdin=None):
            r = run(cmd, stdin=stdin)
            out, err = r.stdout.decode(), r.stderr.decode()
            if ok and (r.returncode != 0 or "authenticated as DevID %s" % DEVID not in out):
                fail(label, "not accepted: exit %d: %s%s" % (r.returncode, out, err))
            if not ok and (r.returncode != 1 or "not authenticated (%s)" % reason not in err):
                fail(label, "want refusal (%s), got exit %d: %s%s" % (reason, r.returncode, out, err))
            return out

        msg = write("m1.xml", package(DEVID, "syncml:auth-md5", ref.auth_md5(name, secret, cn), name))
        out = check("md5 message", base + ["--message", msg], True)
        if "server-cred-type: syncml:auth-md5\nserver-cred: %s\n" % server_md5 not in out:
            fail("md5 server credential", out)
        # The server credential with the nonce the device gave the server (issue 14.4).
        out = check("md5, --server-nonce", base + ["--message", msg, "--server-nonce",
                                                   base64.b64encode(b"dev\0nonce").decode()], True)
        want = ref.auth_md5("dm.operator.example", acc["server_secret"], b"dev\0nonce")
        if "server-cred: %s\n" % want not in out or want == server_md5:
            fail("md5 server credential with --server-nonce", out)
        r = run(base + ["--message", msg, "--server-nonce", "not base64"])
        if r.returncode == 0 or b"--server-nonce" not in r.stderr:
            fail("--server-nonce not base64", r.stderr.decode())
        check("md5 message from stdin", base + ["--message", "-"], True,
              stdin=open(msg, "rb").read())
        check("md5 with --devid", base + ["--devid", DEVID, "--cred-type", "syncml:auth-md5",
                                          "--cred-data", ref.auth_md5(name, secret, cn)], True)
        bad_secret = ("A" if secret[0] != "A" else "B") + secret[1:]
        msg = write("m2.xml", package(DEVID, "syncml:auth-md5", ref.auth_md5(name, bad_secret, cn)))
        check("one character of the secret", base + ["--message", msg], False, "wrong-credential")
        msg = write("m3.xml", package(DEVID, "syncml:auth-md5", ref.auth_md5(name, secret, b"x" + cn)))
        check("another nonce", base + ["--message", msg], False, "wrong-credential")
        check("the nonce the server issued", base + ["--message", msg, "--nonce",
                                                    base64.b64encode(b"x" + cn).decode()], True)
        msg = write("m4.xml", package(OTHER, "syncml:auth-md5", ref.auth_md5(name, secret, cn)))
        check("another DevID", base + ["--message", msg], False, "wrong-credential")
        msg = write("m5.xml", package("IMEI:490154203237518", "syncml:auth-md5", "x"))
        check("a DevID not covered", base + ["--message", msg], False, "not-covered")

        body = package(DEVID)
        msg = write("m6.xml", body)
        mac = ref.auth_hmac(name, secret, cn, body)
        header = 'algorithm=MD5, username="%s", mac=%s' % (name, mac)
        out = check("hmac", base + ["--message", msg, "--hmac-header", header], True)
        if "server-cred-type: syncml:auth-MAC" not in out:
            fail("hmac server credential type", out)
        resp = write("resp.xml", b"<SyncML>response</SyncML>")
        out = check("hmac with --response", base + ["--message", msg, "--hmac-header", header,
                                                    "--response", resp], True)
        smac = ref.auth_hmac("dm.operator.example", acc["server_secret"], acc["server_nonce"],
                             b"<SyncML>response</SyncML>")
        if 'x-syncml-hmac: algorithm=MD5, username="dm.operator.example", mac=%s' % smac not in out:
            fail("hmac server header", out)
        out = check("hmac, --server-nonce", base + ["--message", msg, "--hmac-header", header,
                                                    "--response", resp, "--server-nonce",
                                                    base64.b64encode(b"N2").decode()], True)
        smac = ref.auth_hmac("dm.operator.example", acc["server_secret"], b"N2",
                             b"<SyncML>response</SyncML>")
        if 'mac=%s' % smac not in out:
            fail("hmac server header with --server-nonce", out)
        msg = write("m7.xml", body.replace(b"1201", b"1200"))
        check("hmac, body changed", base + ["--message", msg, "--hmac-header", header], False,
              "wrong-credential")
        check("hmac, --devid and --body", base + ["--devid", DEVID, "--hmac-header", header,
                                                  "--body", write("b.xml", body)], True)
        check("no credential", base + ["--message", write("m8.xml", body)], False, "no-credential")
        # a basic credential is the secret: never on the command line, in
        # whatever case the type is written (the one parser; issue 14, item 10)
        for spelling in ("syncml:auth-basic", "syncml:auth-Basic", "SYNCML:AUTH-BASIC"):
            r = run(base + ["--devid", DEVID, "--cred-type", spelling, "--cred-data", "eDp5"])
            if r.returncode != 2 or b"--cred-data-file" not in r.stderr:
                fail("basic on the command line (%s)" % spelling,
                     "not refused: %s" % r.stderr.decode())
        basic = write("basic.txt", ref.auth_basic(name, secret) + "\n")
        # basic (a cleartext password) only when the descriptor allows it (issue 14.9)
        check("basic, not allowed", base + ["--devid", DEVID, "--cred-type", "syncml:auth-basic",
                                            "--cred-data-file", basic], False, "type-not-allowed")
        bdesc = write("basic.desc", DESCRIPTOR.replace("name: devid\n",
                                                       "auth-pref: BASIC\nname: devid\n"))
        check("basic from a file", [dm, "auth", "check", "--descriptor", bdesc, "--key", key,
                                    "--devid", DEVID, "--cred-type", "syncml:auth-basic",
                                    "--cred-data-file", basic], True)
        # 3. With a registry directory instead of the descriptor.
        reg = os.path.join(tmp, "registry")
        os.mkdir(reg)
        write("registry/auth-cli-1.desc", DESCRIPTOR)
        rbase = [dm, "auth", "check", "--registry", reg, "--key", key]
        msg = write("m9.xml", package(DEVID, "syncml:auth-md5", ref.auth_md5(name, secret, cn), name))
        out = check("registry", rbase + ["--message", msg], True)
        if "under descriptor 'auth-cli-1'" not in out:
            fail("registry descriptor", out)
        msg = write("m10.xml", package("IMEI:490154203237518", "syncml:auth-md5", "x"))
        check("registry, no descriptor", rbase + ["--message", msg], False, "no-descriptor")

        # 4. The operator's keyring (issue 11): DIR/<key-id>.key, the
        # descriptor's key-id selects its master key.
        kr = os.path.join(tmp, "keyring")
        os.mkdir(kr)
        other_hex = "ff" * 32
        for kid, hx in (("acme-2026", KEY_HEX), ("globex-2026", other_hex)):
            os.chmod(write("keyring/%s.key" % kid, hx + "\n"), 0o600)
        kdesc = write("k.desc", DESCRIPTOR.replace("devid-type:", "key-id: acme-2026\ndevid-type:"))
        kbase = [dm, "auth", "check", "--descriptor", kdesc, "--keyring", kr]
        msg = write("k1.xml", package(DEVID, "syncml:auth-md5", ref.auth_md5(name, secret, cn), name))
        check("keyring, descriptor", kbase + ["--message", msg], True)
        kreg = os.path.join(tmp, "kregistry")
        os.mkdir(kreg)
        write("kregistry/auth-cli-1.desc", open(kdesc).read())
        write("kregistry/auth-cli-2.desc", DESCRIPTOR.replace("auth-cli-1", "auth-cli-2")
              .replace("IMEI:35209911*", "IMEI:35209912*")
              .replace("devid-type:", "key-id: initech-1\ndevid-type:"))
        check("keyring, registry", [dm, "auth", "check", "--registry", kreg, "--keyring", kr,
                                    "--message", msg], True)
        # a key-id the keyring lacks; a descriptor without key-id
        udesc = write("u.desc", DESCRIPTOR.replace("devid-type:", "key-id: initech-1\ndevid-type:"))
        check("keyring, unknown key-id", [dm, "auth", "check", "--descriptor", udesc, "--keyring",
                                          kr, "--message", msg], False, "unknown-key")
        r = run([dm, "auth", "check", "--descriptor", udesc, "--keyring", kr, "--message", msg])
        if b"key-id 'initech-1' is not in the keyring (keyring: acme-2026, globex-2026)" not in r.stderr:
            fail("keyring, unknown key-id message", r.stderr.decode())
        check("keyring, no key-id", [dm, "auth", "check", "--descriptor", desc, "--keyring", kr,
                                     "--message", msg], False, "unknown-key")
        umsg = write("k2.xml", package("IMEI:352099120000001", "syncml:auth-md5", "eA=="))
        r = run([dm, "auth", "check", "--registry", kreg, "--keyring", kr, "--message", umsg])
        if r.returncode != 1 or b"not authenticated (unknown-key)" not in r.stderr or \
                b"descriptor 'auth-cli-2' names key-id 'initech-1'" not in r.stderr:
            fail("keyring, registry, unknown key-id", r.stderr.decode())
        # the keyring's files must be private
        os.chmod(os.path.join(kr, "globex-2026.key"), 0o640)
        r = run(kbase + ["--message", msg])
        if r.returncode != 1 or b"globex-2026.key is accessible by group or others" not in r.stderr:
            fail("keyring file mode", r.stderr.decode())
        os.chmod(os.path.join(kr, "globex-2026.key"), 0o600)
        r = run(kbase + ["--key", key, "--message", msg])
        if r.returncode != 2 or b"exactly one of --key FILE, --batch-key FILE and --keyring" not in r.stderr:
            fail("--key and --keyring", r.stderr.decode())
    print("check_auth_cli: %d problem(s)" % problems)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
