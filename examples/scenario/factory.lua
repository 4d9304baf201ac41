#!/usr/bin/env lua
--[[ The factory line of the scenario: provision COUNT devices of a batch.

  lua factory.lua DESCRIPTOR BATCH_KEY_FILE DEVICES_DIR FIRST COUNT

The factory holds the batch's descriptor and its batch key, never the
operator's master key. Device i (FIRST <= i < FIRST+COUNT) gets the IMEI
made of the descriptor's first devid-match prefix, its serial number i and
the Luhn check digit; its TNDS bootstrap document (the DMAcc subtree: the
server, the client's user name, password and nonce, the server's password
and nonce) is written to DEVICES_DIR/<DevID as a file name>/bootstrap.xml,
whole or not at all, mode 0600, with the DevID the device will report
beside it (devid.txt: on a real line, the device's own hardware identity).

Prints "provisioned N devices of <id>" and exits 0, or names the failure.
]]
local dmboot = require "dmboot"

local desc_path, key_path, dir, first, count = arg[1], arg[2], arg[3], tonumber(arg[4]),
    tonumber(arg[5])
if not count then
    io.stderr:write("usage: lua factory.lua DESCRIPTOR BATCH_KEY_FILE DEVICES_DIR FIRST COUNT\n")
    os.exit(2)
end

local function fail(msg)
    io.stderr:write("factory: ", tostring(msg), "\n")
    os.exit(1)
end

local desc = assert(dmboot.load(desc_path))
local batch_key, err = dmboot.read_key_file(key_path)
if not batch_key then fail(err) end
-- one deriver for the batch: the batch key meets the descriptor's key-check here
local deriver
deriver, err = desc:deriver { batch_key = batch_key }
if not deriver then fail(err) end

-- "IMEI:35209911*" -> "35209911"
local prefix = desc:get("devid-match"):match("^IMEI:(%d+)%*")
if not prefix then fail("the scenario's factory wants a devid-match like IMEI:35209911*") end

local function luhn(d14)
    local sum = 0
    for k = 0, 13 do
        local v = tonumber(d14:sub(14 - k, 14 - k))
        if k % 2 == 0 then
            v = v * 2
            if v > 9 then v = v - 9 end
        end
        sum = sum + v
    end
    return d14 .. tostring((10 - sum % 10) % 10)
end

local function write(path, data)
    local ok, msg = dmboot.write_file(path, data)
    if not ok then fail(msg) end
end

-- plain Lua has no mkdir: one shell call per hundred devices
local function make_dirs(dirs)
    if #dirs == 0 then return end
    local r = os.execute("mkdir -p '" .. table.concat(dirs, "' '") .. "'")
    if r ~= true and r ~= 0 then -- Lua 5.1 returns 0, later versions true
        fail("cannot create the device directories under " .. dir)
    end
end

local i, last = first, first + count - 1
while i <= last do
    local batch = {}
    for j = i, math.min(i + 99, last) do
        local imei = luhn(prefix .. ("%0" .. (14 - #prefix) .. "d"):format(j))
        local devid = assert(desc:match(imei))
        batch[#batch + 1] = { imei = imei, devid = devid,
                              dir = dir .. "/" .. dmboot.devid_filename(devid) }
    end
    local dirs = {}
    for _, d in ipairs(batch) do dirs[#dirs + 1] = d.dir end
    make_dirs(dirs)
    for _, d in ipairs(batch) do
        local doc, msg = deriver:document(d.imei, "tnds")
        if not doc then fail(d.imei .. ": " .. msg) end
        write(d.dir .. "/bootstrap.xml", doc)
        write(d.dir .. "/devid.txt", d.devid .. "\n")
    end
    i = i + #batch
end
print(("provisioned %d devices of %s"):format(count, desc:get("id")))
