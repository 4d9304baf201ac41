#!/usr/bin/env lua
--[[ On the device: check the factory bootstrap record.

  lua device_check.lua DESCRIPTOR KEY_FILE DEVID RECORD [FORMAT]

Derives this device's DM account from the descriptor, the (batch) key in
KEY_FILE and the device's own DevID, and compares it with RECORD (the
bootstrap record the factory wrote, see factory_fixture.lua; FORMAT json,
the default, tnds or w7) in constant
time, in C: the derived secrets never reach Lua. Prints OK, or what is
wrong; exit status 0 when the record is the device's, 1 when not, 2 on a
usage error.
]]
local dmboot = require "dmboot"

local descriptor_path, key_path, devid, record = arg[1], arg[2], arg[3], arg[4]
local format = arg[5] or "json"
if not record then
    io.stderr:write("usage: lua device_check.lua DESCRIPTOR KEY_FILE DEVID RECORD [FORMAT]\n")
    os.exit(2)
end

local function fail(msg)
    print("FAILED: " .. msg)
    os.exit(1)
end

local desc, err = dmboot.load(descriptor_path)
if not desc then fail(err) end
local key
key, err = dmboot.read_key_file(key_path)
if not key then fail(err) end
-- A 32-byte key file may hold the batch key (what a factory or a device is
-- given) or a 32-byte master key: try the batch key first.
local deriver
deriver, err = desc:deriver { batch_key = key }
local ok
if deriver then
    ok, err = deriver:check_bootstrap(record, devid, format)
end
if not ok then
    local master = desc:deriver { key = key }
    if master and master:check_bootstrap(record, devid, format) then
        ok = true
    end
end
if not ok then fail(err) end
print(("OK: the bootstrap record in %s is the account of %s (descriptor %s)")
    :format(record, desc:match(devid), desc.id))
