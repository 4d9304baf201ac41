-- WBXML coding through the C core (libwbxml2 loaded at run time).
local T = require "testlib"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

local PACKAGE = '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>'
    .. '<VerProto>DM/1.2</VerProto><SessionID>7</SessionID><MsgID>1</MsgID>'
    .. '<Target><LocURI>https://dm.example/dm</LocURI></Target>'
    .. '<Source><LocURI>IMEI:490154203237518</LocURI></Source></SyncHdr>'
    .. '<SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Final/></SyncBody></SyncML>'

test("round trip", function()
    if not dmboot.wbxml_available() then T.skip("libwbxml2 is not installed") end
    local wbxml = assert(dmboot.xml_to_wbxml(PACKAGE))
    T.eq(wbxml:sub(1, 4), "\2\164\1\106") -- WBXML 1.2, SyncML 1.2, UTF-8
    local xml = assert(dmboot.wbxml_to_xml(wbxml))
    T.ok(xml:find("<LocURI>IMEI:490154203237518</LocURI>", 1, true))
    T.eq(assert(dmboot.xml_to_wbxml(xml)), wbxml)
end)

test("bad input is nil, message", function()
    if not dmboot.wbxml_available() then T.skip("libwbxml2 is not installed") end
    local v, msg, status = dmboot.wbxml_to_xml("\7\255\255")
    T.eq(v, nil)
    T.eq(status, "syntax")
    T.ok(msg:find("libwbxml2", 1, true))
    T.ok(not pcall(dmboot.wbxml_to_xml, 42)) -- a programming error raises
end)

return tests
