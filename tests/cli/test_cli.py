"""The dmboot command, run as a person would (pytest).

DMBOOT_CLI names the binary (CTest sets it). Values are checked against the
independent reference tests/tools/dmboot_ref.py, on inputs made up here.
"""
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import dmboot_ref as ref  # noqa: E402

CLI = os.environ.get("DMBOOT_CLI", str(ROOT / "build" / "cli" / "dmboot"))

DESC = """# a batch the project's vectors do not contain
dmboot-descriptor: 1
id: cli-test-batch
issuer: CLI Test Ltd
devid-type: imei
devid-match: IMEI:8675309*
kdf: kbkdf-hmac-sha256
server-id: dm.cli.example
server-addr: https://dm.cli.example/dm
name: template user-{devid-value}
client-secret: derive chars 24 alnum
server-secret: derive bytes 18 base64
client-nonce: derive bytes 12
"""


def luhn(d14):
    s = 0
    for k, ch in enumerate(reversed(d14)):
        v = int(ch) * (2 if k % 2 == 0 else 1)
        s += v - 9 if v > 9 else v
    return d14 + str((10 - s % 10) % 10)


IMEIS = [luhn("8675309%07d" % n) for n in (1, 42, 999999)]


def run(*args, input=None, check=None, **kw):
    p = subprocess.run([CLI, *map(str, args)], input=input, capture_output=True, **kw)
    if check is not None:
        assert p.returncode == check, (p.returncode, p.stdout, p.stderr)
    return p


@pytest.fixture
def work(tmp_path):
    (tmp_path / "batch.desc").write_text(DESC)
    key = bytes(range(7, 7 + 40))
    (tmp_path / "master.key").write_text(key.hex() + "\n")
    (tmp_path / "master.key").chmod(0o600)  # key files must be private
    return tmp_path, key


def expected(key, devids):
    rows = []
    for d in devids:
        a = ref.derive_account(DESC, key=key, devid=d)
        row = {k: v for k, v in a.items()}
        for n in ("client_nonce", "server_nonce"):
            if n in row:
                row[n] = __import__("base64").b64encode(row[n]).decode()
        rows.append(row)
    return rows


def test_help_and_version():
    p = run("--help", check=0)
    assert b"derive" in p.stdout and b"key new" in p.stdout
    p = run("--version", check=0)
    assert p.stdout.startswith(b"dmboot 0.")
    version = p.stdout.split()[1]
    # The version is the project's (CMakeLists.txt), in --version and --help.
    project = re.search(rb"project\(dmboot VERSION ([0-9.]+)",
                        (ROOT / "CMakeLists.txt").read_bytes()).group(1)
    assert p.stdout == b"dmboot %s (library %s)\n" % (project, project)
    help_text = run("--help", check=0).stdout
    assert b"dmboot --help | --version" in help_text and b"This is dmboot %s." % version in help_text
    p = run("derive", "--help", check=0)
    assert b"--batch-key" in p.stdout
    p = run("key", "new", "--help", check=0)
    assert b"0600" in p.stdout
    assert run(check=2).stderr
    p = run("frobnicate", check=2)
    assert b"unknown command 'frobnicate'" in p.stderr
    p = run("derive", "--bogus", check=2)
    assert b"unknown option '--bogus'" in p.stderr


def test_key_new(tmp_path):
    p = run("key", "new", check=0)
    assert len(p.stdout) == 65 and p.stdout.endswith(b"\n")
    bytes.fromhex(p.stdout.decode())
    out = tmp_path / "k.hex"
    run("key", "new", "--out", out, check=0)
    assert out.stat().st_mode & 0o777 == 0o600
    first = out.read_bytes()
    p = run("key", "new", "--out", out, check=1)
    assert b"already exists" in p.stderr and out.read_bytes() == first
    run("key", "new", "--out", out, "--force", check=0)
    assert out.read_bytes() != first
    assert sorted(x.name for x in tmp_path.iterdir()) == ["k.hex"]  # no temporary left


def test_derive_arguments_match_reference(work):
    d, key = work
    p = run("derive", "--descriptor", d / "batch.desc", "--key", d / "master.key", *IMEIS, check=0)
    rows = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert rows == expected(key, IMEIS)
    assert "server_nonce" not in rows[0]  # absent fields are left out


def test_derive_stdin_csv_and_batch_key(work):
    d, key = work
    typed = "\n".join(["IMEI:" + IMEIS[0], "", IMEIS[1][:7] + "-" + IMEIS[1][7:], IMEIS[2] + "\r"]) + "\n"
    p = run("derive", "--descriptor", d / "batch.desc", "--key", d / "master.key", "--format", "csv",
            input=typed.encode(), check=0)
    lines = p.stdout.decode().splitlines()
    assert lines[0] == "devid,name,client_secret,server_secret,client_nonce,server_nonce"
    want = expected(key, IMEIS)
    for line, w in zip(lines[1:], want):
        cells = line.split(",")
        assert cells == [w["devid"], w["name"], w["client_secret"], w["server_secret"], w["client_nonce"], ""]
    # the batch key gives the same accounts
    bk = ref.batch_key("kbkdf-hmac-sha256", key, "cli-test-batch")
    (d / "batch.key").write_text(bk.hex() + "\n")
    (d / "batch.key").chmod(0o600)
    p2 = run("derive", "--descriptor", d / "batch.desc", "--batch-key", d / "batch.key", "--format", "csv",
             input=typed.encode(), check=0)
    assert p2.stdout == p.stdout


def test_key_from_stdin(work):
    d, key = work
    p = run("derive", "--descriptor", d / "batch.desc", "--key", "-", IMEIS[0],
            input=(key.hex() + "\n").encode(), check=0)
    assert json.loads(p.stdout) == expected(key, IMEIS[:1])[0]
    p = run("derive", "--descriptor", d / "batch.desc", "--key", "-", input=b"", check=2)
    assert b"standard input" in p.stderr


def test_bad_devid_stops_with_its_line_and_no_partial_out(work):
    d, _ = work
    out = d / "accounts.jsonl"
    bad = "\n".join([IMEIS[0], IMEIS[1], "86753090000004", IMEIS[2]]) + "\n"
    p = run("derive", "--descriptor", d / "batch.desc", "--key", d / "master.key", "--out", out,
            input=bad.encode(), check=1)
    assert b"line 3" in p.stderr and b"14 digits" in p.stderr
    assert not out.exists()
    assert sorted(x.name for x in d.iterdir()) == ["batch.desc", "master.key"]
    # a DevID outside devid-match
    p = run("derive", "--descriptor", d / "batch.desc", "--key", d / "master.key", IMEIS[0],
            "490154203237518", check=1)
    assert b"argument 2" in p.stderr and b"not covered" in p.stderr
    # and a good run writes the whole file, mode 0600
    run("derive", "--descriptor", d / "batch.desc", "--key", d / "master.key", "--out", out, *IMEIS, check=0)
    assert len(out.read_text().splitlines()) == 3 and out.stat().st_mode & 0o777 == 0o600
    run("derive", "--descriptor", d / "batch.desc", "--key", d / "master.key", "--out", out, IMEIS[0], check=1)
    assert len(out.read_text().splitlines()) == 3


def test_usage_errors(work):
    d, _ = work
    desc = d / "batch.desc"
    assert b"--descriptor" in run("derive", "--key", d / "master.key", check=2).stderr
    assert b"exactly one" in run("derive", "--descriptor", desc, check=2).stderr
    assert b"exactly one" in run("derive", "--descriptor", desc, "--key", "a", "--batch-key", "b", check=2).stderr
    assert b"--format" in run("derive", "--descriptor", desc, "--key", "k", "--format", "xml", check=2).stderr
    assert b"--out needs a value" in run("derive", "--descriptor", desc, "--key", "k", "--out", check=2).stderr


def test_bad_inputs(work):
    d, key = work
    (d / "short.key").write_text("abcd\n")
    (d / "short.key").chmod(0o600)
    p = run("derive", "--descriptor", d / "batch.desc", "--key", d / "short.key", IMEIS[0], check=1)
    assert b"4 hex digits" in p.stderr
    (d / "bad.desc").write_text(DESC.replace("server-id:", "serverid:"))
    p = run("derive", "--descriptor", d / "bad.desc", "--key", d / "master.key", IMEIS[0], check=1)
    assert b"bad.desc: line 8: unknown key 'serverid'" in p.stderr
    p = run("derive", "--descriptor", d / "missing.desc", "--key", d / "master.key", IMEIS[0], check=1)
    assert b"missing.desc" in p.stderr
    # a wrong key is caught by key-check before any device
    kc = ref.key_check("kbkdf-hmac-sha256", ref.batch_key("kbkdf-hmac-sha256", key, "cli-test-batch"),
                       "dm.cli.example")
    (d / "kc.desc").write_text(DESC + "key-check: %s\n" % kc)
    run("derive", "--descriptor", d / "kc.desc", "--key", d / "master.key", IMEIS[0], check=0)
    (d / "other.key").write_text("11" * 32 + "\n")
    (d / "other.key").chmod(0o600)
    p = run("derive", "--descriptor", d / "kc.desc", "--key", d / "other.key", IMEIS[0], check=1)
    assert b"does not match key-check" in p.stderr and p.stdout == b""


def test_progress_on_a_terminal(work):
    d, _ = work
    master, slave = pty.openpty()
    devids = "\n".join(luhn("8675309%07d" % n) for n in range(20000)) + "\n"
    p = subprocess.run([CLI, "derive", "--descriptor", d / "batch.desc", "--key", d / "master.key",
                        "--out", d / "big.jsonl"], input=devids.encode(), stderr=slave, stdout=subprocess.PIPE)
    os.close(slave)
    err = b""
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            err += chunk
    except OSError:
        pass
    assert p.returncode == 0
    assert b"derived 20000 devices" in err
    assert len((d / "big.jsonl").read_text().splitlines()) == 20000
