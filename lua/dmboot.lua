--- dmboot: OMA DM factory bootstrap for Lua 5.1, 5.3, 5.4 and LuaJIT.
--
-- A thin layer over the C core (the SWIG module dmboot.native): every value
-- is computed in C. Conventions (lua/README.md, docs/lua.md):
--
--  * Expected failures — a malformed descriptor, DevID or key, a DevID the
--    descriptor does not cover, the wrong key, a failed authentication, a
--    file that cannot be read or written — return `nil, message, status`
--    (status is a name such as "devid" or "key_mismatch").
--  * Programming errors — an argument of the wrong type, a missing option —
--    raise an error.
--
--     local dmboot = require "dmboot"
--     local desc = assert(dmboot.load("acme-x1.desc"))
--     local key = assert(dmboot.read_key_file("master.key"))
--     local acc, err = desc:derive("490154203237518", {key = key})
--     print(acc.devid, acc.client_secret, #acc.client_nonce)

local native = require "dmboot.native"

local M = {}

M._VERSION = native.dmboot_version()
M.KEY_MIN = native.DMBOOT_KEY_MIN
M.KEY_MAX = native.DMBOOT_KEY_MAX
M.BATCH_KEY_LEN = native.DMBOOT_BATCH_KEY_LEN

local pcall, error, type, select, setmetatable, tostring =
    pcall, error, type, select, setmetatable, tostring

-- The statuses that are expected failures; any other status is a caller bug
-- or an internal failure and raises.
local EXPECTED = {
    io = true, descriptor = true, devid = true, not_covered = true, key = true,
    key_mismatch = true, bad_mac = true, bad_signature = true, unauthenticated = true,
    not_valid_now = true, overlap = true, not_found = true, auth_failed = true,
    syntax = true, unsupported = true,
}
M.EXPECTED_FAILURES = EXPECTED

-- Result of pcall(native function, ...): its values, or nil, message, status.
local function result(ok, ...)
    if ok then
        return ...
    end
    local e = ...
    if type(e) == "table" and e.status ~= nil then
        if EXPECTED[e.status] then
            return nil, e.message, e.status
        end
        error("dmboot: " .. tostring(e.message) .. " (" .. tostring(e.status) .. ")", 3)
    end
    error(e, 3)
end

local function call(f, ...)
    return result(pcall(f, ...))
end

-- For native functions that return nothing on success: true, or nil,
-- message, status.
local function call_ok(f, ...)
    local _, msg, status = call(f, ...)
    if msg ~= nil then
        return nil, msg, status
    end
    return true
end

-- Argument checks: a wrong type is a programming error, raised at the
-- caller of the public function (level: 3 from a public function's direct
-- call, 4 through check_string or key_option).
local function check(cond, n, fname, msg, level)
    if not cond then
        error(("bad argument #%d to '%s' (%s)"):format(n, fname, msg), level or 3)
    end
end

local function check_string(v, n, fname)
    check(type(v) == "string", n, fname, "string expected, got " .. type(v), 4)
end

-- {key = bytes} or {batch_key = bytes} -> bytes, kind
local function key_option(opts, n, fname)
    check(type(opts) == "table", n, fname, "table {key = ...} or {batch_key = ...} expected, got "
        .. type(opts), 4)
    local key, batch = opts.key, opts.batch_key
    check((key == nil) ~= (batch == nil), n, fname, "give exactly one of key and batch_key", 4)
    if key ~= nil then
        check(type(key) == "string", n, fname, "key must be a string of bytes", 4)
        return key, native.DMBOOT_KEY_MASTER
    end
    check(type(batch) == "string", n, fname, "batch_key must be a string of bytes", 4)
    return batch, native.DMBOOT_KEY_BATCH
end

---------------------------------------------------------------------------
-- Keys and DevIDs
---------------------------------------------------------------------------

--- Decode a key file's text: 32 to 128 hex digits on one line (and an
-- optional newline). Returns the key bytes, or nil, message.
function M.decode_key(text)
    check_string(text, 1, "decode_key")
    return call(native.dmboot_key_decode, text)
end

--- Read a master key or batch key file (hex on one line, as written by
-- `openssl rand -hex 32` or `dmboot key new`). The file's bytes are wiped
-- from C memory after decoding. Returns the key bytes, or nil, message.
function M.read_key_file(path)
    check_string(path, 1, "read_key_file")
    return call(native.dmboot_key_load, path)
end

--- A fresh random master key of `length` bytes (16..64, default 32).
function M.generate_key(length)
    length = length or 32
    check(type(length) == "number" and length >= M.KEY_MIN and length <= M.KEY_MAX
        and length % 1 == 0, 1, "generate_key", "length from 16 to 64 expected")
    return call(native.dmboot_key_generate, length)
end

--- Normalize a DevID of a type ("imei", "meid", "esn", "opaque"): returns
-- the normalized form, or nil, message.
function M.normalize_devid(kind, text)
    check_string(kind, 1, "normalize_devid")
    check_string(text, 2, "normalize_devid")
    return call(native.dmboot_devid_normalize, kind, text)
end

--- The CSV header row (without its newline).
function M.csv_header()
    return (native.dmboot_csv_header():gsub("\n$", ""))
end

---------------------------------------------------------------------------
-- Deriver: one descriptor, one key, many devices
---------------------------------------------------------------------------

local Deriver = {}
Deriver.__index = Deriver

local FORMATS = { json = native.DMBOOT_FORMAT_JSON, csv = native.DMBOOT_FORMAT_CSV }

-- Derive into the deriver's account; the caller reads it and clears it.
local function derive_into(self, devid)
    return call_ok(native.dmboot_derive, self._dv, devid, self._acc)
end

--- Derive one device: a table {devid, name, client_secret, server_secret,
-- client_nonce, server_nonce} (nonces are binary strings; a field the
-- descriptor leaves out is absent), or nil, message.
function Deriver:derive(devid)
    check_string(devid, 1, "derive")
    local ok, msg, status = derive_into(self, devid)
    if not ok then
        return nil, msg, status
    end
    local t = native.dmb_account_table(self._acc)
    native.dmboot_account_clear(self._acc)
    return t
end

--- One device's account as a row: format "json" (default: one JSON object,
-- nonces base64) or "csv" (columns as csv_header()); without newline.
function Deriver:row(devid, format)
    check_string(devid, 1, "row")
    local fmt = FORMATS[format or "json"]
    check(fmt ~= nil, 2, "row", "format must be \"json\" or \"csv\"")
    local ok, msg, status = derive_into(self, devid)
    if not ok then
        return nil, msg, status
    end
    local row, err, st = call(native.dmboot_account_format, self._acc, fmt)
    native.dmboot_account_clear(self._acc)
    if not row then
        return nil, err, st
    end
    return (row:gsub("\n$", ""))
end

--- Check a device's factory record: derive the device's account and compare
-- each field of `record` (a table with the same keys as derive() returns;
-- devid is required) with it, in constant time in C. The derived values
-- never reach Lua. Returns true, or nil, message naming the fields that
-- differ (never their values).
function Deriver:check_record(record)
    check(type(record) == "table", 1, "check_record", "table expected, got " .. type(record))
    check_string(record.devid, 1, "check_record")
    local ok, msg, status = derive_into(self, record.devid)
    if not ok then
        return nil, msg, status
    end
    local bad = {}
    for f = native.DMBOOT_FIELD_NAME, native.DMBOOT_FIELD_COUNT - 1 do
        local name = native.dmboot_field_name(f)
        local v = record[name]
        if v ~= nil and type(v) ~= "string" then
            native.dmboot_account_clear(self._acc)
            check(false, 1, "check_record", name .. " must be a string")
        end
        if not native.dmb_account_field_equals(self._acc, f, v) then
            bad[#bad + 1] = name
        end
    end
    native.dmboot_account_clear(self._acc)
    if #bad > 0 then
        local devid = self.descriptor:match(record.devid) or record.devid
        return nil, "factory record of " .. devid .. " does not match the descriptor and key: "
            .. table.concat(bad, ", ") .. " differ", "auth_failed"
    end
    return true
end

--- Check a device's bootstrap record as written by write_bootstrap (or
-- Deriver:row): derive the account of `devid`, serialize it in C and compare
-- with `text` in constant time. `format` is "json" (default) or "csv" (a
-- row without the header). Returns true, or nil, message.
function Deriver:check_document(devid, text, format)
    check_string(devid, 1, "check_document")
    check_string(text, 2, "check_document")
    local fmt = FORMATS[format or "json"]
    check(fmt ~= nil, 3, "check_document", "format must be \"json\" or \"csv\"")
    local ok, msg, status = derive_into(self, devid)
    if not ok then
        return nil, msg, status
    end
    local eq = native.dmb_account_row_equals(self._acc, fmt, text)
    native.dmboot_account_clear(self._acc)
    if not eq then
        return nil, "the bootstrap record of " .. (self.descriptor:match(devid) or devid)
            .. " does not match the descriptor and key", "auth_failed"
    end
    return true
end

---------------------------------------------------------------------------
-- Descriptor
---------------------------------------------------------------------------

local Descriptor = {}

-- desc.id, desc.server_id, ...: the value of the key with '_' as '-', for
-- any name that is not a method.
Descriptor.__index = function(self, k)
    local m = Descriptor[k]
    if m ~= nil then
        return m
    end
    if type(k) == "string" then
        return native.dmboot_descriptor_get(self._d, (k:gsub("_", "-")))
    end
    return nil
end

Descriptor.__tostring = function(self)
    return "dmboot descriptor " .. tostring(self:get("id"))
end

local function wrap_descriptor(h, msg, status)
    if h == nil then
        return nil, msg, status
    end
    return setmetatable({ _d = h }, Descriptor)
end

--- Parse and validate descriptor text. Returns a descriptor, or nil, message
-- (the message starts with "line N: ").
function M.parse(text)
    check_string(text, 1, "parse")
    return wrap_descriptor(call(native.dmboot_descriptor_parse, text))
end

--- Read a descriptor file and parse it.
function M.load(path)
    check_string(path, 1, "load")
    return wrap_descriptor(call(native.dmboot_descriptor_load, path))
end

--- The value of a key as written ("id", "server-addr", "x-foo", "mac"...),
-- or nil when the file does not have it.
function Descriptor:get(key)
    check_string(key, 1, "get")
    if key:find("\0", 1, true) then
        return nil
    end
    return native.dmboot_descriptor_get(self._d, key)
end

--- Every entry in file order: an array of {key, value} pairs.
function Descriptor:entries()
    local t = {}
    for i = 0, native.dmboot_descriptor_count(self._d) - 1 do
        local k, v = native.dmboot_descriptor_entry(self._d, i)
        t[#t + 1] = { k, v }
    end
    return t
end

--- The file's exact text.
function Descriptor:text()
    return native.dmb_descriptor_text(self._d)
end

--- How many bytes of the file the mac and signature lines cover.
function Descriptor:signed_length()
    return native.dmboot_descriptor_signed_length(self._d)
end

--- Normalize a DevID with the descriptor's devid-type and check it against
-- devid-match: the normalized DevID, or nil, message ("devid" or
-- "not_covered").
function Descriptor:match(devid)
    check_string(devid, 1, "match")
    return call(native.dmboot_descriptor_match, self._d, devid)
end

--- The batch key of this descriptor under a master key (bytes).
function Descriptor:batch_key(key)
    check_string(key, 1, "batch_key")
    return call(native.dmboot_descriptor_batch_key, self._d, key)
end

--- The key check (8 hex digits) of {key = ...} or {batch_key = ...}.
function Descriptor:key_check(opts)
    local key, kind = key_option(opts, 1, "key_check")
    return call(native.dmboot_descriptor_key_check, self._d, key, kind)
end

local function make_deriver(desc, key, kind)
    local dv, msg, status = call(native.dmboot_deriver_new, desc._d, key, kind)
    if not dv then
        return nil, msg, status
    end
    local acc = native.dmboot_account_new()
    return setmetatable({ _dv = dv, _acc = acc, descriptor = desc }, Deriver)
end

--- A deriver for {key = master key} or {batch_key = batch key}; the key is
-- checked against the descriptor's key-check here. Returns the deriver, or
-- nil, message ("key" or "key_mismatch").
function Descriptor:deriver(opts)
    return make_deriver(self, key_option(opts, 1, "deriver"))
end

--- Derive one device: see Deriver:derive. For many devices make one
-- deriver (desc:deriver) and reuse it.
function Descriptor:derive(devid, opts)
    check_string(devid, 1, "derive")
    local dv, msg, status = make_deriver(self, key_option(opts, 2, "derive"))
    if not dv then
        return nil, msg, status
    end
    return dv:derive(devid)
end

--- Check a factory record: see Deriver:check_record.
function Descriptor:check_record(record, opts)
    check(type(record) == "table", 1, "check_record", "table expected, got " .. type(record))
    local dv, msg, status = make_deriver(self, key_option(opts, 2, "check_record"))
    if not dv then
        return nil, msg, status
    end
    return dv:check_record(record)
end

---------------------------------------------------------------------------
-- Writing files
---------------------------------------------------------------------------

--- Write `data` to `path` whole or not at all, readable by the owner only
-- (mode 0600: bootstrap records hold secrets): a temporary file in the same
-- directory, flushed, then renamed over `path`. Returns true, or nil, message.
function M.write_file(path, data)
    check_string(path, 1, "write_file")
    check_string(data, 2, "write_file")
    return call_ok(native.dmb_file_write_atomic, path, data)
end

--- Write a device's bootstrap record to a file, whole or not at all and
-- readable by the owner only: the account of `devid` under
-- {key = ...} or {batch_key = ...} as one JSON object and a newline (the
-- row dmboot's C core writes: nonces in base64, absent fields left out).
-- Returns the normalized DevID, or nil, message.
-- TODO(issue 4): opts.format = "tnds" | "w7" for the OMA DM documents, over
-- dmboot_document_format, once it is in the C core.
function M.write_bootstrap(path, desc, devid, opts)
    check_string(path, 1, "write_bootstrap")
    check(getmetatable(desc) == Descriptor, 2, "write_bootstrap", "descriptor expected")
    check_string(devid, 3, "write_bootstrap")
    local key, kind = key_option(opts, 4, "write_bootstrap")
    check(opts.format == nil or opts.format == "json", 4, "write_bootstrap",
        "format must be \"json\"")
    local dv, msg, status = make_deriver(desc, key, kind)
    if not dv then
        return nil, msg, status
    end
    return dv:write_bootstrap(path, devid)
end

--- The same with this deriver (for many devices).
function Deriver:write_bootstrap(path, devid)
    check_string(path, 1, "write_bootstrap")
    check_string(devid, 2, "write_bootstrap")
    local row, msg, status = self:row(devid, "json")
    if not row then
        return nil, msg, status
    end
    local ok
    ok, msg, status = M.write_file(path, row .. "\n")
    if not ok then
        return nil, msg, status
    end
    return (self.descriptor:match(devid))
end

--- Check a bootstrap record file written by write_bootstrap: see
-- Deriver:check_document. Returns true, or nil, message.
function Deriver:check_bootstrap(path, devid)
    check_string(path, 1, "check_bootstrap")
    check_string(devid, 2, "check_bootstrap")
    local f, err = io.open(path, "rb")
    if not f then
        return nil, "cannot read " .. path .. ": " .. tostring(err), "io"
    end
    local text = f:read("*a")
    f:close()
    return self:check_document(devid, text, "json")
end

M.Descriptor = Descriptor
M.Deriver = Deriver
M.native = native

return M
