"""Tests of the vector checker (tests/tools/check_vectors.py).

A small sample of every vector file is written to a temporary directory; the
checker must pass it, and must fail when any single expected value is
changed, a field is added or removed, a file has no cases, or a file is not
valid JSON. Run with `python3 -m pytest tests/tools` or directly.
"""

import base64
import copy
import io
import json
import os
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_vectors  # noqa: E402
import dmboot_ref as ref  # noqa: E402

K1 = bytes(range(32))
K2 = bytes(range(100, 116))  # a 16-byte master key
SID = "dm.operator.example"

DESC_FULL = """# sample
dmboot-descriptor: 1
id: sample-1
issuer: Sample Devices
devid-type: imei
devid-match: IMEI:35209911* IMEI:490154203237518
kdf: %s
server-id: dm.operator.example
server-addr: https://dm.operator.example/dm
name: devid
client-secret: derive bytes 16 base64url
server-secret: derive chars 20 alnum
client-nonce: derive bytes 16
server-nonce: derive bytes 16
"""
DESC_PARTIAL = """dmboot-descriptor: 1
id: sample-2
issuer: Sample Devices
devid-type: esn
devid-match: ESN:8000*
server-id: dm2.example
server-addr: http://dm2.example/
name: template esn-{devid-value}
server-secret: derive chars 20 alphabet !#$%&()*+,-./0123456789
"""


def b64(b):
    return base64.b64encode(b).decode()


def _with_mac(text, kdf, key, id):
    return text + "mac: hmac-sha256 %s\n" % b64(ref.descriptor_mac(text.encode(), kdf, key, id))


def build_sample():
    """A dict {file name: document}, values from the reference."""
    kdf_entries = []
    for kdf in ref.KDFS:
        bk = ref.batch_key(kdf, K1, "sample-1")
        kdf_entries.append({
            "name": kdf, "kdf": kdf, "key": K1.hex(), "id": "sample-1", "batch_key": bk.hex(),
            "key_check": {"server_id": SID, "value": ref.key_check(kdf, bk, SID)},
            "mac_key": {"value": ref.mac_key(kdf, K1, "sample-1").hex()},
            "streams": [{"label": label, "server_id": SID, "devid": dev, "length": n,
                         "stream": ref.field_stream(kdf, bk, label, SID, dev, n).hex()}
                        for label, dev, n in [("client-secret", "IMEI:490154203237518", 1),
                                              ("name", "x", 33), ("server-nonce", "", 64)]],
        })
    accounts = []
    descs = [("full-hkdf", _with_mac(DESC_FULL % "hkdf-sha256", "hkdf-sha256", K1, "sample-1"), K1,
              ["490154203237518", "35-209911-015838-9"]),
             ("full-kbkdf", DESC_FULL % "kbkdf-hmac-sha256", K1, ["imei:35209911 0237571"]),
             ("partial", DESC_PARTIAL, K2, ["esn:8000abcd", "8000FFFF"])]
    for name, text, key, inputs in descs:
        d = ref.parse_descriptor(text)
        bk = ref.batch_key(d["kdf"], key, d["id"])
        devices = []
        for inp in inputs:
            acc = ref.derive_account(text, key=key, devid=inp)
            row = {"input": inp}
            row.update({k: (b64(v) if isinstance(v, bytes) else v) for k, v in acc.items()})
            devices.append(row)
        accounts.append({"name": name, "descriptor": text, "key": key.hex(), "batch_key": bk.hex(),
                         "key_check": ref.key_check(d["kdf"], bk, d["server_id"]), "devices": devices})
    devids = {"cases": [
        {"type": "imei", "input": "35-209911-015838-9", "normalized": "IMEI:352099110158389"},
        {"type": "meid", "input": "meid:a0000000002329", "normalized": "MEID:A0000000002329"},
        {"type": "esn", "input": "8000abcd", "normalized": "ESN:8000ABCD"},
        {"type": "opaque", "input": "urn:x", "normalized": "urn:x"},
        {"type": "imei", "input": "490154203237519", "error": "devid", "message_contains": "check"},
        {"type": "opaque", "input": "a b", "error": "devid", "message_contains": "position"},
    ]}
    credentials = {"cases": [
        {"type": "basic", "name": "Bruce2", "secret": "OhBehave", "value": "QnJ1Y2UyOk9oQmVoYXZl"},
        {"type": "md5", "name": "Bruce2", "secret": "OhBehave", "nonce": b64(b"Nonce"),
         "value": "Zz6EivR3yeaaENcRN6lpAQ=="},
        {"type": "hmac", "name": "dev", "secret": "s3cret", "nonce": b64(b"\x00\x01\xff"),
         "body": b64(b"<SyncML/>"), "value": ref.auth_hmac("dev", "s3cret", b"\x00\x01\xff", b"<SyncML/>")},
    ]}
    text = DESC_FULL % "kbkdf-hmac-sha256"
    bk = ref.batch_key("kbkdf-hmac-sha256", K1, "sample-1")
    signed = _with_mac(text, "kbkdf-hmac-sha256", K1, "sample-1")
    authentication = {"cases": [
        {"descriptor": signed, "key": K1.hex(), "kdf": "kbkdf-hmac-sha256", "batch_key": bk.hex(),
         "key_check": ref.key_check("kbkdf-hmac-sha256", bk, SID),
         "mac": b64(ref.descriptor_mac(text.encode(), "kbkdf-hmac-sha256", K1, "sample-1"))},
        {"descriptor": signed.replace("dm.operator.example/dm", "evil.example/dm"), "key": K1.hex(),
         "kdf": "kbkdf-hmac-sha256", "valid": False,
         "mac": b64(ref.descriptor_mac(signed.replace("dm.operator.example/dm", "evil.example/dm")
                                       .encode(), "kbkdf-hmac-sha256", K1, "sample-1"))},
    ]}
    with open(os.path.join(HERE, "..", "vectors", "published.json")) as f:
        published = json.load(f)
    return {"derivation.json": {"description": "sample", "kdf": kdf_entries, "accounts": accounts},
            "devids.json": devids, "credentials.json": credentials,
            "authentication.json": authentication, "published.json": published}


def run_checker(files):
    """Write the files to a temporary directory and run the checker."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, doc in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(doc if isinstance(doc, str) else json.dumps(doc))
        out = io.StringIO()
        with redirect_stdout(out), redirect_stderr(out):
            rc = check_vectors.main(["--vectors", tmp])
    return rc, out.getvalue()


def _mutate(v):
    """A different value of the same shape."""
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 1
    if isinstance(v, str):
        if not v:
            return "00"
        alt = {"0": "1", "A": "B", "a": "b", "=": "A"}.get(v[0], "0" if v[0] != "0" else "1")
        return alt + v[1:]
    raise TypeError(v)


def _outputs(files):
    """JSON paths of every expected (output) value in the sample."""
    paths = []
    for name, doc in files.items():
        if name == "derivation.json":
            for i, e in enumerate(doc["kdf"]):
                paths += [(name, "kdf", i, "batch_key"), (name, "kdf", i, "key_check", "value"),
                          (name, "kdf", i, "mac_key", "value")]
                for j in range(len(e["streams"])):
                    paths += [(name, "kdf", i, "streams", j, "stream"),
                              (name, "kdf", i, "streams", j, "length")]
            for i, a in enumerate(doc["accounts"]):
                paths += [(name, "accounts", i, "batch_key"), (name, "accounts", i, "key_check")]
                for j, dv in enumerate(a["devices"]):
                    paths += [(name, "accounts", i, "devices", j, k) for k in dv if k != "input"]
        elif name == "published.json":
            for sec, keys in (("rfc5869", ("prk", "okm", "l")),
                              ("sp800_108_counter_hmac_sha256", ("ko", "l_bits"))):
                for i in range(len(doc[sec])):
                    paths += [(name, sec, i, k) for k in keys]
        else:
            for i, c in enumerate(doc["cases"]):
                for k in ("normalized", "value", "mac", "key_check", "batch_key"):
                    if k in c:
                        paths.append((name, "cases", i, k))
    return paths


def _at(files, path):
    obj = files
    for p in path[:-1]:
        obj = obj[p]
    return obj, path[-1]


def test_sample_passes():
    rc, out = run_checker(build_sample())
    assert rc == 0, out
    assert "skipped (absent)" not in out and out.count(" ok: ") == 5, out


def test_every_changed_value_fails():
    sample = build_sample()
    paths = _outputs(sample)
    assert len(paths) > 60
    for path in paths:
        files = copy.deepcopy(sample)
        obj, key = _at(files, path)
        obj[key] = _mutate(obj[key])
        rc, out = run_checker(files)
        assert rc == 1 and "FAILED" in out, path


def test_added_or_removed_fields_fail():
    sample = build_sample()
    partial = sample["derivation.json"]["accounts"][2]["devices"][0]
    assert "client_secret" not in partial  # the descriptor leaves it out
    for change in ("add", "remove"):
        files = copy.deepcopy(sample)
        dev = files["derivation.json"]["accounts"][2]["devices"][0]
        if change == "add":
            dev["client_secret"] = "x"
        else:
            del dev["server_secret"]
        rc, out = run_checker(files)
        assert rc == 1 and ("server_secret" in out or "client_secret" in out), change


def test_error_cases_are_checked_both_ways():
    files = build_sample()
    files["devids.json"]["cases"][0] = {"type": "imei", "input": "35-209911-015838-9", "error": "devid"}
    rc, out = run_checker(files)
    assert rc == 1 and "want an error" in out
    files = build_sample()
    files["devids.json"]["cases"][4] = {"type": "imei", "input": "490154203237519",
                                        "normalized": "IMEI:490154203237519"}
    rc, out = run_checker(files)
    assert rc == 1 and "got error" in out
    files = build_sample()
    files["authentication.json"]["cases"][1]["valid"] = True  # tampered, yet claimed valid
    rc, out = run_checker(files)
    assert rc == 1 and "mac line" in out


def test_empty_bad_and_absent_files():
    sample = build_sample()
    for name, key in [("derivation.json", "kdf"), ("derivation.json", "accounts"),
                      ("devids.json", "cases"), ("credentials.json", "cases"),
                      ("authentication.json", "cases"), ("published.json", "rfc5869"),
                      ("published.json", "sp800_108_counter_hmac_sha256")]:
        files = copy.deepcopy(sample)
        files[name][key] = []
        rc, out = run_checker(files)
        assert rc == 1 and "no cases" in out, (name, key)
        del files[name][key]
        rc, out = run_checker(files)
        assert rc == 1, (name, key)
    files = copy.deepcopy(sample)
    files["derivation.json"]["accounts"][0]["devices"] = []
    assert run_checker(files)[0] == 1
    files = copy.deepcopy(sample)
    der = files["derivation.json"]
    der["kdf"] = [e for e in der["kdf"] if e["kdf"] == "hkdf-sha256"]
    rc, out = run_checker(files)
    assert rc == 1 and "kbkdf-hmac-sha256" in out
    rc, out = run_checker({"devids.json": "{not json", "published.json": sample["published.json"]})
    assert rc == 1 and "devids.json" in out
    rc, out = run_checker({"devids.json": '{"cases": [], "cases": []}'})
    assert rc == 1 and "duplicate" in out
    rc, out = run_checker({"credentials.json": {"cases": [7]}})
    assert rc == 1 and "malformed" in out
    # absent files are skipped, unknown top-level keys ignored
    files = {"devids.json": dict(sample["devids.json"], comment="x")}
    rc, out = run_checker(files)
    assert rc == 0 and out.count("skipped (absent)") == 4, out
    rc, out = run_checker({})
    assert rc == 1


def test_uppercase_hex_and_noncanonical_base64_fail():
    files = build_sample()
    e = files["derivation.json"]["kdf"][0]
    e["batch_key"] = e["batch_key"].upper()
    assert run_checker(files)[0] == 1
    files = build_sample()
    files["credentials.json"]["cases"][1]["nonce"] = "Tm9uY2V="  # "Nonce" with nonzero pad bits
    rc, out = run_checker(files)
    assert rc == 1 and "canonical" in out


if __name__ == "__main__":
    failed = 0
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn):
            try:
                fn()
                print("ok    ", name)
            except Exception as e:
                failed += 1
                print("FAIL  ", name, "-", type(e).__name__, e)
    sys.exit(1 if failed else 0)
