-- The convention: expected failures return nil, message; programming errors
-- raise; nothing crashes the interpreter.
local T = require "testlib"
local F = require "fixtures"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

test("wrong argument types raise", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    T.raises("bad argument #1 to 'parse'", dmboot.parse, 42)
    T.raises("bad argument #1 to 'parse'", dmboot.parse, nil)
    T.raises("bad argument #1 to 'load'", dmboot.load, {})
    T.raises("bad argument #2 to 'normalize_devid'", dmboot.normalize_devid, "imei", 4901)
    T.raises("string expected", d.derive, d, 490154203237518, { key = F.KEY1 })
    T.raises("exactly one", d.derive, d, "490154203237518", {})
    T.raises("exactly one", d.derive, d, "490154203237518", { key = F.KEY1, batch_key = F.KEY1 })
    T.raises("table", d.derive, d, "490154203237518", F.KEY1)
    T.raises("key must be", d.deriver, d, { key = 1 })
    T.raises("string expected", d.get, d, 1)
end)

test("raw module: wrong types raise, nil handles are refused", function()
    local n = dmboot.native
    T.raises("expected string", n.dmboot_descriptor_parse, 42)
    T.raises("expected a handle", n.dmboot_descriptor_get, nil, "id")
    T.raises("NUL", n.dmboot_descriptor_load, "a\0b")
    T.raises(nil, n.dmboot_descriptor_get)
    T.raises("32 bytes", n.dmboot_kdf_stream, 0, "short", "l", "s", "d", 4)
end)

test("garbage values never crash", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    local dv = assert(d:deriver { key = F.KEY1 })
    local big = ("9"):rep(1000000)
    local values = { false, true, 0, -1, 2 ^ 70, 0 / 0, {}, function() end, "",
        "\0", "a\0b", big, ("\255"):rep(100000), io.stdout }
    local fns = {
        function(v) return dmboot.parse(v) end,
        function(v) return dmboot.load(v) end,
        function(v) return dmboot.normalize_devid("imei", v) end,
        function(v) return dmboot.normalize_devid(v, "490154203237518") end,
        function(v) return dmboot.decode_key(v) end,
        function(v) return dmboot.read_key_file(v) end,
        function(v) return dmboot.generate_key(v) end,
        function(v) return d:derive(v, { key = F.KEY1 }) end,
        function(v) return d:derive("490154203237518", { key = v }) end,
        function(v) return d:derive("490154203237518", { batch_key = v }) end,
        function(v) return dv:derive(v) end,
        function(v) return dv:row("490154203237518", v) end,
        function(v) return dv:check_record(v) end,
        function(v) return dv:check_document("490154203237518", v) end,
        function(v) return d:get(v) end,
        function(v) return d:match(v) end,
        function(v) return d:batch_key(v) end,
        function(v) return dmboot.native.dmboot_kdf_stream(0, ("k"):rep(32), "l", "s", "d", v) end,
    }
    for _, f in ipairs(fns) do
        for _, v in ipairs(values) do
            pcall(f, v)
        end
    end
end)

test("random descriptor and DevID bytes: nil, message or a value", function()
    math.randomseed(1234)
    local d = assert(dmboot.parse(F.EXAMPLE))
    local dv = assert(d:deriver { key = F.KEY1 })
    for _ = 1, 1000 do
        local t = {}
        for i = 1, #F.EXAMPLE do t[i] = F.EXAMPLE:sub(i, i) end
        for _ = 1, math.random(1, 8) do
            t[math.random(#t)] = string.char(math.random(0, 255))
        end
        local r, msg = dmboot.parse(table.concat(t))
        T.ok(r ~= nil or type(msg) == "string")
        local id = {}
        for i = 1, math.random(0, 40) do id[i] = string.char(math.random(0, 255)) end
        r, msg = dv:derive(table.concat(id))
        T.ok(r ~= nil or type(msg) == "string")
    end
end)

test("garbage collection frees handles", function()
    collectgarbage()
    for _ = 1, 200 do
        local d = assert(dmboot.parse(F.EXAMPLE))
        local dv = assert(d:deriver { key = F.KEY1 })
        assert(dv:derive("490154203237518"))
    end
    collectgarbage()
    collectgarbage()
end)

return tests
