-- Derivation against the independent reference (tests/tools/dmboot_ref.py).
local T = require "testlib"
local F = require "fixtures"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

local FIELDS = { "devid", "name", "client_secret", "server_secret" }

local function same(acc, ref, what)
    for _, f in ipairs(FIELDS) do
        T.eq(acc[f], ref[f], what .. " " .. f)
    end
    for _, f in ipairs { "client_nonce", "server_nonce" } do
        T.eq(acc[f] and T.base64(acc[f]), ref[f], what .. " " .. f)
    end
end

for _, case in ipairs(F.CASES) do
    local name, text, devids = case[1], case[2], case[3]
    test("derive " .. name .. " matches the reference", function()
        local d = assert(dmboot.parse(text))
        for _, key in ipairs { F.KEY1, F.KEY2:sub(1, 16) } do
            local refs = T.ref_derive(text, key, devids)
            local dv = assert(d:deriver { key = key })
            for i, devid in ipairs(devids) do
                same(assert(d:derive(devid, { key = key })), refs[i], name .. " " .. devid)
                same(assert(dv:derive(devid)), refs[i], name .. " " .. devid)
            end
            local bk = assert(d:batch_key(key))
            T.eq(#bk, 32)
            for i, devid in ipairs(devids) do
                same(assert(d:derive(devid, { batch_key = bk })), refs[i], name .. " batch")
            end
        end
    end)
end

test("nonces are binary strings", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    local acc = assert(d:derive("490154203237518", { key = F.KEY1 }))
    T.eq(#acc.client_nonce, 16)
    T.eq(#acc.server_nonce, 16)
    T.eq(acc.devid, "IMEI:490154203237518")
    T.eq(acc.name, acc.devid)
    T.eq(#acc.client_secret, 22)
    T.ok(acc.server_secret:match("^%w+$") and #acc.server_secret == 20)
end)

test("absent fields are absent", function()
    local d = assert(dmboot.parse(F.descriptor { name = false, ["client-nonce"] = false }))
    local acc = assert(d:derive("490154203237518", { key = F.KEY1 }))
    T.eq(acc.name, nil)
    T.eq(acc.client_nonce, nil)
    T.ok(acc.server_nonce ~= nil)
end)

test("key check: computed, and enforced by the deriver", function()
    local plain = assert(dmboot.parse(F.descriptor()))
    local kc = assert(plain:key_check { key = F.KEY1 })
    T.ok(kc:match("^%x%x%x%x%x%x%x%x$"), kc)
    T.eq(plain:key_check { batch_key = plain:batch_key(F.KEY1) }, kc)
    local d = assert(dmboot.parse(F.descriptor { ["key-check"] = kc }))
    T.ok(d:deriver { key = F.KEY1 })
    T.fails("key_mismatch", { kc }, d.deriver, d, { key = F.KEY2 })
    T.fails("key_mismatch", nil, d.derive, d, "490154203237518", { key = F.KEY2 })
    T.fails("key", { "32" }, d.derive, d, "490154203237518", { batch_key = ("x"):rep(31) })
end)

test("rows", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    local dv = assert(d:deriver { key = F.KEY1 })
    local row = assert(dv:row("490154203237518"))
    local json = T.json()
    local ref = T.ref_derive(F.EXAMPLE, F.KEY1, { "490154203237518" })[1]
    local got = json.decode(row)
    for k, v in pairs(ref) do T.eq(got[k], v, k) end
    local csv = assert(dv:row("490154203237518", "csv"))
    T.eq(csv, table.concat({ ref.devid, ref.name, ref.client_secret, ref.server_secret,
        ref.client_nonce, ref.server_nonce }, ","))
end)

return tests
