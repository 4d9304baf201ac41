-- Device helpers: bootstrap records written and checked.
local T = require "testlib"
local F = require "fixtures"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

test("check_record: constant-time compare in C", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    local acc = assert(d:derive("490154203237518", { key = F.KEY1 }))
    T.eq(d:check_record(acc, { key = F.KEY1 }), true)
    local dv = assert(d:deriver { key = F.KEY1 })
    T.eq(dv:check_record(acc), true)
    -- the input form of the DevID is normalized before deriving
    local copy = {}
    for k, v in pairs(acc) do copy[k] = v end
    copy.devid = "49-015420-323751-8"
    T.eq(dv:check_record(copy), true)
    -- a changed secret and a missing nonce are named, their values never
    local c = acc.client_secret:sub(1, 1)
    copy.client_secret = (c == "A" and "B" or "A") .. acc.client_secret:sub(2)
    copy.server_nonce = nil
    local msg = T.fails("auth_failed", { "IMEI:490154203237518", "client_secret", "server_nonce" },
        dv.check_record,
        dv, copy)
    T.ok(not msg:find(acc.client_secret, 1, true), "the message shows no secret")
    T.ok(not msg:find("server_secret", 1, true), "only the differing fields")
    T.fails("devid", nil, dv.check_record, dv, { devid = "12345" })
    T.raises("string", dv.check_record, dv, { devid = "490154203237518", name = 42 })
end)

test("write_bootstrap and check_bootstrap", function()
    local d = assert(dmboot.parse(F.EXAMPLE))
    local path = T.tmpname()
    T.eq(dmboot.write_bootstrap(path, d, "49-015420-323751-8", { key = F.KEY1 }),
        "IMEI:490154203237518")
    local text = T.read(path)
    T.ok(text:sub(-1) == "\n" and text:find('"devid":"IMEI:490154203237518"', 1, true), text)
    local dv = assert(d:deriver { batch_key = d:batch_key(F.KEY1) })
    T.eq(dv:check_bootstrap(path, "490154203237518"), true)
    T.eq(dv:check_document("490154203237518", text), true)
    T.eq(dv:check_document("490154203237518", text:sub(1, -2)), true)
    T.fails("auth_failed", nil, dv.check_document, dv, "490154203237518", (text:gsub("A", "B", 1)))
    T.fails("auth_failed", nil, dv.check_document, dv, "352099110000003", text)
    local other = assert(d:deriver { key = F.KEY2 })
    T.fails("auth_failed", nil, other.check_bootstrap, other, path, "490154203237518")
    os.remove(path)
    T.fails("io", nil, dv.check_bootstrap, dv, path, "490154203237518")
    T.fails("devid", nil, dmboot.write_bootstrap, path, d, "123", { key = F.KEY1 })
    T.eq(io.open(path, "rb"), nil, "nothing written on failure")
end)

local function run_example(args)
    local lua = os.getenv("DMBOOT_LUA") or (arg and arg[-1]) or "lua"
    local p = io.popen(lua .. " " .. T.root .. "/examples/" .. args .. " 2>&1; echo \"exit=$?\"")
    local out = p:read("*a")
    p:close()
    return out
end

test("examples: factory fixture then device check", function()
    if not (arg and arg[-1]) then
        T.skip("interpreter path unknown")
    end
    local dir = T.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
    local keyfile = dir .. "/batch.key"
    local d = assert(dmboot.parse(F.EXAMPLE))
    T.write(keyfile, T.hex(d:batch_key(F.KEY1)) .. "\n")
    assert(os.execute("chmod 600 " .. keyfile)) -- key files must be private
    local list = dir .. "/devids.txt"
    T.write(list, "490154203237518\n35-209911-015838-9\n\n")
    local out = run_example(("factory_fixture.lua %s %s %s < %s"):format(F.EXAMPLE_PATH,
        keyfile, dir, list))
    T.ok(out:find("exit=0", 1, true) and out:find("2 devices", 1, true), out)
    local rec = dir .. "/IMEI_490154203237518.json"
    out = run_example(("device_check.lua %s %s 490154203237518 %s"):format(F.EXAMPLE_PATH,
        keyfile, rec))
    T.ok(out:find("exit=0", 1, true) and out:find("OK", 1, true), out)
    out = run_example(("device_check.lua %s %s 352099110158389 %s"):format(F.EXAMPLE_PATH,
        keyfile, rec))
    T.ok(out:find("exit=1", 1, true), out)
    os.execute("rm -rf " .. dir)
end)

return tests
