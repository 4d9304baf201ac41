-- Descriptors shared by the Lua tests (the same cases as tests/python/conftest.py).
local T = require "testlib"
local F = {}

F.KEY1 = ""
for i = 1, 32 do F.KEY1 = F.KEY1 .. string.char(i) end
F.KEY2 = T.unhex("00112233445566778899aabbccddeeff0f1e2d3c4b5a69788796a5b4c3d2e1f0")

F.EXAMPLE_PATH = T.examples .. "/acme-x1.desc"
F.EXAMPLE = T.read(F.EXAMPLE_PATH)
F.EXAMPLE_DEVIDS = {}
for line in T.read(T.examples .. "/devids.txt"):gmatch("[^\n]+") do
    F.EXAMPLE_DEVIDS[#F.EXAMPLE_DEVIDS + 1] = line
end

local ORDER = { "id", "issuer", "devid-type", "devid-match", "server-id", "server-addr", "kdf",
    "key-check", "name", "client-secret", "server-secret", "client-nonce", "server-nonce" }

-- A descriptor from fields (false leaves a key out).
function F.descriptor(fields)
    local base = {
        ["id"] = "test-1", ["issuer"] = "Test Issuer", ["devid-type"] = "imei",
        ["devid-match"] = "*", ["server-id"] = "dm.test.example",
        ["server-addr"] = "https://dm.test.example/dm", ["name"] = "devid",
        ["client-secret"] = "derive bytes 16 base64url",
        ["server-secret"] = "derive chars 20 alnum",
        ["client-nonce"] = "derive bytes 16", ["server-nonce"] = "derive bytes 16",
    }
    for k, v in pairs(fields or {}) do base[k] = v end
    local lines = { "dmboot-descriptor: 1" }
    for _, k in ipairs(ORDER) do
        if base[k] then lines[#lines + 1] = k .. ": " .. base[k] end
    end
    return table.concat(lines, "\n") .. "\n"
end

F.CASES = {
    { "example", F.EXAMPLE, { F.EXAMPLE_DEVIDS[1], F.EXAMPLE_DEVIDS[2], F.EXAMPLE_DEVIDS[3] } },
    { "kbkdf", F.descriptor { kdf = "kbkdf-hmac-sha256" }, { "490154203237518" } },
    { "hex-digits", F.descriptor { name = "template user-{devid-value}@acme",
        ["client-secret"] = "derive bytes 12 hex", ["server-secret"] = "derive chars 24 digits",
        ["client-nonce"] = false }, { "IMEI:490154203237518", "35-209911-015838-9" } },
    { "base64-alphabet", F.descriptor { ["devid-type"] = "meid", ["devid-match"] = "MEID:A1*",
        name = "derive chars 12 alphabet !#$%&*+-=?@^_~",
        ["client-secret"] = "derive bytes 9 base64",
        ["server-secret"] = "derive chars 64 alphabet 01",
        ["server-nonce"] = "derive bytes 1" }, { "a10000009f8e7d", "MEID:A1FFFFFFFFFFFF" } },
    { "esn-template", F.descriptor { ["devid-type"] = "esn", ["devid-match"] = "ESN:8*",
        kdf = "kbkdf-hmac-sha256", name = "template {devid}/{devid-value}",
        ["client-secret"] = "derive chars 255 alnum", ["server-secret"] = false,
        ["server-nonce"] = "derive bytes 255" }, { "esn:8000ABCD", "80ffffff" } },
    { "opaque", F.descriptor { ["devid-type"] = "opaque", ["devid-match"] = "urn:uuid:* dev-7",
        name = false, ["client-nonce"] = false, ["server-nonce"] = false },
        { "urn:uuid:6a1f-x", "dev-7" } },
}

return F
