-- The shared vector files (tests/vectors/), as the C and Python suites read them.
local T = require "testlib"
local dmboot = require "dmboot"

local tests = {}
local function test(name, fn) tests[#tests + 1] = { name, fn } end

test("derivation.json accounts", function()
    local data = T.vectors_file("derivation.json")
    for _, case in ipairs(data.accounts) do
        local d = assert(dmboot.parse(case.descriptor))
        local key = T.unhex(case.key)
        T.eq(T.hex(assert(d:batch_key(key))), case.batch_key, case.name)
        T.eq(d:key_check { key = key }, case.key_check, case.name)
        for _, opts in ipairs { { key = key }, { batch_key = T.unhex(case.batch_key) } } do
            local dv = assert(d:deriver(opts))
            for _, dev in ipairs(case.devices) do
                local acc = assert(dv:derive(dev.input))
                local what = case.name .. " " .. dev.input
                T.eq(acc.devid, dev.devid, what)
                T.eq(acc.name, dev.name, what)
                T.eq(acc.client_secret, dev.client_secret, what)
                T.eq(acc.server_secret, dev.server_secret, what)
                T.eq(acc.client_nonce and T.base64(acc.client_nonce), dev.client_nonce, what)
                T.eq(acc.server_nonce and T.base64(acc.server_nonce), dev.server_nonce, what)
            end
        end
    end
end)

test("derivation.json kdf streams", function()
    local data = T.vectors_file("derivation.json")
    local n = dmboot.native
    local kdfs = { ["hkdf-sha256"] = n.DMBOOT_KDF_HKDF_SHA256,
        ["kbkdf-hmac-sha256"] = n.DMBOOT_KDF_KBKDF_HMAC_SHA256 }
    for _, case in ipairs(data.kdf) do
        local bk = n.dmboot_kdf_batch_key(kdfs[case.kdf], T.unhex(case.key), case.id)
        T.eq(T.hex(bk), case.batch_key, case.name)
        for _, s in ipairs(case.streams) do
            local got = n.dmboot_kdf_stream(kdfs[case.kdf], bk, s.label, s.server_id, s.devid,
                s.length)
            T.eq(T.hex(got), s.stream, case.name .. " " .. s.label)
        end
    end
end)

test("devids.json", function()
    local data = T.vectors_file("devids.json")
    for _, case in ipairs(data.cases) do
        if case.error then
            T.fails("devid", { case.message_contains }, dmboot.normalize_devid, case.type,
                case.input)
        else
            T.eq(dmboot.normalize_devid(case.type, case.input), case.normalized, case.input)
        end
    end
end)

test("descriptors.json", function()
    local data = T.vectors_file("descriptors.json")
    local json = T.json()
    for _, case in ipairs(data.valid) do
        local d = assert(dmboot.parse(case.text))
        for key, want in pairs(case.expect) do
            if want == json.null then want = nil end
            local got
            if key == "signed_length" then
                got = d:signed_length()
            elseif key == "entries" then
                got = #d:entries()
            else
                got = d:get(key)
            end
            T.eq(got, want, case.name .. " " .. key)
        end
        T.eq(d:text(), case.text, case.name)
    end
    for _, case in ipairs(data.invalid) do
        local text = case.text or T.unbase64(case.text_base64)
        local msg = T.fails("descriptor", { case.message_contains }, dmboot.parse, text)
        T.ok(msg:find("^line " .. case.line .. ": "), case.name .. ": " .. msg)
    end
end)

return tests
