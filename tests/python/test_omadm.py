"""OMA DM credentials, documents and the first-contact check."""

import base64
import json
import xml.dom.minidom

import pytest

import dmboot
from conftest import EXAMPLE_TEXT, KEY1, dmboot_ref, load_vectors

def test_credentials_against_the_reference_and_the_published_example():
    assert dmboot.auth_md5("Bruce2", "OhBehave", b"Nonce") == "Zz6EivR3yeaaENcRN6lpAQ=="
    for name, secret, nonce, body in [("a", "b", b"\x00\xff", b""), ("IMEI:1:x", "s3cr3t",
                                                                     b"n" * 16, b"<SyncML/>")]:
        assert dmboot.auth_basic(name, secret) == dmboot_ref.auth_basic(name, secret)
        assert dmboot.auth_md5(name, secret, nonce) == dmboot_ref.auth_md5(name, secret, nonce)
        mac = dmboot.auth_hmac(name, secret, nonce, body)
        assert mac == dmboot_ref.auth_hmac(name, secret, nonce, body)
        dmboot.verify_hmac(name, secret, nonce, body, mac)
        with pytest.raises(dmboot.CredentialError):
            dmboot.verify_hmac(name, secret, nonce, body + b" ", mac)
    dmboot.verify_basic("Bruce2", "OhBehave", "QnJ1Y2UyOk9oQmVoYXZl")
    with pytest.raises(dmboot.CredentialError):
        dmboot.verify_basic("Bruce2", "OhBehave!", "QnJ1Y2UyOk9oQmVoYXZl")


def test_credential_vectors():
    for case in load_vectors("credentials.json")["cases"]:
        nonce = base64.b64decode(case.get("nonce", ""))
        body = base64.b64decode(case.get("body", ""))
        got = {"basic": lambda: dmboot.auth_basic(case["name"], case["secret"]),
               "md5": lambda: dmboot.auth_md5(case["name"], case["secret"], nonce),
               "hmac": lambda: dmboot.auth_hmac(case["name"], case["secret"], nonce, body),
               }[case["type"]]()
        assert got == case["value"], case["case"]


def test_hmac_header_round_trip():
    h = dmboot.hmac_header('dev "1"', "abc==")
    assert dmboot.parse_hmac_header(h) == {"algorithm": "MD5", "username": 'dev "1"',
                                           "mac": "abc=="}
    with pytest.raises(dmboot.ParseError):
        dmboot.parse_hmac_header("algorithm=MD5")
    assert len(dmboot.generate_nonce()) == 16


def test_documents_hold_the_derived_values():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    acc = d.derive("490154203237518", key=KEY1)
    tnds = acc.to_tnds()
    xml.dom.minidom.parseString(tnds)  # well-formed
    for v in (acc.name, acc.client_secret, acc.server_secret,
              base64.b64encode(acc.client_nonce).decode()):
        assert v in tnds
    w7 = acc.to_w7()
    assert acc.client_secret in w7 and "w7" in w7
    assert d.deriver(key=KEY1).document("490154203237518", "w7") == w7
    assert dmboot.document_media_type("tnds") == "application/vnd.syncml.dmtnds+xml"
    assert dmboot.devid_filename(acc.devid, ".xml") == "IMEI_490154203237518.xml"


MESSAGE = """<?xml version="1.0" encoding="UTF-8"?>
<SyncML xmlns='SYNCML:SYNCML1.2'>
  <SyncHdr>
    <VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A</SessionID><MsgID>1</MsgID>
    <Target><LocURI>https://dm.operator.example/oma-dm</LocURI></Target>
    <Source><LocURI>{devid}</LocURI><LocName>{name}</LocName></Source>
    <Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-md5</Type>
      <Format xmlns='syncml:metinf'>b64</Format></Meta><Data>{cred}</Data></Cred>
  </SyncHdr>
  <SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody>
</SyncML>
"""


def test_first_contact_check():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT.replace("HMAC", "DIGEST"))
    acc = d.derive("490154203237518", key=KEY1)
    cred = dmboot.auth_md5(acc.name, acc.client_secret, acc.client_nonce)
    msg = MESSAGE.format(devid=acc.devid, name=acc.name, cred=cred)
    m = dmboot.SyncMLMessage.parse(msg)
    assert m.devid == "IMEI:490154203237518" and m.final and m.commands() == ["Alert"]
    assert m.get("Cred/Data") == cred
    r = d.check_message(msg, key=KEY1)
    assert r and r.authenticated and r.reason == "ok" and r.status is None
    assert r.devid == acc.devid and r.descriptor_id == "acme-x1-2026w48"
    assert r.account == acc or r.account.client_secret == acc.client_secret
    bad = d.check_message(msg.replace(cred, dmboot.auth_md5(acc.name, "wrong", acc.client_nonce)),
                          key=KEY1)
    assert not bad and bad.reason == "wrong-credential" and bad.status == "auth_failed"
    assert "wrong" in bad.message
    with pytest.raises(dmboot.ParseError):
        dmboot.SyncMLMessage.parse("<SyncML>")


def test_registry_check_message_picks_the_descriptor():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT)
    reg = dmboot.Registry()
    reg.add(d)
    acc = d.derive("490154203237518", key=KEY1)
    pkg = ("<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2"
           "</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>"
           "https://dm.operator.example/oma-dm</LocURI></Target><Source><LocURI>{}</LocURI>"
           "</Source></SyncHdr><SyncBody><Final/></SyncBody></SyncML>")
    body = pkg.format(acc.devid)
    header = dmboot.hmac_header(acc.name, dmboot.auth_hmac(acc.name, acc.client_secret,
                                                            acc.client_nonce, body.encode()))
    r = reg.check_message(body, key=KEY1, hmac_header=header)
    assert r.authenticated and r.devid == acc.devid and r.descriptor_id == d.id
    # the same header over another body, and a DevID nobody covers
    assert reg.check_message(body + " ", key=KEY1, hmac_header=header).reason == "wrong-credential"
    r = reg.check_message(pkg.format("IMEI:490154203237526"), key=KEY1, hmac_header=header)
    assert not r and r.reason == "no-descriptor"
    r = reg.check_hmac(acc.devid, header, body.encode(), key=KEY1)
    assert r.authenticated and r.server_cred_type == "syncml:auth-MAC"
    assert r.server_hmac(b"reply").startswith('algorithm=MD5, username="dm.operator.example"')
    # the server's credential takes the nonce the device gave the server (issue 14.4)
    derived = r.server_hmac(b"reply")
    assert r.server_hmac(b"reply", nonce=acc.server_nonce) == derived
    assert r.server_hmac(b"reply", nonce=b"from the device's Chal") != derived
    assert r.server_cred() is None  # HMAC: over the reply only


def test_server_cred_with_the_device_nonce():
    d = dmboot.Descriptor.parse(EXAMPLE_TEXT.replace("server-auth-type: HMAC\n", "")
                                .replace("client-auth-type: HMAC\n", "client-auth-type: DIGEST\n"))
    acc = d.derive("490154203237518", key=KEY1)
    r = d.check_cred(acc.devid, "syncml:auth-md5",
                     dmboot.auth_md5(acc.name, acc.client_secret, acc.client_nonce),
                     key=KEY1)
    assert r.authenticated and r.server_cred_type == "syncml:auth-md5"
    assert r.server_cred() == dmboot.auth_md5(d.server_id, acc.server_secret, acc.server_nonce)
    assert r.server_cred(b"N") == dmboot.auth_md5(d.server_id, acc.server_secret, b"N")
