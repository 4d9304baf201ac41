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
    made = made + 1
end
collectgarbage()
collectgarbage()
print(("gc_check: %d descriptors and derivers made and collected"):format(made))
