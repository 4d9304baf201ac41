"""Shared fixtures for the Python binding's tests.

The package under test is whatever `import dmboot` finds: the build tree's
(CTest sets PYTHONPATH=<build>/python) or an installed one (pip install .).
Expected values come from the shared vectors (tests/vectors/) and from the
independent reference implementation tests/tools/dmboot_ref.py, never from
the C core itself.
"""

import json
import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
VECTORS = Path(os.environ.get("DMBOOT_VECTORS_DIR", TESTS / "vectors"))
EXAMPLES = ROOT / "examples"

sys.path.insert(0, str(TESTS / "tools"))
import dmboot_ref  # noqa: E402  (the independent reference)

# Two fixed master keys (as a key file would hold them).
KEY1 = bytes(range(1, 33))
KEY2 = bytes.fromhex("00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0")

EXAMPLE_TEXT = (EXAMPLES / "acme-x1.desc").read_text(encoding="utf-8")
EXAMPLE_DEVIDS = [line.strip() for line in (EXAMPLES / "devids.txt").read_text().splitlines()
                  if line.strip()]


def descriptor_text(**fields):
    """A descriptor built from the keyword fields (underscores become dashes;
    None leaves a key out), in a fixed order after the required keys."""
    base = {
        "id": "test-1",
        "issuer": "Test Issuer",
        "devid-type": "imei",
        "devid-match": "*",
        "server-id": "dm.test.example",
        "server-addr": "https://dm.test.example/dm",
        "name": "devid",
        "client-secret": "derive bytes 16 base64url",
        "server-secret": "derive chars 20 alnum",
        "client-nonce": "derive bytes 16",
        "server-nonce": "derive bytes 16",
    }
    for k, v in fields.items():
        base[k.replace("_", "-")] = v
    lines = ["dmboot-descriptor: 1"]
    lines += [f"{k}: {v}" for k, v in base.items() if v is not None]
    return "\n".join(lines) + "\n"


# Descriptors that exercise every rule, encoding, alphabet, DevID type and KDF.
RULE_CASES = {
    "example": (EXAMPLE_TEXT, EXAMPLE_DEVIDS[:3]),
    "kbkdf": (descriptor_text(kdf="kbkdf-hmac-sha256"), ["490154203237518"]),
    "hex-digits": (descriptor_text(name="template user-{devid-value}@acme",
                                   client_secret="derive bytes 12 hex",
                                   server_secret="derive chars 24 digits",
                                   client_nonce=None),
                   ["IMEI:490154203237518", "35-209911-015838-9"]),
    "base64-alphabet": (descriptor_text(devid_type="meid", devid_match="MEID:A1*",
                                        name="derive chars 12 alphabet !#$%&*+-=?@^_~",
                                        client_secret="derive bytes 9 base64",
                                        server_secret="derive chars 64 alphabet 01",
                                        server_nonce="derive bytes 1"),
                        ["a10000009f8e7d", "MEID:A1FFFFFFFFFFFF"]),
    "esn-template": (descriptor_text(devid_type="esn", devid_match="ESN:8*",
                                     kdf="kbkdf-hmac-sha256",
                                     name="template {devid}/{devid-value}",
                                     client_secret="derive chars 255 alnum",
                                     server_secret=None, server_nonce="derive bytes 255"),
                     ["esn:8000ABCD", "80ffffff"]),
    "opaque": (descriptor_text(devid_type="opaque", devid_match="urn:uuid:* dev-7",
                               name=None, client_nonce=None, server_nonce=None),
               ["urn:uuid:6a1f-x", "dev-7"]),
}


def ref_account(text, devid, key=None, batch_key=None):
    return dmboot_ref.derive_account(text, key, batch_key, devid=devid)


def load_vectors(name):
    """A vector file's JSON, or skip when it does not exist (yet)."""
    path = VECTORS / name
    if not path.exists():
        pytest.skip(f"tests/vectors/{name} does not exist yet")
    with open(path, encoding="utf-8") as f:
        return json.load(f)
