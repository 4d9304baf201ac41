-- Keys, DevIDs, the error convention.
local T = require "testlib"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

test("version", function()
    T.eq(dmboot._VERSION, "0.2.0")
    T.eq(dmboot.native.dmboot_version(), dmboot._VERSION)
end)

test("decode_key", function()
    local hex = ("00112233445566778899AABBCCDDEEFF"):rep(2)
    T.eq(dmboot.decode_key(hex), T.unhex(hex))
    T.eq(dmboot.decode_key(hex:lower() .. "\r\n"), T.unhex(hex))
    T.eq(#dmboot.decode_key(("ab"):rep(16)), 16)
    T.eq(#dmboot.decode_key(("ab"):rep(64)), 64)
end)

test("decode_key failures", function()
    T.fails("key", { "empty" }, dmboot.decode_key, "")
    T.fails("key", { "odd" }, dmboot.decode_key, ("abc"):rep(11))
    T.fails("key", { "position 1" }, dmboot.decode_key, ("zz"):rep(16))
    T.fails("key", { "30" }, dmboot.decode_key, ("ab"):rep(15))
    T.fails("key", nil, dmboot.decode_key, ("ab"):rep(16) .. "\0")
end)

test("read_key_file", function()
    local key = dmboot.generate_key(32)
    local path = T.tmpname()
    T.write(path, T.hex(key) .. "\n")
    T.eq(dmboot.read_key_file(path), key)
    T.write(path, "not a key\n")
    T.fails("key", { path }, dmboot.read_key_file, path)
    os.remove(path)
    T.fails("io", { path, "No such file" }, dmboot.read_key_file, path)
end)

test("generate_key", function()
    local a, b = dmboot.generate_key(), dmboot.generate_key()
    T.eq(#a, 32)
    T.ok(a ~= b, "two keys differ")
    T.eq(#dmboot.generate_key(16), 16)
    T.eq(#dmboot.generate_key(64), 64)
    T.raises("16 to 64", dmboot.generate_key, 15)
    T.raises("16 to 64", dmboot.generate_key, "32")
end)

test("normalize_devid", function()
    T.eq(dmboot.normalize_devid("imei", "49-015420-323751-8"), "IMEI:490154203237518")
    T.eq(dmboot.normalize_devid("imei", "imei:490154203237518"), "IMEI:490154203237518")
    T.eq(dmboot.normalize_devid("meid", "a10000009f8e7d"), "MEID:A10000009F8E7D")
    T.eq(dmboot.normalize_devid("esn", "ESN:8000abcd"), "ESN:8000ABCD")
    T.eq(dmboot.normalize_devid("opaque", "urn:uuid:x"), "urn:uuid:x")
end)

test("normalize_devid failures name the problem", function()
    T.fails("devid", { "check digit" }, dmboot.normalize_devid, "imei", "490154203237517")
    T.fails("devid", { "13" }, dmboot.normalize_devid, "imei", "4901542032375")
    T.fails("devid", { "G" }, dmboot.normalize_devid, "esn", "8000ABCG")
    T.fails("devid", nil, dmboot.normalize_devid, "imei", "4901542032" .. "\0" .. "375")
    -- an unknown type is a programming error: raised
    T.raises("imsi", dmboot.normalize_devid, "imsi", "001010123456789")
end)

test("raw errors are tables with a status and __tostring", function()
    local ok, e = pcall(dmboot.native.dmboot_key_decode, "zz")
    T.eq(ok, false)
    T.eq(type(e), "table")
    T.eq(e.status, "key")
    T.eq(e.code, dmboot.native.DMBOOT_ERR_KEY)
    T.eq(e.line, 0)
    T.eq(tostring(e), e.message)
end)

test("status names cover every status", function()
    local n = 0
    for k, v in pairs(dmboot.native) do
        if type(k) == "string" and k:match("^DMBOOT_ERR_") then
            T.eq(dmboot.native.dmb_status_name_of(v), k:sub(#"DMBOOT_ERR_" + 1):lower())
            n = n + 1
        end
    end
    T.ok(n >= 19, "statuses found: " .. n)
end)

test("csv header", function()
    T.eq(dmboot.csv_header(), "devid,name,client_secret,server_secret,client_nonce,server_nonce")
end)

test("write_file is whole and private", function()
    local path = T.tmpname()
    T.eq(dmboot.write_file(path, "a\0b\n"), true)
    T.eq(T.read(path), "a\0b\n")
    local p = io.popen("stat -c %a " .. path)
    local mode = p:read("*l")
    p:close()
    T.eq(mode, "600")
    os.remove(path)
    T.fails("io", { "/nonexistent/dir/x" }, dmboot.write_file, "/nonexistent/dir/x", "a")
end)

return tests
