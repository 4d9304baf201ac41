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

test("messages larger than 64 KiB", function()
    if not dmboot.wbxml_available() then T.skip("libwbxml2 is not installed") end
    local items = {}
    for i = 0, 1999 do
        items[#items + 1] = ("<Item><Source><LocURI>./Vendor/N%d</LocURI></Source><Data>v%d</Data></Item>")
            :format(i, i)
    end
    local xml = PACKAGE:gsub("<Final/>", "<Results><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef>"
        .. table.concat(items) .. "</Results><Final/>")
    T.ok(#xml > 100000)
    local back = assert(dmboot.wbxml_to_xml(assert(dmboot.xml_to_wbxml(xml))))
    T.ok(#back > 100000)
    T.ok(back:find("<LocURI>./Vendor/N1999</LocURI></Source><Data>v1999</Data>", 1, true))
end)

test("bad input is nil, message", function()
    if not dmboot.wbxml_available() then T.skip("libwbxml2 is not installed") end
    local v, msg, status = dmboot.wbxml_to_xml("\7\255\255")
    T.eq(v, nil)
    T.eq(status, "syntax")
    T.ok(msg:find("not WBXML 1.1, 1.2 or 1.3", 1, true))
    -- an ENTITY libwbxml2 0.11.8 would abort the process on
    v, msg = dmboot.wbxml_to_xml("\2\164\1\106\0\109\108\113\2\136\128\128\128\0\1\1\1")
    T.eq(v, nil)
    T.ok(msg:find("an entity that is not a Unicode character", 1, true))
    v, msg = dmboot.xml_to_wbxml("<SyncML><a></SyncML>")
    T.eq(v, nil)
    T.ok(msg:find("libwbxml2", 1, true))
    T.ok(not pcall(dmboot.wbxml_to_xml, 42)) -- a programming error raises
end)

return tests
