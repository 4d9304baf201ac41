"""Write tests/vectors/descriptors.json: valid descriptors and one invalid
case per rule of docs/spec.md §4, each with the line and message expected.

  python3 tests/tools/make_descriptor_vectors.py > tests/vectors/descriptors.json
"""
import json
BASE = """# ACME X1, week 48 batch
dmboot-descriptor: 1
id: acme-x1-2026w48
issuer: ACME Devices Ltd
not-before: 2026-11-01
not-after: 2031-10-31
devid-type: imei
devid-match: IMEI:35209911* IMEI:490154203237518
kdf: hkdf-sha256
key-id: operator-acme-2026
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
"""
L = BASE.split("\n")[:-1]  # 21 lines
MAC = "mac: hmac-sha256 " + "A" * 43 + "="
SIG = "signature: ed25519 " + "B" * 85 + "A=="

def text(lines): return "\n".join(lines) + "\n"
def setline(n, s):
    l = list(L); l[n-1] = s; return text(l)
def setkey(key, value):
    l = list(L)
    for i, s in enumerate(l):
        if s.startswith(key + ": "):
            l[i] = key + ": " + value; return text(l), i + 1
    raise KeyError(key)
def drop(key):
    return text([s for s in L if not s.startswith(key + ": ")])
def add(s, at=None):
    l = list(L)
    if at is None: l.append(s)
    else: l.insert(at - 1, s)
    return text(l)

minimal = "dmboot-descriptor: 1\nid: m\nissuer: I\ndevid-type: opaque\ndevid-match: *\nserver-id: s\nserver-addr: http://h\n"

valid = []
def V(name, t, **expect):
    valid.append({"name": name, "text": t, "expect": expect})
V("design example", BASE, id="acme-x1-2026w48", **{"server-id": "dm.operator.example", "kdf": "hkdf-sha256", "signed_length": len(BASE.encode()), "entries": 20, "devid-type": "imei"})
V("minimal: only required keys", minimal, id="m", **{"server-id": "s", "kdf": None, "signed_length": len(minimal), "entries": 7})
t = text(L + [MAC]); V("with mac", t, id="acme-x1-2026w48", signed_length=len(BASE.encode()), entries=21)
t = text(L + [MAC, SIG]); V("with mac and signature", t, signed_length=len(BASE.encode()), entries=22)
t = text(L + [SIG]); V("signature only", t, signed_length=len(BASE.encode()), entries=21)
t, _ = setkey("kdf", "kbkdf-hmac-sha256"); V("kbkdf", t, kdf="kbkdf-hmac-sha256")
t = text(["", "# comment", "", "# another: with a colon", ""] + L[1:]); V("blank lines and comments before the first entry", t, entries=20)
t = text(L[:5] + ["", "# mid comment Café ✓"] + L[5:]); V("UTF-8 comment and blank line inside", t, entries=20)
t, _ = setkey("issuer", "Société Générale d'Électronique — 東京"); t2 = t.replace("server-name: Operator DM", "server-name: Opérateur « DM » & <co>"); V("UTF-8 issuer and server-name", t2, issuer="Société Générale d'Électronique — 東京", **{"server-name": "Opérateur « DM » & <co>"})
t = add("x-factory-line: 7"); V("extension key", t, **{"x-factory-line": "7", "entries": 21})
long_issuer = "issuer: " + "a" * (1024 - 8)
t = setline(4, long_issuer); V("line of exactly 1024 bytes", t, entries=20)
meid = "dmboot-descriptor: 1\nid: meid-batch\nissuer: I\ndevid-type: meid\ndevid-match: MEID:A0000012* MEID:A00000123456CD\nserver-id: s\nserver-addr: https://h:8443/dm?x=1&y=2\nname: template dm-{devid-value}\nclient-secret: derive bytes 8 hex\nserver-secret: derive bytes 12 base64\n"
V("meid with template and hex", meid, **{"devid-type": "meid", "entries": 10})
esn = "dmboot-descriptor: 1\nid: esn_1.0\nissuer: I\ndevid-type: esn\ndevid-match: ESN:8* ESN:12ABCDEF\nserver-id: s\nserver-addr: http://h\nname: derive chars 12 alnum\nclient-secret: derive chars 20 digits\nserver-secret: derive chars 11 alnum\n"
V("esn with derived name and digit secrets", esn, **{"devid-type": "esn"})
opq = "dmboot-descriptor: 1\nid: opaque\nissuer: I\ndevid-type: opaque\ndevid-match: urn:uuid:* serial-0001\nserver-id: s\nserver-addr: http://h\nname: template {devid}@{devid-value}\nclient-secret: derive chars 10 alphabet !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\nserver-secret: derive chars 64 alphabet 01\n"
V("opaque, 94-symbol and 2-symbol alphabets", opq, **{"devid-type": "opaque"})
t = text([L[0]] + [L[1]] + list(reversed(L[2:]))); V("keys in any order after the first", t, entries=20)
t, _ = setkey("server-addr", "https://[2001:db8::1]:65535/oma-dm?x=1#f"); V("IPv6 server-addr with the highest port", t, **{"server-addr": "https://[2001:db8::1]:65535/oma-dm?x=1#f"})
t, _ = setkey("not-before", "2028-02-29"); t = t.replace("not-after: 2031-10-31", "not-after: 2028-02-29"); V("leap day, same-day validity", t)

invalid = []
def I(name, t, line, contains):
    invalid.append({"name": name, "text": t, "line": line, "message_contains": contains})

I("empty file", "", 1, "empty")
I("byte order mark", "\ufeff" + BASE, 1, "byte order mark")
I("missing final newline", BASE[:-1], 21, "missing newline")
I("CRLF line ends", BASE.replace("\n", "\r\n"), 1, "carriage return")
I("line longer than 1024 bytes", setline(4, "issuer: " + "a" * (1025 - 8)), 4, "1025 bytes")
I("first entry is not dmboot-descriptor", text([L[0], L[2], L[1]] + L[3:]), 2, "first entry")
I("unsupported version", setline(2, "dmboot-descriptor: 2"), 2, "unsupported descriptor version")
I("unknown key", add("serverid: x"), 22, "unknown key 'serverid'")
I("uppercase key", setline(3, "ID: acme"), 3, "lowercase")
I("key with underscore", setline(3, "i_d: acme"), 3, "a-z, 0-9")
I("key starting with a digit", add("1x: y"), 22, "start with a letter")
I("no colon", setline(9, "kdf hkdf-sha256"), 9, "no ':'")
I("no space after colon", setline(9, "kdf:hkdf-sha256"), 9, "one space")
I("two spaces after colon", setline(9, "kdf:  hkdf-sha256"), 9, "leading space")
I("tab after colon", setline(9, "kdf:\thkdf-sha256"), 9, "one space")
I("empty value", setline(10, "key-id: "), 10, "empty value")
I("no value", setline(10, "key-id:"), 10, "no value")
I("trailing space", setline(10, "key-id: op "), 10, "trailing space")
I("control character in value", setline(10, "key-id: op\x01x"), 10, "control character")
I("tab inside value", setline(10, "key-id: op\tx"), 10, "control character")
I("DEL in value", setline(10, "key-id: op\x7fx"), 10, "control character")
I("UTF-8 in an ASCII value", setline(10, "key-id: opé"), 10, "printable ASCII")
I("invalid UTF-8 in issuer", setline(4, "issuer: ACME \xff"), 4, "not valid UTF-8")  # bytes fixed below
I("C1 control in issuer", setline(4, "issuer: ACME \u0085"), 4, "UTF-8")
I("control character in comment", setline(1, "# bad\x07"), 1, "comment")
I("duplicate key", add("issuer: Other"), 22, "appears twice (first on line 4)")
I("missing id", drop("id"), 20, "missing required key 'id'")
I("missing issuer", drop("issuer"), 20, "missing required key 'issuer'")
I("missing devid-type", drop("devid-type"), 20, "'devid-type'")
I("missing devid-match", drop("devid-match"), 20, "'devid-match'")
I("missing server-id", drop("server-id"), 20, "'server-id'")
I("missing server-addr", drop("server-addr"), 20, "'server-addr'")
I("missing key reported at the first auth line", text([s for s in L if not s.startswith("server-addr")] + [MAC]), 21, "'server-addr'")
I("id with a space", setkey("id", "acme x1")[0], 3, "A-Z a-z 0-9")
I("id with a slash", setkey("id", "acme/x1")[0], 3, "A-Z a-z 0-9")
I("id longer than 64", setkey("id", "a" * 65)[0], 3, "at most 64")
I("date with slashes", setkey("not-before", "2026/11/01")[0], 5, "not a date")
I("February 30", setkey("not-before", "2026-02-30")[0], 5, "not a date")
I("February 29 in a common year", setkey("not-after", "2027-02-29")[0], 6, "not a date")
I("month 13", setkey("not-after", "2031-13-01")[0], 6, "not a date")
I("not-after before not-before", setkey("not-after", "2026-10-31")[0], 6, "before not-before")
I("unknown devid-type", setkey("devid-type", "iccid")[0], 7, "unknown devid-type 'iccid'")
I("devid-match without prefix", setkey("devid-match", "35209911*")[0], 8, "not a normalized imei")
I("devid-match lowercase prefix", setkey("devid-match", "imei:35209911*")[0], 8, "not a normalized imei")
I("devid-match letter in IMEI", setkey("devid-match", "IMEI:3520991A*")[0], 8, "not a normalized imei")
I("devid-match incomplete exact IMEI", setkey("devid-match", "IMEI:35209911")[0], 8, "incomplete")
I("devid-match wrong check digit", setkey("devid-match", "IMEI:490154203237519")[0], 8, "check digit")
I("devid-match too long", setkey("devid-match", "IMEI:4901542032375181*")[0], 8, "not a normalized imei")
I("devid-match double space", setkey("devid-match", "IMEI:35* IMEI:36*".replace(" ", "  "))[0], 8, "one space")
I("devid-match star inside", setkey("devid-match", "IMEI:35*1")[0], 8, "not a normalized imei")
I("meid pattern in lowercase", meid.replace("MEID:A0000012*", "MEID:a0000012*"), 5, "not a normalized meid")
I("unknown kdf", setkey("kdf", "pbkdf2")[0], 9, "unknown kdf")
I("key-check uppercase", add("key-check: ABCDEF01"), 22, "8 lowercase hex")
I("key-check too short", add("key-check: abcdef0"), 22, "8 lowercase hex")
I("server-id with a space", setkey("server-id", "dm operator")[0], 11, "spaces")
I("server-addr not http", setkey("server-addr", "ftp://dm.operator.example/")[0], 13, "http:// or https://")
I("server-addr without host", setkey("server-addr", "https:///oma-dm")[0], 13, "no host")
I("server-addr port 0", setkey("server-addr", "https://dm.operator.example:0/dm")[0], 13, "from 1 to 65535")
I("server-addr port 65536", setkey("server-addr", "https://dm.operator.example:65536/dm")[0], 13, "from 1 to 65535")
I("server-addr port not a number", setkey("server-addr", "https://dm.operator.example:8o/dm")[0], 13, "from 1 to 65535")
I("server-addr with user info", setkey("server-addr", "https://u:p@dm.operator.example/dm")[0], 13, "user name")
I("server-addr bad IPv6", setkey("server-addr", "https://[::1/dm")[0], 13, "IPv6")
I("server-addr with a space", setkey("server-addr", "https://dm.op example/")[0], 13, "spaces")
I("auth-pref lowercase", setkey("auth-pref", "hmac")[0], 14, "BASIC, DIGEST or HMAC")
I("client-auth-type unknown", setkey("client-auth-type", "X509")[0], 15, "BASIC, DIGEST or HMAC")
I("server-auth-type unknown", setkey("server-auth-type", "MD5")[0], 16, "BASIC, DIGEST or HMAC")
I("unknown rule", setkey("name", "serial")[0], 17, "unknown rule")
I("template with unknown placeholder", setkey("name", "template {imei}")[0], 17, "not part of {devid}")
I("template with a lone brace", setkey("name", "template a}b")[0], 17, "not part of {devid}")
I("template too long for opaque", opq.replace("name: template {devid}@{devid-value}", "name: template " + "{devid}" * 5), 8, "expand to 640 bytes")
I("raw bytes for the name", setkey("name", "derive bytes 16")[0], 17, "needs an encoding")
I("derive without kind", setkey("client-secret", "derive 16 hex")[0], 18, "derive bytes N")
I("count zero", setkey("client-secret", "derive bytes 0 hex")[0], 18, "1 to 255")
I("count 256", setkey("client-secret", "derive bytes 256 hex")[0], 18, "1 to 255")
I("count with leading zero", setkey("client-secret", "derive bytes 016 hex")[0], 18, "1 to 255")
I("count not a number", setkey("client-secret", "derive bytes many hex")[0], 18, "1 to 255")
I("unknown encoding", setkey("client-secret", "derive bytes 16 base32")[0], 18, "unknown encoding 'base32'")
I("secret with raw bytes", setkey("client-secret", "derive bytes 16")[0], 18, "needs an encoding")
I("secret of 56 bits (bytes)", setkey("client-secret", "derive bytes 7 hex")[0], 18, "56 bits of entropy")
I("secret of 63 bits (digits)", setkey("server-secret", "derive chars 19 digits")[0], 19, "63 bits")
I("secret of 59 bits (alnum)", setkey("server-secret", "derive chars 10 alnum")[0], 19, "59 bits")
I("secret from the devid", setkey("server-secret", "devid")[0], 19, "0 bits of entropy")
I("secret from a template", setkey("client-secret", "template {devid}-x")[0], 18, "0 bits of entropy")
I("chars without alphabet", setkey("server-secret", "derive chars 20")[0], 19, "needs an alphabet")
I("unknown alphabet", setkey("server-secret", "derive chars 20 hexdigits")[0], 19, "unknown alphabet")
I("alphabet of one symbol", setkey("name", "derive chars 20 alphabet a")[0], 17, "2 to 94 symbols")
I("alphabet with a repeat", setkey("server-secret", "derive chars 40 alphabet abcdefgha")[0], 19, "'a' twice")
I("alphabet with a space", setkey("server-secret", "derive chars 40 alphabet ab cd")[0], 19, "printable ASCII without space")
I("nonce with an encoding", setkey("client-nonce", "derive bytes 16 hex")[0], 20, "nonces are binary")
I("nonce from chars", setkey("server-nonce", "derive chars 16 alnum")[0], 21, "nonces are binary")
I("nonce from the devid", setkey("server-nonce", "devid")[0], 21, "nonces are binary")
I("mac with wrong algorithm", text(L + ["mac: hmac-sha1 " + "A" * 43 + "="]), 22, "hmac-sha256")
I("mac too short", text(L + ["mac: hmac-sha256 " + "A" * 40]), 22, "base64 of 32 bytes")
I("mac non-canonical base64", text(L + ["mac: hmac-sha256 " + "A" * 42 + "B="]), 22, "base64 of 32 bytes")
I("signature of 63 bytes", text(L + ["signature: ed25519 " + "B" * 84]), 22, "base64 of 64 bytes")
I("signature before mac", text(L + [SIG, MAC]), 23, "'mac' must come before 'signature'")
I("entry after an auth line", text(L[:-1] + [MAC, L[-1]]), 22, "only authentication lines")
I("comment after an auth line", text(L + [MAC, "# trailing"]), 23, "only authentication lines")
I("blank line after an auth line", text(L + [MAC, ""]), 23, "only authentication lines")
I("two mac lines", text(L + [MAC, MAC]), 23, "appears twice")
I("extension key x- alone", add("x-: 1"), 22, "unknown key 'x-'")

# JSON strings cannot carry a raw 0xFF byte: that case goes as text_base64.
for c in invalid:
    if c["name"] == "invalid UTF-8 in issuer":
        c["text_base64"] = __import__("base64").b64encode(c["text"].replace("\xff", "").encode() .replace(b"issuer: ACME ", b"issuer: ACME \xff", 1)).decode()
        del c["text"]

doc = {"description": "Descriptor parsing vectors (docs/spec.md §4). 'valid' files must parse with the expected values (null: the key is absent); 'invalid' files must fail with DMBOOT_ERR_DESCRIPTOR on 'line' with a message containing 'message_contains'. A case may give its bytes as 'text_base64' instead of 'text' when they are not valid UTF-8.",
       "valid": valid, "invalid": invalid}
print(json.dumps(doc, indent=1, ensure_ascii=False))
print(len(valid), len(invalid), file=__import__("sys").stderr)
