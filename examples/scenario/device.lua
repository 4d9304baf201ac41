#!/usr/bin/env lua
--[[ Devices of the scenario: each reads its bootstrap document, calls the DM
server with a SyncML DM package 1, and checks the server's credential.

  lua device.lua SERVER_URL < devices.txt

Each line of standard input is a device directory (holding bootstrap.xml,
the TNDS document the factory wrote, and devid.txt, the DevID the device
reports) followed by options: "wbxml" (send WBXML instead of XML) and
"nocred" (a first package without credentials, as a client that waits for
the server's challenge sends it). For each device one line is printed:

  IMEI:352099110000003 result=authenticated enc=xml auth=HMAC chal=0 server=ok next=ok

result is "authenticated" (the server accepted the device, and the device
checked the server's credential) or "refused" (with the last HTTP/SyncML
status); "next" tells whether a second session, authenticated with the
NextNonce of the first, was accepted too.
]]
local dmboot = require "dmboot"
local http = require "socket.http"
local ltn12 = require "ltn12"

local server_url = arg[1]
if not server_url then
    io.stderr:write("usage: lua device.lua SERVER_URL < devices.txt\n")
    os.exit(2)
end

---------------------------------------------------------------------------
-- the device's bootstrap document (TNDS) and a few codecs

local ENTITIES = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }
local function unescape(s)
    return (s:gsub("&(%a+);", ENTITIES):gsub("&#(%d+);", function(n)
        return string.char(tonumber(n))
    end))
end
local function escape(s)
    return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

--- The leaves of a TNDS document as {["AppAuth/CLCRED/AAuthName"] = value, ...},
-- paths relative to the DMAcc account node.
local function read_tnds(text)
    local names, values, leaf = {}, {}, nil
    for close, tag, after in text:gmatch("<(/?)(%a+)[^>]*>([^<]*)") do
        if tag == "Node" and close == "" then
            names[#names + 1] = "?"
        elseif tag == "Node" then
            names[#names] = nil
        elseif tag == "NodeName" and close == "" then
            names[#names] = unescape(after)
        elseif tag == "Value" and close == "" then
            leaf = table.concat(names, "/", 2) -- without the account node's name
            values[leaf] = unescape(after)
        end
    end
    return values
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function unbase64(s)
    s = s:gsub("[^%w%+/]", "")
    local out, bits, n = {}, 0, 0
    for c in s:gmatch(".") do
        bits = bits * 64 + (B64:find(c, 1, true) - 1)
        n = n + 6
        if n >= 8 then
            n = n - 8
            local byte = math.floor(bits / 2 ^ n)
            out[#out + 1] = string.char(byte)
            bits = bits - byte * 2 ^ n
        end
    end
    return table.concat(out)
end

local function read_file(path)
    local f = assert(io.open(path, "rb"))
    local data = f:read("*a")
    f:close()
    return data
end

---------------------------------------------------------------------------
-- SyncML DM

local session = 0x4A0 + math.random(0, 0xFFF)

--- Package 1 of a session: SyncHdr (with Cred for md5) and SyncBody: the
-- client-initiated Alert 1201 and a Replace of ./DevInfo.
local function package1(dev, msgid, cred)
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
        .. "<VerProto>DM/1.2</VerProto><SessionID>" .. ("%X"):format(dev.session) .. "</SessionID>"
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
    local ctype = dev.wbxml and "application/vnd.syncml.dm+wbxml" or "application/vnd.syncml.dm+xml"
    local out = {}
    local headers = { ["content-type"] = ctype, ["content-length"] = tostring(#body) }
    if hmac_header then headers["x-syncml-hmac"] = hmac_header end
    local ok, code, reply_headers = http.request {
        url = server_url, method = "POST", headers = headers,
        source = ltn12.source.string(body), sink = ltn12.sink.table(out),
    }
    if not ok then return nil, tostring(code) end
    return table.concat(out), code, reply_headers
end

--- One exchange: build, encode, sign, post; decode the reply. Returns the
-- SyncHdr status, the reply as XML, the raw reply body and its headers.
local function exchange(dev, msgid, nonce, with_cred)
    local xml_text
    local hmac_header
    local cred
    if with_cred and dev.auth == "DIGEST" then
        cred = assert(dmboot.auth_md5(dev.name, dev.secret, nonce))
    end
    xml_text = package1(dev, msgid, cred)
    local body = dev.wbxml and assert(dmboot.xml_to_wbxml(xml_text)) or xml_text
    if with_cred and dev.auth == "HMAC" then
        -- the MAC covers the body as it travels (WBXML bytes for WBXML)
        hmac_header = assert(dmboot.hmac_header(dev.name,
            assert(dmboot.auth_hmac(dev.name, dev.secret, nonce, body))))
    end
    local reply, code, headers = post(dev, body, hmac_header)
    if not reply or code ~= 200 then
        return tostring(code), nil
    end
    local text = dev.wbxml and assert(dmboot.wbxml_to_xml(reply)) or reply
    local hdr_status = text:match("<Cmd>SyncHdr</Cmd>.-<Data>(%d+)</Data>")
    return hdr_status, text, reply, headers
end

local function next_nonce(text)
    local b64 = text and text:match("<NextNonce[^>]*>([^<]+)</NextNonce>")
    b64 = b64 and b64:gsub("^<!%[CDATA%[", ""):gsub("%]%]>$", "")
    return b64 and unbase64(b64)
end

--- Check the server's credential in a 212 reply with the SRVCRED values.
local function server_ok(dev, text, raw, headers)
    if dev.auth == "HMAC" then
        local h = headers and headers["x-syncml-hmac"]
        local fields = h and dmboot.parse_hmac_header(h)
        if not fields or fields.username ~= dev.srv_name then return false end
        return dmboot.verify_hmac(dev.srv_name, dev.srv_secret, dev.srv_nonce, raw,
            fields.mac) == true
    end
    local data = text:match("<SyncHdr>.-<Cred>.-<Data>([^<]+)</Data>")
    data = data and data:gsub("^<!%[CDATA%[", ""):gsub("%]%]>$", "")
    return data ~= nil and dmboot.verify_md5(dev.srv_name, dev.srv_secret, dev.srv_nonce,
        data) == true
end

--- A session: package 1 with the given nonce; after a 401/407 with a Chal,
-- once more with the challenge's nonce. Returns status, chal count, NextNonce.
local function run_session(dev, nonce, with_cred)
    session = session + 1
    dev.session = session
    local status, text, raw, headers = exchange(dev, 1, nonce, with_cred)
    local chal = 0
    if (status == "401" or status == "407") and next_nonce(text) then
        chal = 1
        status, text, raw, headers = exchange(dev, 2, next_nonce(text), true)
    end
    if status ~= "212" then
        return status or "no reply", chal, nil, false
    end
    return status, chal, next_nonce(text), server_ok(dev, text, raw, headers)
end

---------------------------------------------------------------------------

for line in io.lines() do
    local dir, opts = line:match("^(%S+)%s*(.*)$")
    if dir then
        local doc = read_tnds(read_file(dir .. "/bootstrap.xml"))
        local dev = {
            devid = read_file(dir .. "/devid.txt"):gsub("%s+$", ""),
            wbxml = opts:find("wbxml", 1, true) ~= nil,
            addr = doc["AppAddr/1/Addr"],
            auth = doc["AppAuth/CLCRED/AAuthType"],
            name = doc["AppAuth/CLCRED/AAuthName"],
            secret = doc["AppAuth/CLCRED/AAuthSecret"],
            nonce = unbase64(doc["AppAuth/CLCRED/AAuthData"]),
            srv_name = doc["AppAuth/SRVCRED/AAuthName"],
            srv_secret = doc["AppAuth/SRVCRED/AAuthSecret"],
            srv_nonce = unbase64(doc["AppAuth/SRVCRED/AAuthData"]),
        }
        local nocred = opts:find("nocred", 1, true) ~= nil
        local status, chal, nonce, srv = run_session(dev, dev.nonce, not nocred)
        local out = ("%s dir=%s result=%s enc=%s auth=%s chal=%d"):format(dev.devid, dir,
            status == "212" and srv and "authenticated" or "refused",
            dev.wbxml and "wbxml" or "xml", dev.auth, chal)
        if status ~= "212" then
            out = out .. " status=" .. status
        elseif not srv then
            out = out .. " server=WRONG"
        else
            -- the next session uses the NextNonce the server issued
            local s2, _, _, srv2 = run_session(dev, nonce, true)
            out = out .. " server=ok next=" .. ((s2 == "212" and srv2) and "ok" or s2)
        end
        print(out)
        io.stdout:flush()
    end
end
