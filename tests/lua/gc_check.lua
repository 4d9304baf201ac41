-- Run under valgrind (CTest lua.<version>.valgrind): every handle the Lua
-- layer makes — descriptors, derivers, accounts — is freed by the garbage
-- collector, so valgrind finds no definite leak.
local dmboot = require "dmboot"
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local f = assert(io.open(here .. "/../../examples/acme-x1.desc", "rb"))
local text = f:read("*a")
f:close()
local key = ("k"):rep(32)

local made = 0
for _ = 1, 50 do
    local d = assert(dmboot.parse(text))
    local dv = assert(d:deriver { key = key })
    assert(dv:derive("490154203237518"))
    assert(dv:row("490154203237518"))
    assert(dv:derive("123") == nil)
    assert(dmboot.parse("dmboot-descriptor: 1\n") == nil)
    local sk = dmboot.signing_key_generate()
    local signed = assert(dmboot.parse(assert(d:sign { key = key, signing_key = sk })))
    local opts = { key = key, issuer_keys = { sk:public_pem() }, at = "2027-01-01" }
    assert(signed:verify(opts))
    local reg = dmboot.registry()
    assert(reg:add(signed, opts))
    assert(reg:lookup("490154203237518"))
    assert(dmboot.public_key_from_pem(sk:public_pem()))
    assert(dv:document("490154203237518", "tnds"))
    assert(dmboot.parse_syncml("<SyncML>") == nil)
    assert(d:check_message("<SyncML/>", { key = key }) == nil)
    made = made + 1
end
collectgarbage()
collectgarbage()
print(("gc_check: %d descriptors and derivers made and collected"):format(made))
