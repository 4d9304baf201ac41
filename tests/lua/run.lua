-- The Lua suite's runner: lua run.lua [test_file.lua ...]
-- Each test file returns an array of {name, function}. A test passes when
-- its function returns, fails when it raises, and is skipped when it raises
-- {skip = reason} (testlib.skip). Ends with "N passed, N failed[, N skipped]"
-- and exits non-zero when a test failed.
local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
package.path = here .. "/?.lua;" .. package.path

local files = { ... }
if #files == 0 then
    files = { "test_basics.lua", "test_descriptor.lua", "test_derive.lua",
              "test_device.lua", "test_errors.lua", "test_vectors.lua", "test_auth.lua", "test_wbxml.lua" }
end

local dmboot = require "dmboot"
print(("dmboot %s on %s"):format(dmboot._VERSION, jit and jit.version or _VERSION))

local passed, failed, skipped = 0, 0, 0
for _, file in ipairs(files) do
    local path = file:find("/", 1, true) and file or (here .. "/" .. file)
    local tests = dofile(path)
    for _, t in ipairs(tests) do
        local name, fn = t[1], t[2]
        local ok, err = xpcall(fn, function(e)
            if type(e) == "table" and e.skip then
                return e
            end
            return debug.traceback(tostring(e), 2)
        end)
        if ok then
            passed = passed + 1
        elseif type(err) == "table" and err.skip then
            skipped = skipped + 1
            print(("SKIP %s: %s: %s"):format(file, name, err.skip))
        else
            failed = failed + 1
            print(("FAIL %s: %s: %s"):format(file, name, tostring(err)))
        end
    end
    collectgarbage()
end

local line = ("%d passed, %d failed"):format(passed, failed)
if skipped > 0 then
    line = line .. (", %d skipped"):format(skipped)
end
print(line)
os.exit(failed == 0 and 0 or 1)
