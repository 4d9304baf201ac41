-- Parsing, values, entries, DevID matching.
local T = require "testlib"
local F = require "fixtures"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

test("parse and values", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    T.eq(d:get("id"), "acme-x1-2026w48")
    T.eq(d.id, "acme-x1-2026w48")
    T.eq(d.server_id, "dm.operator.example")
    T.eq(d.server_addr, "https://dm.operator.example/oma-dm")
    T.eq(d:get("devid-match"), "IMEI:35209911* IMEI:490154203237518")
    T.eq(d:get("key-check"), nil)
    T.eq(d:get("x-missing"), nil)
    T.eq(d:get("id\0x"), nil)
    T.eq(d:text(), F.EXAMPLE)
    T.eq(d:signed_length(), #F.EXAMPLE)
    local e = d:entries()
    T.eq(#e, 20)
    T.eq(e[1][1], "dmboot-descriptor")
    T.eq(e[1][2], "1")
    T.eq(e[20][1], "server-nonce")
    T.eq(e[20][2], "derive bytes 16")
    T.eq(tostring(d), "dmboot descriptor acme-x1-2026w48")
end)

test("load", function()
    local d = assert(dmboot.load(F.EXAMPLE_PATH))
    T.eq(d.id, "acme-x1-2026w48")
    T.fails("io", { "/nonexistent.desc" }, dmboot.load, "/nonexistent.desc")
end)

test("utf-8 issuer", function()
    local d = assert(dmboot.parse(F.descriptor { issuer = "Ünïcode 株式会社" }))
    T.eq(d.issuer, "Ünïcode 株式会社")
end)

test("malformed descriptor: nil, line N: message", function()
    local bad = F.EXAMPLE:gsub("server%-id:", "serverid:")
    local msg = T.fails("descriptor", { "serverid" }, dmboot.parse, bad)
    T.ok(msg:match("^line %d+: "), msg)
    for _, text in ipairs { "", "dmboot-descriptor: 2\n", F.EXAMPLE:gsub("\n", "\r\n"),
        F.EXAMPLE .. "id: x\n", F.EXAMPLE:gsub("ACME", "AC\0ME"), ("x"):rep(70000) } do
        T.fails("descriptor", nil, dmboot.parse, text)
    end
end)

test("match", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    T.eq(d:match("imei:35-209911-000000-3"), "IMEI:352099110000003")
    T.fails("not_covered", { "IMEI:356938035643809" }, d.match, d, "356938035643809")
    T.fails("devid", nil, d.match, d, "35209911000000")
end)

return tests
