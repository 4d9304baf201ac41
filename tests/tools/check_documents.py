#!/usr/bin/env python3
"""Check the bootstrap documents of `dmboot derive --format tnds|w7`.

For a few descriptors (one with '&', '<', '"', "'" and UTF-8 in its values
and in its derived secrets) and DevIDs drawn at random (not in any other
test), it checks that every document

  - is well-formed (`xmllint --noout`),
  - has the file name docs/omadm.md section 6 gives,
  - holds exactly the values of that device, no more and no fewer, laid out
    as docs/omadm.md sections 2 and 3 say: the descriptor's values, and the
    derived ones, which must equal both `dmboot derive --format jsonl` and
    the independent reference tests/tools/dmboot_ref.py.

Usage: check_documents.py --dmboot PATH [--seed N]
Exit status 0 when all hold, 1 on a problem, 77 when xmllint is missing.
"""
import argparse
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dmboot_ref as ref  # noqa: E402

KEY_HEX = "5f1c0a7e3b9d2468ace013579bdf02468ace13579bdf0246fedcba9876543210"

DESCRIPTORS = {
    # Everything, the usual way.
    "plain": """# plain
dmboot-descriptor: 1
id: omadm-plain-1
issuer: ACME Devices Ltd
devid-type: imei
devid-match: IMEI:35209911*
server-id: dm.operator.example
server-name: Operator DM
server-addr: https://dm.operator.example/oma-dm
auth-pref: HMAC
client-auth-type: HMAC
server-auth-type: HMAC
name: devid
client-secret: derive bytes 16 base64url
server-secret: derive chars 20 alnum
client-nonce: derive bytes 16
server-nonce: derive bytes 16
""",
    # Every character XML must escape, UTF-8, a query string, a port.
    "nasty": """# nasty: values that need escaping
dmboot-descriptor: 1
id: omadm-nasty-1
issuer: Ünïcødé & <Sons> "Ltd" 'Ω' 测试
devid-type: imei
devid-match: IMEI:86*
kdf: kbkdf-hmac-sha256
server-id: dm&co<"x">'y'
server-name: Opérateur "DM" & <Co> 'Ü' 测试 ✓
server-addr: https://dm.example.com:8443/oma-dm?a=1&b=<2>&c="3"&d='4'
auth-pref: DIGEST
client-auth-type: DIGEST
server-auth-type: BASIC
name: template u&<"{devid-value}">'
client-secret: derive chars 24 alphabet &<>"'ABCDEFGHIJKLMNOPQ
server-secret: derive chars 30 alphabet "'<>&0123456789
client-nonce: derive bytes 1
server-nonce: derive bytes 255
""",
    # Little: no name, no nonces, no types, no server name; http, explicit port.
    "minimal": """dmboot-descriptor: 1
id: omadm-minimal-1
issuer: M
devid-type: meid
devid-match: MEID:A1*
server-id: .hidden/server
server-addr: http://10.0.0.1:8080/dm
client-secret: derive bytes 12 hex
""",
    # http with the default port, auth-pref alone, server side only.
    "serveronly": """dmboot-descriptor: 1
id: omadm-serveronly-1
issuer: S
devid-type: esn
devid-match: *
server-id: srv
server-addr: http://dm.example/
auth-pref: BASIC
server-secret: derive bytes 9 base64
""",
}

TNDS_NS = "{syncml:dmddf1.2}"


class Problem(Exception):
    pass


def luhn_complete(payload):
    return payload + str(ref.luhn_check_digit(payload))


def devids_for(kind, rng, n):
    out = []
    for _ in range(n):
        if kind == "plain":
            out.append(luhn_complete("35209911" + "".join(rng.choice("0123456789") for _ in range(6))))
        elif kind == "nasty":
            imei = luhn_complete("86" + "".join(rng.choice("0123456789") for _ in range(12)))
            out.append("imei:" + imei[:6] + "-" + imei[6:])  # a form that needs normalizing
        elif kind == "minimal":
            out.append("MEID:a1" + "".join(rng.choice("0123456789abcdef") for _ in range(12)))
        else:
            out.append("".join(rng.choice("0123456789ABCDEF") for _ in range(8)))
    return out


def node_name(server_id):
    """docs/omadm.md 2.3, written again here."""
    ok = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    s = "".join(c if c in ok else "_" for c in server_id[:64])
    return "_" + s[1:] if s.startswith(".") else s


def file_name(devid):
    """docs/omadm.md 6, written again here."""
    out = []
    for i, c in enumerate(devid):
        if c.isascii() and (c.isalnum() or c == "-" or (c == "." and i > 0)):
            out.append(c)
        elif c == ":":
            out.append("_")
        else:
            out.append("".join("%%%02X" % b for b in c.encode()))
    return "".join(out) + ".xml"


def port_of(url):
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0].split("?", 1)[0].split("@")[-1]
    if ":" in host and host.rsplit(":", 1)[1]:
        return host.rsplit(":", 1)[1]
    return "443" if scheme.lower() == "https" else "80"


def b64(data):
    return base64.b64encode(data).decode()


def expected_tnds(desc, acc):
    """{path: (value, format)} of every leaf, docs/omadm.md 2.2."""
    leaves = {"AppID": ("w7", None), "ServerID": (desc["server-id"], None),
              "AppAddr/1/Addr": (desc["server-addr"], None),
              "AppAddr/1/AddrType": ("URI", None),
              "AppAddr/1/Port/1/PortNbr": (port_of(desc["server-addr"]), None)}
    if "server-name" in desc:
        leaves["Name"] = (desc["server-name"], None)
    if "auth-pref" in desc:
        leaves["AAuthPref"] = (desc["auth-pref"], None)
    client = ("client-auth-type" in desc or "name" in acc or "client_secret" in acc
              or "client_nonce" in acc)
    server = "server-auth-type" in desc or "server_secret" in acc or "server_nonce" in acc
    for lvl, on, typ, name, secret, nonce in (
            ("CLCRED", client, "client-auth-type", acc.get("name"), "client_secret", "client_nonce"),
            ("SRVCRED", server, "server-auth-type", desc["server-id"], "server_secret", "server_nonce")):
        if not on:
            continue
        p = "AppAuth/%s/" % lvl
        leaves[p + "AAuthLevel"] = (lvl, None)
        if typ in desc:
            leaves[p + "AAuthType"] = (desc[typ], None)
        if name is not None:
            leaves[p + "AAuthName"] = (name, None)
        if secret in acc:
            leaves[p + "AAuthSecret"] = (acc[secret], None)
        if nonce in acc:
            leaves[p + "AAuthData"] = (b64(acc[nonce]), "b64")
    return leaves


def expected_w7(desc, acc):
    """The (characteristic path, parm, value) triples in order, docs/omadm.md 3."""
    app = "APPLICATION"
    out = [(app, "APPID", "w7"), (app, "PROVIDER-ID", desc["server-id"])]
    if "server-name" in desc:
        out.append((app, "NAME", desc["server-name"]))
    out.append((app + "/APPADDR", "ADDR", desc["server-addr"]))
    out.append((app + "/APPADDR/PORT", "PORTNBR", port_of(desc["server-addr"])))
    if "client-auth-type" in desc or any(k in acc for k in ("name", "client_secret", "client_nonce")):
        p = app + "/APPAUTH"
        out.append((p, "AAUTHLEVEL", "APPSRV"))
        if "client-auth-type" in desc:
            out.append((p, "AAUTHTYPE", desc["client-auth-type"]))
        if "name" in acc:
            out.append((p, "AAUTHNAME", acc["name"]))
        if "client_secret" in acc:
            out.append((p, "AAUTHSECRET", acc["client_secret"]))
        if "client_nonce" in acc:
            out.append((p, "AAUTHDATA", b64(acc["client_nonce"])))
    if "server-auth-type" in desc or any(k in acc for k in ("server_secret", "server_nonce")):
        p = app + "/APPAUTH"
        out.append((p, "AAUTHLEVEL", "CLIENT"))
        if "server-auth-type" in desc:
            out.append((p, "AAUTHTYPE", desc["server-auth-type"]))
        if "server_secret" in acc:
            out.append((p, "AAUTHSECRET", acc["server_secret"]))
        if "server_nonce" in acc:
            out.append((p, "AAUTHDATA", b64(acc["server_nonce"])))
    return out


def tnds_leaves(path, want_node):
    root = ET.parse(path).getroot()
    if root.tag != TNDS_NS + "MgmtTree":
        raise Problem("root is %s" % root.tag)
    kids = list(root)
    if [k.tag for k in kids] != [TNDS_NS + "VerDTD", TNDS_NS + "Node"] or kids[0].text != "1.2":
        raise Problem("MgmtTree must hold VerDTD 1.2 and one Node")
    acct = kids[1]
    if acct.findtext(TNDS_NS + "NodeName") != want_node:
        raise Problem("account node %r, want %r" % (acct.findtext(TNDS_NS + "NodeName"), want_node))
    if acct.findtext(TNDS_NS + "Path") != "./DMAcc":
        raise Problem("Path must be ./DMAcc")
    if acct.find(TNDS_NS + "RTProperties/" + TNDS_NS + "Type/" + TNDS_NS + "DDFName").text != \
            "urn:oma:mo:oma-dm-dmacc:1.0":
        raise Problem("the account node lacks the DMAcc DDFName")
    leaves = {}

    def walk(node, prefix):
        name = node.findtext(TNDS_NS + "NodeName")
        value = node.find(TNDS_NS + "Value")
        children = node.findall(TNDS_NS + "Node")
        if value is not None and children:
            raise Problem("%s has both a Value and children" % (prefix + name))
        if value is not None:
            fmt = node.find(TNDS_NS + "RTProperties/" + TNDS_NS + "Format")
            fmt = fmt[0].tag[len(TNDS_NS):] if fmt is not None else None
            key = prefix + name
            if key in leaves:
                raise Problem("leaf %s twice" % key)
            leaves[key] = (value.text or "", fmt)
        for c in children:
            walk(c, prefix + name + "/")

    for c in acct.findall(TNDS_NS + "Node"):
        walk(c, "")
    return leaves


def w7_parms(path):
    root = ET.parse(path).getroot()
    if root.tag != "wap-provisioningdoc":
        raise Problem("root is %s" % root.tag)
    out = []

    def walk(ch, prefix):
        p = prefix + ch.get("type")
        for e in ch:
            if e.tag == "parm":
                out.append((p, e.get("name"), e.get("value")))
            elif e.tag == "characteristic":
                walk(e, p + "/")
            else:
                raise Problem("unexpected <%s>" % e.tag)

    if [c.get("type") for c in root] != ["APPLICATION"]:
        raise Problem("one APPLICATION characteristic expected")
    walk(root[0], "")
    return out


def descriptor_values(text):
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.split(": ", 1)
            out[k] = v
    return out


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dmboot", required=True)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    if shutil.which("xmllint") is None:
        print("check_documents: xmllint not found (apt install libxml2-utils): skipped")
        return 77
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    print("check_documents: seed %d" % seed)
    problems = 0
    checked = 0
    with tempfile.TemporaryDirectory(prefix="dmboot-docs-") as tmp:
        key = os.path.join(tmp, "key.hex")
        with open(key, "w") as f:
            f.write(KEY_HEX + "\n")
        os.chmod(key, 0o600)  # key files must be private
        for kind, text in DESCRIPTORS.items():
            dpath = os.path.join(tmp, kind + ".desc")
            with open(dpath, "w", encoding="utf-8") as f:
                f.write(text)
            desc = descriptor_values(text)
            devids = devids_for(kind, rng, 4)
            base = [args.dmboot, "derive", "--descriptor", dpath, "--key", key]
            r = run(base + ["--format", "jsonl"] + devids)
            if r.returncode != 0:
                print("FAIL %s: dmboot derive: %s" % (kind, r.stderr.decode()))
                problems += 1
                continue
            rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
            for fmt in ("tnds", "w7"):
                out_dir = os.path.join(tmp, kind + "-" + fmt)
                r = run(base + ["--format", fmt, "--out-dir", out_dir] + devids)
                if r.returncode != 0:
                    print("FAIL %s %s: dmboot derive: %s" % (kind, fmt, r.stderr.decode()))
                    problems += 1
                    continue
                files = sorted(os.listdir(out_dir))
                want_files = sorted(file_name(row["devid"]) for row in rows)
                if files != want_files:
                    print("FAIL %s %s: files %s, want %s" % (kind, fmt, files, want_files))
                    problems += 1
                    continue
                for devid, row in zip(devids, rows):
                    where = "%s %s %s" % (kind, fmt, row["devid"])
                    try:
                        acc = ref.derive_account(text.encode(), key=bytes.fromhex(KEY_HEX),
                                                 devid=devid)
                        mine = {k: (b64(v) if isinstance(v, bytes) else v) for k, v in acc.items()}
                        if mine != row:
                            raise Problem("dmboot derive gives %s, the reference %s" % (row, mine))
                        path = os.path.join(out_dir, file_name(row["devid"]))
                        if os.stat(path).st_mode & 0o777 != 0o600:
                            raise Problem("mode %o, want 600" % (os.stat(path).st_mode & 0o777))
                        lint = run(["xmllint", "--noout", "--nonet", path])
                        if lint.returncode != 0:
                            raise Problem("xmllint: " + lint.stderr.decode())
                        raw = open(path, "rb").read()
                        if not raw.endswith(b">\n") or b"\r" in raw:
                            raise Problem("LF line ends and a final LF expected")
                        if fmt == "tnds":
                            got = tnds_leaves(path, node_name(desc["server-id"]))
                            want = expected_tnds(desc, acc)
                        else:
                            if b'<!DOCTYPE wap-provisioningdoc PUBLIC "-//WAPFORUM//DTD PROV 1.0//EN"' \
                                    not in raw:
                                raise Problem("the PROV 1.0 DOCTYPE is missing")
                            got = w7_parms(path)
                            want = expected_w7(desc, acc)
                        if got != want:
                            raise Problem("content differs:\n  got  %s\n  want %s" % (got, want))
                        if kind == "nasty":
                            for needle in (b"&amp;", b"&lt;", b"&quot;", b"&apos;",
                                           "测试 ✓".encode()):
                                if needle not in raw:
                                    raise Problem("%r is not in the document" % needle)
                        checked += 1
                    except (Problem, ValueError, ET.ParseError, OSError) as e:
                        print("FAIL %s: %s" % (where, e))
                        problems += 1
                # An existing document is refused, and replaced with --force.
                r = run(base + ["--format", fmt, "--out-dir", out_dir] + devids[:1])
                if r.returncode == 0 or b"already exists" not in r.stderr:
                    print("FAIL %s %s: an existing file was not refused" % (kind, fmt))
                    problems += 1
                r = run(base + ["--format", fmt, "--out-dir", out_dir, "--force"] + devids[:1])
                if r.returncode != 0:
                    print("FAIL %s %s: --force: %s" % (kind, fmt, r.stderr.decode()))
                    problems += 1
    print("check_documents: %d documents checked, %d problem(s)" % (checked, problems))
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
