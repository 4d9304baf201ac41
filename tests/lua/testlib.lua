-- A small test library for the Lua suite (no busted): assertions, skips,
-- JSON (dkjson, Debian's lua-dkjson), base64 for comparing nonces, and the
-- independent reference implementation (tests/tools/dmboot_ref.py, run
-- with python3) for expected values.
local T = {}

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
T.root = os.getenv("DMBOOT_SOURCE_DIR") or (here .. "/../..")
T.vectors = os.getenv("DMBOOT_VECTORS_DIR") or (T.root .. "/tests/vectors")
T.examples = os.getenv("DMBOOT_EXAMPLES_DIR") or (T.root .. "/examples")

local function repr(v)
    if type(v) == "string" then
        if v:find("[^\32-\126]") then
            return ("<%d bytes %s>"):format(#v, (v:gsub(".", function(c)
                return ("%02x"):format(c:byte())
            end)))
        end
        return ("%q"):format(v)
    end
    return tostring(v)
end
T.repr = repr

function T.eq(got, want, what)
    if got ~= want then
        error(("%sexpected %s, got %s"):format(what and (what .. ": ") or "", repr(want),
            repr(got)), 2)
    end
end

function T.ok(cond, what)
    if not cond then
        error(what or "assertion failed", 2)
    end
end

-- f(...) must return nil, message, status; the message must contain each
-- of `words` (plain text).
function T.fails(status, words, f, ...)
    local v, msg, st = f(...)
    if v ~= nil then
        error("expected a failure, got " .. repr(v), 2)
    end
    if type(msg) ~= "string" or msg == "" then
        error("a failure without a message", 2)
    end
    if status ~= nil and st ~= status then
        error(("expected status %s, got %s (%s)"):format(status, tostring(st), msg), 2)
    end
    for _, w in ipairs(words or {}) do
        if not msg:find(w, 1, true) then
            error(("message %q lacks %q"):format(msg, w), 2)
        end
    end
    return msg
end

-- f(...) must raise; the error text must contain `word` when given.
function T.raises(word, f, ...)
    local ok, e = pcall(f, ...)
    if ok then
        error("expected an error to be raised", 2)
    end
    if word and not tostring(e):find(word, 1, true) then
        error(("error %q lacks %q"):format(tostring(e), word), 2)
    end
    return e
end

function T.skip(reason)
    error({ skip = reason }, 0)
end

function T.read(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("*a")
    f:close()
    return s
end

function T.write(path, data)
    local f = assert(io.open(path, "wb"))
    f:write(data)
    f:close()
end

function T.hex(s)
    return (s:gsub(".", function(c) return ("%02x"):format(c:byte()) end))
end

function T.unhex(h)
    return (h:gsub("..", function(x) return string.char(tonumber(x, 16)) end))
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
function T.base64(s)
    local out = {}
    for i = 1, #s, 3 do
        local a, b, c = s:byte(i, i + 2)
        local n = a * 65536 + (b or 0) * 256 + (c or 0)
        local q = {}
        for j = 3, 0, -1 do
            local k = math.floor(n / 64 ^ j) % 64
            q[#q + 1] = B64:sub(k + 1, k + 1)
        end
        if not b then q[3], q[4] = "=", "=" elseif not c then q[4] = "=" end
        out[#out + 1] = table.concat(q)
    end
    return table.concat(out)
end

function T.unbase64(s)
    local out, bits, n = {}, 0, 0
    for c in s:gmatch("[^=]") do
        local v = B64:find(c, 1, true) - 1
        bits = bits * 64 + v
        n = n + 6
        if n >= 8 then
            n = n - 8
            local b = math.floor(bits / 2 ^ n)
            out[#out + 1] = string.char(b)
            bits = bits - b * 2 ^ n
        end
    end
    return table.concat(out)
end

function T.json()
    local ok, json = pcall(require, "dkjson")
    if not ok then
        T.skip("dkjson not installed (Debian: lua-dkjson)")
    end
    return json
end

function T.vectors_file(name)
    local f = io.open(T.vectors .. "/" .. name, "rb")
    if not f then
        T.skip("tests/vectors/" .. name .. " does not exist yet")
    end
    local text = f:read("*a")
    f:close()
    local data, _, err = T.json().decode(text)
    assert(data, err)
    return data
end

local function tmpname()
    return os.tmpname()
end
T.tmpname = tmpname

-- The reference's accounts: dmboot_ref.py derive, one table per DevID (nonces
-- in base64, as it prints them). Skips when python3 is not there.
function T.ref_derive(descriptor_text, key, devids)
    local python = os.getenv("DMBOOT_PYTHON") or "python3"
    local dpath, kpath = tmpname(), tmpname()
    T.write(dpath, descriptor_text)
    T.write(kpath, T.hex(key) .. "\n")
    local args = {}
    for i, d in ipairs(devids) do
        args[i] = "'" .. d:gsub("'", "'\\''") .. "'"
    end
    local cmd = ("%s %s/tests/tools/dmboot_ref.py derive --descriptor %s --key %s -- %s 2>&1")
        :format(python, T.root, dpath, kpath, table.concat(args, " "))
    local p = io.popen(cmd)
    local out = p:read("*a")
    p:close()
    os.remove(dpath)
    os.remove(kpath)
    local json = T.json()
    local rows = {}
    for line in out:gmatch("[^\n]+") do
        local row = json.decode(line)
        if type(row) ~= "table" then
            T.skip("the reference implementation did not run: " .. line)
        end
        rows[#rows + 1] = row
    end
    if #rows ~= #devids then
        T.skip("the reference implementation did not run: " .. out)
    end
    return rows
end

return T
