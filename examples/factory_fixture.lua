#!/usr/bin/env lua
--[[ A factory test fixture: provision every device of a batch.

  lua factory_fixture.lua DESCRIPTOR BATCH_KEY_FILE OUTDIR [FORMAT] < devids.txt

For each DevID on standard input (one per line, as typed or scanned), derive
the device's DM account from the descriptor and the batch key (the factory
holds the batch key of its batch, never the operator's master key) and write
its bootstrap record to OUTDIR/<DevID>.<FORMAT>, whole or not at all, mode
0600. FORMAT is json (default), tnds
(an OMA DM 1.2+ TNDS document) or w7 (OMA Client Provisioning).
On a real line the record is then written into the device; the device checks
it with device_check.lua.

Exit status: 0 when every device was provisioned, 1 when some were not (each
named on standard error), 2 on a usage or setup error.
]]
local dmboot = require "dmboot"

local descriptor_path, key_path, outdir, format = arg[1], arg[2], arg[3], arg[4] or "json"
if not outdir then
    io.stderr:write("usage: lua factory_fixture.lua DESCRIPTOR BATCH_KEY_FILE OUTDIR [FORMAT]"
        .. " < devids\n")
    os.exit(2)
end

local function fatal(msg)
    io.stderr:write("factory_fixture: ", msg, "\n")
    os.exit(2)
end

local desc, err = dmboot.load(descriptor_path)
if not desc then fatal(err) end
local batch_key
batch_key, err = dmboot.read_key_file(key_path)
if not batch_key then fatal(err) end
-- One deriver for the whole batch: the batch key is checked against the
-- descriptor's key-check (if it has one) once, here.
local deriver
deriver, err = desc:deriver { batch_key = batch_key }
if not deriver then fatal(err) end

-- A file name for a normalized DevID: the C core's when it has one
-- (dmboot.devid_filename), else ':' becomes '_' and anything unusual %XX.
local function filename(devid)
    if dmboot.devid_filename then
        return assert(dmboot.devid_filename(devid, "." .. format))
    end
    return (devid:gsub(":", "_"):gsub("[^%w%.%-_]", function(c)
        return ("%%%02X"):format(c:byte())
    end)) .. "." .. format
end

local done, failed = 0, 0
for line in io.lines() do
    local input = line:gsub("\r$", "")
    if input ~= "" then
        local devid, msg = desc:match(input)
        local ok = devid ~= nil
        if ok then
            ok, msg = deriver:write_bootstrap(outdir .. "/" .. filename(devid), input, format)
        end
        if ok then
            done = done + 1
            print(("provisioned %s"):format(devid))
        else
            failed = failed + 1
            io.stderr:write(("factory_fixture: %s: %s\n"):format(input, msg))
        end
    end
end
print(("%d devices provisioned, %d failed (descriptor %s)"):format(done, failed, desc.id))
os.exit(failed == 0 and 0 or 1)
