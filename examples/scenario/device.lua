#!/usr/bin/env lua
--[[ Devices of the scenario: each reads its own bootstrap document, calls
the DM server with SyncML DM package 1, checks the server's credential and
keeps the NextNonce for its next session, which it then runs.

  lua device.lua < devices.txt

Each line of standard input is a device directory followed by options:

  DIR [wbxml|wbxml-old] [nocred] [stale] [capture] [second]

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
  capture    also write package 1 as sent into DIR (captured.pkg, .hdr):
             what an eavesdropper has, for the replay of the scenario
  second     run the device's SECOND session, with the nonces its first
             session left in DIR/state.txt (a device keeps them in its DM
             tree); without it, the first session

A session is what a deployed client does: package 1 (credential made with
the nonce it holds), after 401/407 the refused commands again with the
Chal's nonce, to the server's RespURI; after 212 it checks the server's
credential and answers with its Status package (Results of the server's
Get), in which it challenges the server with a fresh nonce that the
server's next credential must use.

Each device prints one line per run:

  IMEI:352099110000003 dir=... enc=xml auth=HMAC s1=212 server1=ok
  IMEI:352099110000003 dir=... enc=xml auth=HMAC s2=401>212 server2=ok

(enc: xml, wbxml or wbxml-old). s1 and s2 are the SyncHdr statuses of the
two sessions: "212" on the first package, "407>212" or "401>212" after a
Chal; server1/server2 "ok" when the server's credential checked and the
server took the device's Chal.

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

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

--- base64 of a binary string (a NextNonce this device gives the server).
local function b64(data)
    local out = {}
    for i = 1, #data, 3 do
        local a, b, c = data:byte(i, i + 2)
        local n = a * 65536 + (b or 0) * 256 + (c or 0)
        local q = {}
        for k = 3, 0, -1 do
            q[#q + 1] = math.floor(n / 64 ^ k) % 64
        end
        out[#out + 1] = B64:sub(q[1] + 1, q[1] + 1) .. B64:sub(q[2] + 1, q[2] + 1)
            .. (b and B64:sub(q[3] + 1, q[3] + 1) or "=")
            .. (c and B64:sub(q[4] + 1, q[4] + 1) or "=")
    end
    return table.concat(out)
end

local function item(uri, value)
    return "<Item><Source><LocURI>" .. uri .. "</LocURI></Source>"
        .. "<Meta><Format xmlns='syncml:metinf'>chr</Format></Meta>"
        .. "<Data>" .. escape(value) .. "</Data></Item>"
end

--- The commands of package 1: the client-initiated Alert 1201 and a
-- Replace of ./DevInfo, as {cmdid, xml} pairs.
local function package1_commands(dev)
    return {
        { "1", "<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>" },
        { "2", "<Replace><CmdID>2</CmdID>"
            .. item("./DevInfo/DevId", dev.devid) .. item("./DevInfo/Man", "ACME")
            .. item("./DevInfo/Mod", "X1") .. item("./DevInfo/DmV", "1.2")
            .. item("./DevInfo/Lang", "en-US") .. "</Replace>" },
    }
end

--- A message of a session: SyncHdr (with a Cred for md5) and the commands.
local function message(dev, session, msgid, cred, commands)
    local c = ""
    if cred then
        c = "<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format>"
            .. "<Type xmlns='syncml:metinf'>syncml:auth-md5</Type></Meta>"
            .. "<Data>" .. cred .. "</Data></Cred>"
    end
    local body = {}
    for _, cmd in ipairs(commands) do body[#body + 1] = cmd[2] end
    return "<?xml version='1.0' encoding='UTF-8'?>"
        .. "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><VerDTD>1.2</VerDTD>"
        .. "<VerProto>DM/1.2</VerProto><SessionID>" .. session .. "</SessionID>"
        .. "<MsgID>" .. msgid .. "</MsgID>"
        .. "<Target><LocURI>" .. escape(dev.addr) .. "</LocURI></Target>"
        .. "<Source><LocURI>" .. escape(dev.devid) .. "</LocURI>"
        .. "<LocName>" .. escape(dev.name) .. "</LocName></Source>" .. c
        .. "<Meta><MaxMsgSize xmlns='syncml:metinf'>16000</MaxMsgSize></Meta></SyncHdr>"
        .. "<SyncBody>" .. table.concat(body) .. "<Final/></SyncBody></SyncML>"
end

local function post(dev, url, body, hmac_header)
    local out = {}
    local headers = { ["content-type"] = dev.ctype, ["content-length"] = tostring(#body) }
    if hmac_header then headers["x-syncml-hmac"] = hmac_header end
    local ok, code, reply_headers = http.request {
        url = url, method = "POST", headers = headers,
        source = ltn12.source.string(body), sink = ltn12.sink.table(out),
    }
    if not ok then return nil, tostring(code) end
    return table.concat(out), code, reply_headers
end

local function write_file(path, data)
    local f = assert(io.open(path, "wb"))
    f:write(data)
    f:close()
end

--- Send one message (with the credential of nonce, or none); decode the
-- reply. Returns the SyncHdr status and the reply (XML text, raw body,
-- headers). capture: also write the package as sent into the device
-- directory (what an eavesdropper on the line would have).
local function exchange(dev, url, session, msgid, nonce, commands, capture)
    local cred, hmac_header
    if nonce and dev.auth == "DIGEST" then
        cred = assert(dmboot.auth_md5(dev.name, dev.secret, nonce))
    end
    local xml = message(dev, session, msgid, cred, commands)
    local body = dev.wbxml and assert(dmboot.xml_to_wbxml(xml)) or xml
    if nonce and dev.auth == "HMAC" then
        -- the MAC covers the body as it travels (the WBXML bytes for WBXML)
        hmac_header = assert(dmboot.hmac_header(dev.name,
            assert(dmboot.auth_hmac(dev.name, dev.secret, nonce, body))))
    end
    if capture then
        write_file(dev.dir .. "/captured.pkg", body)
        write_file(dev.dir .. "/captured.hdr", (hmac_header or "") .. "\n" .. dev.ctype .. "\n")
    end
    local raw, code, headers = post(dev, url, body, hmac_header)
    if not raw or code ~= 200 then
        return "http-" .. tostring(code)
    end
    local text = dev.wbxml and assert(dmboot.wbxml_to_xml(raw)) or raw
    local status = text:match("<Cmd>SyncHdr</Cmd>.-<Data>(%d+)</Data>")
    return status or "no-status", { text = text, raw = raw, headers = headers }
end

--- The NextNonce of a reply's Chal, as bytes.
local function next_nonce(reply)
    local b64text = reply and reply.text:match("<NextNonce[^>]*>([^<]+)</NextNonce>")
    return b64text and assert(dmboot.base64_decode(b64text))
end

--- Check the server's credential in a 212 reply with the server's name and
-- secret, and the nonce this device holds for the server (the derived
-- AAuthData at SRVCRED, then the one it gave the server in its last Chal).
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

--- The commands of a 401/407 reply that the server refused (Status 401 or
-- 407): a deployed client re-sends those, and only those.
local function refused_commands(reply, commands)
    local refused = {}
    for st in reply.text:gmatch("<Status>(.-)</Status>") do
        local cmd, ref = st:match("<Cmd>(%a+)</Cmd>"), st:match("<CmdRef>([^<]+)</CmdRef>")
        local code = st:match("<Data>(%d+)</Data>")
        if cmd ~= "SyncHdr" and (code == "401" or code == "407") then refused[ref] = true end
    end
    local again = {}
    for _, c in ipairs(commands) do
        if refused[c[1]] then again[#again + 1] = c end
    end
    return again
end

--- The Status package after 212: Status for the server's SyncHdr (with a
-- Chal giving the server a fresh nonce for its next credential), Status
-- and Results for its Gets. Returns the new nonce once the server took it.
local function status_package(dev, url, session, msgid, reply, srv_ok)
    local srv_msg = reply.text:match("<SyncHdr>.-<MsgID>([^<]+)</MsgID>") or "1"
    local new = assert(dmboot.generate_nonce(16))
    local chal = "<Chal><Meta><Type xmlns='syncml:metinf'>"
        .. (dev.auth == "HMAC" and "syncml:auth-MAC" or "syncml:auth-md5")
        .. "</Type><Format xmlns='syncml:metinf'>b64</Format>"
        .. "<NextNonce xmlns='syncml:metinf'>" .. b64(new) .. "</NextNonce></Meta></Chal>"
    local cmds = { { "1", "<Status><CmdID>1</CmdID><MsgRef>" .. srv_msg
        .. "</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>" .. chal .. "<Data>"
        .. (srv_ok and "212" or "401") .. "</Data></Status>" } }
    local id = 1
    for get in reply.text:gmatch("<Get>(.-)</Get>") do
        local ref = get:match("<CmdID>([^<]+)</CmdID>")
        id = id + 1
        cmds[#cmds + 1] = { tostring(id), "<Status><CmdID>" .. id .. "</CmdID><MsgRef>"
            .. srv_msg .. "</MsgRef><CmdRef>" .. ref .. "</CmdRef><Cmd>Get</Cmd>"
            .. "<Data>200</Data></Status>" }
        local items = {}
        for uri in get:gmatch("<Target><LocURI>([^<]+)</LocURI></Target>") do
            local value = uri == "./DevInfo/DevId" and dev.devid or ""
            items[#items + 1] = "<Item><Source><LocURI>" .. uri .. "</LocURI></Source><Data>"
                .. escape(value) .. "</Data></Item>"
        end
        id = id + 1
        cmds[#cmds + 1] = { tostring(id), "<Results><CmdID>" .. id .. "</CmdID><MsgRef>"
            .. srv_msg .. "</MsgRef><CmdRef>" .. ref .. "</CmdRef>" .. table.concat(items)
            .. "</Results>" }
    end
    local status = exchange(dev, url, session, msgid, nil, cmds)
    if status == "200" then return new end
    return nil
end

local sessions = 0

--- A session: package 1 with the given nonce (nil: without credentials);
-- after 401/407 with a Chal, the refused commands again with the Chal's
-- nonce, to the RespURI; after 212, the Status package. Returns the
-- status path ("212", "407>212", "401"), the NextNonce, whether the
-- server's credential checked.
local function session(dev, nonce, capture)
    sessions = sessions + 1
    local id = ("%X"):format(sessions)
    local url, msgid, commands = dev.addr, 1, package1_commands(dev)
    local path = {}
    for _ = 1, 3 do
        local status, reply = exchange(dev, url, id, msgid, nonce, commands, capture and msgid == 1)
        path[#path + 1] = status
        if reply then
            url = reply.text:match("<RespURI>([^<]+)</RespURI>") or url
            url = url:gsub("&amp;", "&")
        end
        if status == "212" then
            local ok = server_ok(dev, reply)
            local given = status_package(dev, url, id, msgid + 1, reply, ok)
            if given then dev.srv_nonce = given end -- the server's next credential uses it
            return table.concat(path, ">"), next_nonce(reply), ok and given ~= nil
        end
        if (status ~= "401" and status ~= "407") or not next_nonce(reply) then break end
        commands = refused_commands(reply, commands)
        if #commands == 0 then break end -- nothing to re-send: the session is over
        nonce, msgid = next_nonce(reply), msgid + 1
    end
    return table.concat(path, ">"), nil, false
end

--- What a device keeps between sessions (its DM tree's AAuthData): the
-- nonce for its next credential and the one the server must use.
local function save_state(dev, nonce)
    write_file(dev.dir .. "/state.txt", "next " .. b64(nonce) .. "\nserver " .. b64(dev.srv_nonce)
        .. "\n")
end

local function load_state(dev)
    local f = io.open(dev.dir .. "/state.txt", "rb")
    if not f then return nil end
    local t = f:read("*a")
    f:close()
    dev.srv_nonce = assert(dmboot.base64_decode(t:match("server (%S+)")))
    return assert(dmboot.base64_decode(t:match("next (%S+)")))
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
        local enc = opts["wbxml-old"] and "wbxml-old" or dev.wbxml and "wbxml" or "xml"
        local out = ("%s dir=%s enc=%s auth=%s"):format(dev.devid, dir, enc, dev.auth)
        if not opts.second then
            -- session 1: the first contact, with the nonce of the document
            local s1, nonce, srv1 = session(dev, not opts.nocred and dev.nonce or nil,
                opts.capture)
            if s1:sub(-3) == "212" and nonce then save_state(dev, nonce) end
            out = out .. (" s1=%s server1=%s"):format(s1,
                srv1 and "ok" or (s1:sub(-3) == "212" and "WRONG" or "-"))
        else
            -- session 2, in a later run: the NextNonce kept from session 1
            -- (or a stale one: the document's), the server checked with the
            -- nonce this device gave it
            local kept = load_state(dev)
            local s2, srv2 = "-", false
            if kept then
                local _
                s2, _, srv2 = session(dev, opts.stale and dev.nonce or kept)
            end
            out = out .. (" s2=%s server2=%s"):format(s2,
                srv2 and "ok" or (s2:sub(-3) == "212" and "WRONG" or "-"))
        end
        print(out)
        io.stdout:flush()
    end
end
