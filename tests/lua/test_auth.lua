-- Descriptor authentication and OMA DM.
local T = require "testlib"
local F = require "fixtures"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

local function signed(sk)
    local d = assert(dmboot.parse(F.EXAMPLE))
    return assert(dmboot.parse(assert(d:sign { key = F.KEY1, signing_key = sk,
        update_key_check = true })))
end

test("sign and verify", function()
    local sk = dmboot.signing_key_generate()
    local d = signed(sk)
    T.eq(d:get("key-check"), d:key_check { key = F.KEY1 })
    local ok = assert(d:verify { key = F.KEY1, issuer_keys = { sk:public_pem() }, at = "2027-01-01" })
    T.ok(ok.mac and ok.signature and ok["key-check"] and ok.validity)
    T.eq(#ok, 4)
    local r = assert(d:verify_report { key = F.KEY1, issuer_keys = { sk:public_pem() },
        at = "2027-01-01" })
    T.eq(r.issuer_key, 1)
    T.ok(r.mac:find("^ok"), r.mac)
    T.eq(#assert(d:mac { key = F.KEY1 }), 32)
    -- the MAC key comes from the master key: a batch key is refused (issue 14.3)
    local bk = assert(d:batch_key(F.KEY1))
    T.fails("key", { "a batch key cannot make or check the MAC" }, d.mac, d, { batch_key = bk })
    T.fails("unauthenticated", { "a batch key cannot check a MAC" }, d.verify, d,
        { batch_key = bk, at = "2027-01-01" })
end)

test("key files must be private (no symlink, mode & 077 == 0)", function()
    local dir = T.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
    local key = dir .. "/master.key"
    T.write(key, T.hex(F.KEY1) .. "\n")
    assert(os.execute("chmod 644 " .. key))
    T.fails("key", { key, "(mode 0644)", "chmod 600" }, dmboot.read_key_file, key)
    assert(os.execute("chmod 600 " .. key))
    T.eq(assert(dmboot.read_key_file(key)), F.KEY1)
    assert(os.execute("ln -s " .. key .. " " .. dir .. "/link.key"))
    T.fails("key", { dir .. "/link.key", "symbolic link" }, dmboot.read_key_file, dir .. "/link.key")
    assert(os.execute("rm -r " .. dir))
end)

test("keyring: the key-id selects the master key", function()
    local d = signed() -- key-id operator-acme-2026, KEY1
    local kr = assert(dmboot.keyring { ["operator-acme-2026"] = F.KEY1, ["other"] = F.KEY2 })
    T.eq(table.concat(kr:key_ids(), ","), "operator-acme-2026,other")
    local ok = assert(d:verify { keyring = kr, at = "2027-01-01" })
    T.ok(ok.mac and ok["key-check"])
    local only_other = assert(dmboot.keyring { other = F.KEY2 })
    T.fails("unknown_key", { "operator-acme-2026", "not in the keyring" }, d.verify, d,
        { keyring = only_other, at = "2027-01-01" })
    T.raises("not both", d.verify, d, { keyring = kr, key = F.KEY1 })
end)

test("trust file: issuer scopes", function()
    local sk = dmboot.signing_key_generate()
    local d = signed(sk) -- key-id operator-acme-2026, IMEI:35209911* IMEI:490154203237518
    local raw = assert(dmboot.public_key_from_pem(sk:public_pem())):raw()
    local b64 = T.base64(raw)
    local text = ("issuer: ACME\npublic-key: ed25519 %s\nkey-ids: operator-acme-2026\n"
        .. "devid-ranges: %s\n")
    local ok_trust = assert(dmboot.parse_trust(text:format(b64, "IMEI:35209911* IMEI:4901*")))
    T.eq(ok_trust:issuers()[1], "ACME")
    local r = assert(d:verify { trust = ok_trust, key = F.KEY1, at = "2027-01-01" })
    T.ok(r.scope and r.signature)
    local narrow = assert(dmboot.parse_trust(text:format(b64, "IMEI:35209911*")))
    T.fails("scope", { "may not claim devid-match 'IMEI:490154203237518'" }, d.verify, d,
        { trust = narrow, key = F.KEY1, at = "2027-01-01" })
    T.fails("syntax", { "line 2" }, dmboot.parse_trust, "issuer: A\nbogus: 1\n")
end)

test("verification failures are nil, message", function()
    local sk, other = dmboot.signing_key_generate(), dmboot.signing_key_generate()
    local d = signed(sk)
    T.fails("key_mismatch", nil, d.verify, d, { key = F.KEY2, at = "2027-01-01" })
    T.fails("bad_signature", { "acme-x1-2026w48" }, d.verify, d,
        { key = F.KEY1, issuer_keys = { other:public_pem() }, at = "2027-01-01" })
    T.fails("not_valid_now", nil, d.verify, d, { key = F.KEY1, at = "2040-01-01" })
    local plain = assert(dmboot.parse(F.EXAMPLE))
    T.fails("unauthenticated", nil, plain.verify, plain, { at = "2027-01-01" })
    T.fails("key", nil, dmboot.signing_key_from_pem, "not a key")
    T.raises("table", d.verify, d, "key")
end)

test("registry", function()
    local r = dmboot.registry()
    T.eq(r:add(signed(), { key = F.KEY1, at = "2027-01-01" }), true)
    T.eq(r:count(), 1)
    local d, devid = r:lookup("35-209911-015838-9")
    T.eq(devid, "IMEI:352099110158389")
    T.eq(d.id, "acme-x1-2026w48")
    T.eq(r:at(1).id, "acme-x1-2026w48")
    T.eq(r:find("nope"), nil)
    T.fails("not_found", nil, r.lookup, r, "356938035643809")
    T.fails("overlap", nil, r.add, r,
        assert(dmboot.parse((F.EXAMPLE:gsub("acme%-x1%-2026w48", "acme-x1-b")))))
    r = nil
    collectgarbage()
    T.eq(assert(d:derive("490154203237518", { key = F.KEY1 })).devid, "IMEI:490154203237518")
end)

test("base64_decode: a NextNonce back to bytes", function()
    T.eq(dmboot.base64_decode("bm9uY2UtMg=="), "nonce-2")
    T.eq(dmboot.base64_decode("AAEC/w=="), "\0\1\2\255")
    local v, msg, status = dmboot.base64_decode("Zm-v")
    T.eq(v, nil)
    T.eq(status, "syntax")
    T.ok(msg:find("base64", 1, true))
end)

test("credentials", function()
    T.eq(dmboot.auth_md5("Bruce2", "OhBehave", "Nonce"), "Zz6EivR3yeaaENcRN6lpAQ==")
    T.eq(dmboot.auth_basic("Bruce2", "OhBehave"), "QnJ1Y2UyOk9oQmVoYXZl")
    T.eq(dmboot.verify_md5("Bruce2", "OhBehave", "Nonce", "Zz6EivR3yeaaENcRN6lpAQ=="), true)
    T.fails("auth_failed", nil, dmboot.verify_md5, "Bruce2", "x", "Nonce",
        "Zz6EivR3yeaaENcRN6lpAQ==")
    local mac = dmboot.auth_hmac("n", "s", "\0\1", "body")
    T.eq(dmboot.verify_hmac("n", "s", "\0\1", "body", mac), true)
    T.fails("auth_failed", nil, dmboot.verify_hmac, "n", "s", "\0\1", "body!", mac)
    local h = assert(dmboot.parse_hmac_header(dmboot.hmac_header("dev", mac)))
    T.eq(h.username, "dev")
    T.eq(h.mac, mac)
end)

test("credentials.json", function()
    local data = T.vectors_file("credentials.json")
    for _, c in ipairs(data.cases) do
        local nonce, body = T.unbase64(c.nonce or ""), T.unbase64(c.body or "")
        local got
        if c.type == "basic" then got = dmboot.auth_basic(c.name, c.secret)
        elseif c.type == "md5" then got = dmboot.auth_md5(c.name, c.secret, nonce)
        else got = dmboot.auth_hmac(c.name, c.secret, nonce, body) end
        T.eq(got, c.value, c.case)
    end
end)

-- Replace the first plain (not pattern) occurrence of a in s by b.
local function replace(s, a, b)
    local i, j = s:find(a, 1, true)
    return s:sub(1, i - 1) .. b .. s:sub(j + 1)
end

local MESSAGE = [[<?xml version="1.0" encoding="UTF-8"?>
<SyncML xmlns='SYNCML:SYNCML1.2'>
  <SyncHdr>
    <VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A</SessionID><MsgID>1</MsgID>
    <Target><LocURI>https://dm.operator.example/oma-dm</LocURI></Target>
    <Source><LocURI>DEVID</LocURI><LocName>NAME</LocName></Source>
    <Cred><Meta><Type xmlns='syncml:metinf'>syncml:auth-md5</Type>
      <Format xmlns='syncml:metinf'>b64</Format></Meta><Data>CRED</Data></Cred>
  </SyncHdr>
  <SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody>
</SyncML>
]]

test("documents and the first-contact check", function()
    local d = assert(dmboot.parse((F.EXAMPLE:gsub("HMAC", "DIGEST"))))
    local dv = assert(d:deriver { key = F.KEY1 })
    local acc = assert(dv:derive("490154203237518"))
    local tnds = assert(dv:document("490154203237518", "tnds"))
    T.ok(tnds:find(acc.client_secret, 1, true) and tnds:find("<MgmtTree", 1, true))
    T.ok(assert(dv:document("490154203237518", "w7")):find(acc.client_secret, 1, true))
    T.eq(dmboot.devid_filename(acc.devid, ".xml"), "IMEI_490154203237518.xml")
    local cred = dmboot.auth_md5(acc.name, acc.client_secret, acc.client_nonce)
    local msg = replace(replace(replace(MESSAGE, "DEVID", acc.devid), "NAME", acc.name), "CRED",
        cred)
    local m = assert(dmboot.parse_syncml(msg))
    T.eq(m["Source/LocURI"], acc.devid)
    T.eq(m.commands[1], "Alert")
    T.eq(m.final, true)
    local r = assert(d:check_message(msg, { key = F.KEY1 }))
    T.eq(r.authenticated, true)
    T.eq(r.reason, "ok")
    T.eq(r.devid, acc.devid)
    -- the server's credential: the derived server nonce until the device
    -- gives the server one, then that one (issue 14.4)
    T.eq(r.server_cred_type, "syncml:auth-md5")
    T.eq(r:server_cred(), dmboot.auth_md5(d.server_id, acc.server_secret, acc.server_nonce))
    T.eq(r:server_cred("from\0device"), dmboot.auth_md5(d.server_id, acc.server_secret,
        "from\0device"))
    T.eq(pcall(r.server_hmac, r, "reply"), false) -- md5 here: no HMAC credential
    local wrong = replace(msg, cred, dmboot.auth_md5(acc.name, "nope", acc.client_nonce))
    local none, why, status, res = d:check_message(wrong, { key = F.KEY1 })
    T.eq(none, nil)
    T.eq(status, "auth_failed")
    T.eq(res.reason, "wrong-credential")
    T.ok(why:find("wrong"), why)
    T.fails("syntax", nil, dmboot.parse_syncml, "<SyncML>")
    -- the same through a registry: the descriptor is looked up by DevID
    local reg = dmboot.registry()
    assert(reg:add(d))
    T.eq(assert(reg:check_message(msg, F.KEY1)).descriptor_id, d.id)
    local outside = replace(replace(replace(MESSAGE, "DEVID", "IMEI:490154203237526"), "NAME",
        acc.name), "CRED", cred)
    local n2, _, _, res2 = reg:check_message(outside, F.KEY1)
    T.eq(n2, nil)
    T.eq(res2.reason, "no-descriptor")
end)

test("TNDS bootstrap records written and checked", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    local path = T.tmpname()
    T.eq(dmboot.write_bootstrap(path, d, "490154203237518", { key = F.KEY1, format = "tnds" }),
        "IMEI:490154203237518")
    local dv = assert(d:deriver { key = F.KEY1 })
    T.eq(T.read(path), dv:document("490154203237518", "tnds"))
    T.eq(dv:check_bootstrap(path, "490154203237518", "tnds"), true)
    T.fails("auth_failed", nil, dv.check_bootstrap, dv, path, "352099110000003", "tnds")
    os.remove(path)
end)

return tests
