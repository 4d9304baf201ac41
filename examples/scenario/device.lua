#!/usr/bin/env lua
--[[ Devices of the scenario: each reads its own bootstrap document, calls
the DM server with SyncML DM package 1, checks the server's credential and
keeps the NextNonce for its next session, which it then runs.

  lua device.lua < devices.txt

Each line of standard input is a device directory followed by options:

  DIR [wbxml|wbxml-old] [nocred] [stale]

DIR holds bootstrap.xml, the TNDS document the factory wrote (the device's
only knowledge of its DM account: server address, user name, secret,
nonces), and devid.txt, the DevID it reports (standing for its IMEI, which
a real device reads from its hardware). Options:

  wbxml      send application/vnd.syncml.dm+wbxml instead of XML
  wbxml-old  send WBXML as application/vnd.syncml+wbxml (older clients)
  nocred     send package 1 without credentials first, as a client that
             waits for the server's challenge does (then answer the Chal)
  stale      start the second session with the nonce of the first instead
             of the NextNonce (then answer the Chal)

Each device prints one line:

  IMEI:352099110000003 dir=... result=authenticated enc=xml auth=HMAC s1=212 s2=401>212 server=ok

(enc: xml, wbxml or wbxml-old)

s1 and s2 are the SyncHdr statuses of the two sessions: "212" on the first
package, "407>212" or "401>212" after a Chal; result is "authenticated"
when both sessions ended in 212 and the server's credential checked in
both, else "refused".

Needs the dmboot Lua module and LuaSocket (Debian: lua-socket).
]]
local dmboot = require "dmboot"
local http = require "socket.http"
local ltn12 = require "ltn12"

---------------------------------------------------------------------------
-- the bootstrap document

local ENTITIES = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }
local function unescape(s)
    return (s:gsub("&#(%d+);", function(n) return string.char(tonumber(n)) end)
        :gsub("&(%a+);", ENTITIES))
end
local function escape(s)
    return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

--- The leaves of a TNDS document: {["AppAuth/CLCRED/AAuthName"] = value, ...},
-- paths below the DMAcc account node.
local function read_tnds(text)
    local names, values = {}, {}
    for close, tag, after in text:gmatch("<(/?)(%a+)[^>]*>([^<]*)") do
        if tag == "Node" and close == "" then
            names[#names + 1] = "?"
        elseif tag == "Node" then
            names[#names] = nil
        elseif tag == "NodeName" and close == "" then
            names[#names] = unescape(after)
        elseif tag == "Value" and close == "" then
            values[table.concat(names, "/", 2)] = unescape(after)
        end
    end
    return values
end

local function read_file(path)
    local f = assert(io.open(path, "rb"))
    local data = f:read("*a")
    f:close()
    return data
end

local function load_device(dir, opts)
    local doc = read_tnds(read_file(dir .. "/bootstrap.xml"))
    local function need(path)
        return doc[path] or error(dir .. "/bootstrap.xml has no " .. path)
    end
    local function bytes(path) -- AAuthData is binary, carried as base64
        return assert(dmboot.base64_decode(need(path)))
    end
    local ctype = "application/vnd.syncml.dm+xml"
    if opts.wbxml then ctype = "application/vnd.syncml.dm+wbxml" end
    if opts["wbxml-old"] then ctype = "application/vnd.syncml+wbxml" end
    return {
        dir = dir,
        devid = read_file(dir .. "/devid.txt"):gsub("%s+$", ""),
        ctype = ctype,
        wbxml = ctype ~= "application/vnd.syncml.dm+xml",
        addr = need("AppAddr/1/Addr"),
        auth = need("AppAuth/CLCRED/AAuthType"),
        name = need("AppAuth/CLCRED/AAuthName"),
        secret = need("AppAuth/CLCRED/AAuthSecret"),
        nonce = bytes("AppAuth/CLCRED/AAuthData"),
        srv_name = need("AppAuth/SRVCRED/AAuthName"),
        srv_secret = need("AppAuth/SRVCRED/AAuthSecret"),
        srv_nonce = bytes("AppAuth/SRVCRED/AAuthData"),
    }
end

---------------------------------------------------------------------------
-- SyncML DM

--- Package 1 of a session: SyncHdr (with a Cred for md5) and SyncBody: the
-- client-initiated Alert 1201 and a Replace of ./DevInfo.
local function package1(dev, session, msgid, cred)
    local c = ""
    if cred then
        c = "<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
            .. "<Type xmlns='syncml:metinf'>syncml:auth-md5</Type></Meta>"
            .. "<Data>" .. cred .. "</Data></Cred>"
    end
    local function item(uri, value)
        return "<Item><Source><LocURI>" .. uri .. "</LocURI></Source>"
            .. "<Meta><Format xmlns='syncml:metinf'>chr</Format></Meta>"
            .. "<Data>" .. escape(value) .. "</Data></Item>"
    end
    return "<?xml version='1.0' encoding='UTF-8'?>"
        .. "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>"
        .. "<VerProto>DM/1.2</VerProto><SessionID>" .. session .. "</SessionID>"
        .. "<MsgID>" .. msgid .. "</MsgID>"
        .. "<Target><LocURI>" .. escape(dev.addr) .. "</LocURI></Target>"
        .. "<Source><LocURI>" .. escape(dev.devid) .. "</LocURI>"
        .. "<LocName>" .. escape(dev.name) .. "</LocName></Source>" .. c
        .. "<Meta><MaxMsgSize xmlns='syncml:metinf'>16000</MaxMsgSize></Meta></SyncHdr>"
        .. "<SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert>"
        .. "<Replace><CmdID>2</CmdID>"
        .. item("./DevInfo/DevId", dev.devid) .. item("./DevInfo/Man", "ACME")
        .. item("./DevInfo/Mod", "X1") .. item("./DevInfo/DmV", "1.2")
        .. item("./DevInfo/Lang", "en-US")
        .. "</Replace><Final/></SyncBody></SyncML>"
end

local function post(dev, body, hmac_header)
    local out = {}
    local headers = { ["content-type"] = dev.ctype, ["content-length"] = tostring(#body) }
    if hmac_header then headers["x-syncml-hmac"] = hmac_header end
    local ok, code, reply_headers = http.request {
        url = dev.addr, method = "POST", headers = headers,
        source = ltn12.source.string(body), sink = ltn12.sink.table(out),
    }
    if not ok then return nil, tostring(code) end
    return table.concat(out), code, reply_headers
end

--- One package: build, encode, authenticate, post; decode the reply.
-- Returns the SyncHdr status and the reply (XML text, raw body, headers).
local function exchange(dev, session, msgid, nonce)
    local cred, hmac_header
    if nonce and dev.auth == "DIGEST" then
        cred = assert(dmboot.auth_md5(dev.name, dev.secret, nonce))
    end
    local xml = package1(dev, session, msgid, cred)
    local body = dev.wbxml and assert(dmboot.xml_to_wbxml(xml)) or xml
    if nonce and dev.auth == "HMAC" then
        -- the MAC covers the body as it travels (the WBXML bytes for WBXML)
        hmac_header = assert(dmboot.hmac_header(dev.name,
            assert(dmboot.auth_hmac(dev.name, dev.secret, nonce, body))))
    end
    local raw, code, headers = post(dev, body, hmac_header)
    if not raw or code ~= 200 then
        return "http-" .. tostring(code)
    end
    local text = dev.wbxml and assert(dmboot.wbxml_to_xml(raw)) or raw
    local status = text:match("<Cmd>SyncHdr</Cmd>.-<Data>(%d+)</Data>")
    return status or "no-status", { text = text, raw = raw, headers = headers }
end

--- The NextNonce of a reply's Chal, as bytes.
local function next_nonce(reply)
    local b64 = reply and reply.text:match("<NextNonce[^>]*>([^<]+)</NextNonce>")
    return b64 and assert(dmboot.base64_decode(b64))
end

--- Check the server's credential in a 212 reply with the SRVCRED values.
local function server_ok(dev, reply)
    if dev.auth == "HMAC" then
        local h = reply.headers and reply.headers["x-syncml-hmac"]
        local fields = h and dmboot.parse_hmac_header(h)
        return fields ~= nil and fields.username == dev.srv_name
            and dmboot.verify_hmac(dev.srv_name, dev.srv_secret, dev.srv_nonce, reply.raw,
                fields.mac) == true
    end
    local data = reply.text:match("<SyncHdr>.-<Cred>.-<Data>([^<]+)</Data>")
    return data ~= nil
        and dmboot.verify_md5(dev.srv_name, dev.srv_secret, dev.srv_nonce, data) == true
end

local sessions = 0

--- A session: package 1 with the given nonce (nil: without credentials);
-- after 401/407 with a Chal, once more with the Chal's nonce. Returns the
-- status path ("212", "407>212", "401"), the NextNonce, whether the
-- server's credential checked.
local function session(dev, nonce)
    sessions = sessions + 1
    local id = ("%X"):format(sessions)
    local status, reply = exchange(dev, id, 1, nonce)
    local path = status
    if (status == "401" or status == "407") and next_nonce(reply) then
        status, reply = exchange(dev, id, 2, next_nonce(reply))
        path = path .. ">" .. status
    end
    if status ~= "212" then
        return path, nil, false
    end
    return path, next_nonce(reply), server_ok(dev, reply)
end

---------------------------------------------------------------------------

math.randomseed(os.time())
sessions = math.random(0, 0xFFFFF) * 16 -- session ids differ between runs

for line in io.lines() do
    local dir, rest = line:match("^(%S+)%s*(.*)$")
    if dir then
        local opts = {}
        for o in rest:gmatch("%S+") do opts[o] = true end
        local dev = load_device(dir, opts)
        -- session 1: the first contact, with the nonce of the document
        local s1, nonce, srv1 = session(dev, not opts.nocred and dev.nonce or nil)
        local out = ("%s dir=%s"):format(dev.devid, dir)
        local s2, srv2 = "-", false
        if s1:sub(-3) == "212" and srv1 then
            -- session 2: with the NextNonce the server issued (or a stale one)
            local _
            s2, _, srv2 = session(dev, opts.stale and dev.nonce or nonce)
        end
        local ok = s1:sub(-3) == "212" and s2:sub(-3) == "212" and srv1 and srv2
        out = out .. (" result=%s enc=%s auth=%s s1=%s s2=%s server=%s"):format(
            ok and "authenticated" or "refused",
            opts["wbxml-old"] and "wbxml-old" or dev.wbxml and "wbxml" or "xml", dev.auth, s1, s2,
            (srv1 and srv2) and "ok" or (s1:sub(-3) == "212" and "WRONG" or "-"))
        print(out)
        io.stdout:flush()
    end
end
