"""Write the inputs of tests/vectors/derivation.json (keys, descriptors,
DevIDs); tests/tools/gen_derivation (C, built with the tests) fills in the
outputs, and check_vectors.py recomputes them independently.

  python3 tests/tools/make_derivation_inputs.py > tests/vectors/derivation.json
  build/tests/gen_derivation tests/vectors/derivation.json

Keys are pseudo-random from a fixed seed, so the file is reproducible.
"""
import json
import random

rng = random.Random(20261128)


def key(n):
    return bytes(rng.randrange(256) for _ in range(n)).hex()


def luhn(d14):
    s = 0
    for k, ch in enumerate(reversed(d14)):
        v = int(ch)
        if k % 2 == 0:
            v *= 2
            v -= 9 if v > 9 else 0
        s += v
    return str((10 - s % 10) % 10)


def imei(d14):
    return d14 + luhn(d14)


HEAD = ("dmboot-descriptor: 1\nid: {id}\nissuer: {issuer}\ndevid-type: {type}\n"
        "devid-match: {match}\nkdf: {kdf}\nserver-id: {sid}\n"
        "server-addr: https://dm.example/oma-dm\n")


def descriptor(id, type, match, kdf, sid, rules, issuer="Vector Devices Ltd"):
    text = HEAD.format(id=id, issuer=issuer, type=type, match=match, kdf=kdf, sid=sid)
    return text + "".join("%s: %s\n" % r for r in rules)


FULL = [("name", "devid"), ("client-secret", "derive bytes 16 base64url"),
        ("server-secret", "derive chars 20 alnum"), ("client-nonce", "derive bytes 16"),
        ("server-nonce", "derive bytes 16")]

imeis = [imei("35209911%06d" % rng.randrange(10**6)) for _ in range(3)]
typed = [imeis[0], "IMEI:" + imeis[1], "%s-%s-%s-%s" % (imeis[2][:2], imeis[2][2:8], imeis[2][8:14], imeis[2][14])]

accounts = []
for kdf in ("hkdf-sha256", "kbkdf-hmac-sha256"):
    short = kdf.split("-")[0]
    accounts += [
        {"name": "%s: the design example, 32-byte key" % short, "key": key(32),
         "descriptor": descriptor("acme-x1-" + short, "imei", "IMEI:35209911*", kdf, "dm.operator.example", FULL),
         "devices": typed},
        {"name": "%s: 16-byte key, hex and base64, derived name, no nonces" % short, "key": key(16),
         "descriptor": descriptor("hex." + short, "imei", "IMEI:*", kdf, "dm2",
                                  [("name", "derive chars 12 alnum"), ("client-secret", "derive bytes 8 hex"),
                                   ("server-secret", "derive bytes 24 base64")]),
         "devices": [imei("49015420323751"), imei("00000000000000")]},
        {"name": "%s: 64-byte key, meid, template name, digits and custom alphabets" % short, "key": key(64),
         "descriptor": descriptor("meid_" + short, "meid", "MEID:A0*", kdf, "dm.operator.example",
                                  [("name", "template dm-{devid-value}/{devid}"),
                                   ("client-secret", "derive chars 20 digits"),
                                   ("server-secret", "derive chars 41 alphabet xyz"),
                                   ("client-nonce", "derive bytes 1"), ("server-nonce", "derive bytes 255")]),
         "devices": ["A0000012345678", "meid:a00000ffffffff"]},
        {"name": "%s: esn, 94-symbol alphabet, long values" % short, "key": key(48),
         "descriptor": descriptor("esn-" + short, "esn", "ESN:*", kdf, "s",
                                  [("name", "devid"),
                                   ("client-secret", "derive chars 255 alphabet " + "".join(chr(c) for c in range(0x21, 0x7f))),
                                   ("server-secret", "derive bytes 255 base64url"),
                                   ("client-nonce", "derive bytes 33")]),
         "devices": ["12ABCDEF", "esn:80000001"]},
        {"name": "%s: opaque, a long server-id, only a client secret" % short, "key": key(20),
         "descriptor": descriptor("opaque-" + short, "opaque", "urn:dev:*", kdf, "dm." + "x" * 300 + ".example",
                                  [("client-secret", "derive bytes 255 hex")]),
         "devices": ["urn:dev:0001", "urn:dev:" + "z" * 120]},
    ]

kdf_cases = []
for kdf in ("hkdf-sha256", "kbkdf-hmac-sha256"):
    for n in (16, 32, 64):
        kdf_cases.append({"name": "%s, %d-byte key" % (kdf, n), "kdf": kdf, "key": key(n),
                          "id": "batch-%d" % n,
                          "key_check": {"server_id": "dm.operator.example"},
                          "mac_key": {},
                          "streams": [{"label": "client-secret", "server_id": "dm.operator.example",
                                       "devid": "IMEI:" + imeis[0], "length": ln} for ln in (1, 32, 33, 100)]
                          + [{"label": "key-check", "server_id": "s", "devid": "", "length": 8160}]})

print(json.dumps({
    "description": "Derivation vectors (docs/spec.md §2-§4). Outputs were produced by the C "
                   "library (tests/tools/gen_derivation) and are recomputed by the pure-Python "
                   "reference (tests/tools/check_vectors.py). Nonces are base64.",
    "kdf": kdf_cases, "accounts": [{**a, "devices": [{"input": d} for d in a["devices"]]} for a in accounts]},
    indent=1))
