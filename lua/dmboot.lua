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
local unpack = unpack or table.unpack

-- The statuses that are expected failures; any other status is a caller bug
-- or an internal failure and raises.
local EXPECTED = {
    io = true, descriptor = true, devid = true, not_covered = true, key = true,
    key_mismatch = true, bad_mac = true, bad_signature = true, unauthenticated = true,
    not_valid_now = true, overlap = true, not_found = true, auth_failed = true,
    syntax = true, unsupported = true, unknown_key = true, scope = true,
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
-- from C memory after decoding. Like OpenSSH with a private key, a
-- symbolic link or a file group or others may access (mode & 077) is
-- refused (nil, message naming the file, "key"). Returns the key bytes, or
-- nil, message.
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
    format = format or "json"
    local fmt, doc = FORMATS[format], M.DOCUMENTS[format]
    check(fmt ~= nil or doc ~= nil, 3, "check_document",
        "format must be \"json\", \"csv\", \"tnds\" or \"w7\"")
    local ok, msg, status = derive_into(self, devid)
    if not ok then
        return nil, msg, status
    end
    local eq
    if fmt then
        eq = native.dmb_account_row_equals(self._acc, fmt, text)
    else
        eq = native.dmb_document_equals(self.descriptor._d, self._acc, doc, text)
    end
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
-- readable by the owner only: the account of `devid` under {key = ...} or
-- {batch_key = ...}, as opts.format: "json" (default: one JSON object and a
-- newline, the row dmboot's C core writes: nonces in base64, absent fields
-- left out), "tnds" (OMA DM 1.2+ TNDS XML) or "w7" (OMA Client Provisioning).
-- Returns the normalized DevID, or nil, message.
function M.write_bootstrap(path, desc, devid, opts)
    check_string(path, 1, "write_bootstrap")
    check(getmetatable(desc) == Descriptor, 2, "write_bootstrap", "descriptor expected")
    check_string(devid, 3, "write_bootstrap")
    local key, kind = key_option(opts, 4, "write_bootstrap")
    local dv, msg, status = make_deriver(desc, key, kind)
    if not dv then
        return nil, msg, status
    end
    return dv:write_bootstrap(path, devid, opts.format)
end

local function bootstrap_format(format, n, fname)
    format = format or "json"
    check(format == "json" or M.DOCUMENTS[format], n, fname,
        "format must be \"json\", \"tnds\" or \"w7\"", 4)
    return format
end

--- The same with this deriver (for many devices).
function Deriver:write_bootstrap(path, devid, format)
    check_string(path, 1, "write_bootstrap")
    check_string(devid, 2, "write_bootstrap")
    format = bootstrap_format(format, 3, "write_bootstrap")
    local data, msg, status
    if format == "json" then
        data, msg, status = self:row(devid, "json")
        data = data and data .. "\n"
    else
        data, msg, status = self:document(devid, format)
    end
    if not data then
        return nil, msg, status
    end
    local ok
    ok, msg, status = M.write_file(path, data)
    if not ok then
        return nil, msg, status
    end
    return (self.descriptor:match(devid))
end

--- Check a bootstrap record file written by write_bootstrap (format as
-- there): see Deriver:check_document. Returns true, or nil, message.
function Deriver:check_bootstrap(path, devid, format)
    check_string(path, 1, "check_bootstrap")
    check_string(devid, 2, "check_bootstrap")
    format = bootstrap_format(format, 3, "check_bootstrap")
    local f, err = io.open(path, "rb")
    if not f then
        return nil, "cannot read " .. path .. ": " .. tostring(err), "io"
    end
    local text = f:read("*a")
    f:close()
    return self:check_document(devid, text, format)
end

---------------------------------------------------------------------------
-- Descriptor authentication
---------------------------------------------------------------------------


local SigningKey = {}
SigningKey.__index = SigningKey
SigningKey.__tostring = function() return "dmboot signing key (ed25519)" end
local PublicKey = {}
PublicKey.__index = PublicKey

--- A fresh Ed25519 signing key.
function M.signing_key_generate()
    return setmetatable({ _k = native.dmboot_signing_key_generate() }, SigningKey)
end

--- Read a PKCS#8 PEM private key: the key, or nil, message.
function M.signing_key_from_pem(pem)
    check_string(pem, 1, "signing_key_from_pem")
    local k, msg, status = call(native.dmboot_signing_key_from_pem, pem)
    if not k then return nil, msg, status end
    return setmetatable({ _k = k }, SigningKey)
end

--- Read a PEM public key: the key, or nil, message.
function M.public_key_from_pem(pem)
    check_string(pem, 1, "public_key_from_pem")
    local k, msg, status = call(native.dmboot_public_key_from_pem, pem)
    if not k then return nil, msg, status end
    return setmetatable({ _k = k }, PublicKey)
end

function SigningKey:private_pem() return native.dmboot_signing_key_private_pem(self._k) end
function SigningKey:public_pem() return native.dmboot_signing_key_public_pem(self._k) end
function PublicKey:pem() return native.dmboot_public_key_pem(self._k) end
function PublicKey:raw() return native.dmboot_public_key_raw(self._k) end

--- A time for verification ("YYYY-MM-DD" or RFC 3339) as Unix seconds.
function M.parse_time(text)
    check_string(text, 1, "parse_time")
    return call(native.dmboot_time_parse, text)
end

--- A keyring: master keys by key-id (docs/authentication.md §4.2). From a
-- table {["key-id"] = key bytes, ...}, or nil, message, status.
local Keyring = {}
Keyring.__index = Keyring
M.Keyring = Keyring

function M.keyring(keys)
    check(type(keys) == "table", 1, "keyring", "table {key-id = key bytes} expected")
    local kr = native.dmboot_keyring_new()
    local ids = {}
    for id in pairs(keys) do ids[#ids + 1] = id end
    table.sort(ids)
    for _, id in ipairs(ids) do
        check(type(id) == "string" and type(keys[id]) == "string", 1, "keyring",
            "key-ids and keys must be strings")
        local ok, msg, status = call_ok(native.dmboot_keyring_add, kr, id, keys[id])
        if not ok then return nil, msg, status end
    end
    return setmetatable({ _k = kr }, Keyring)
end

--- Every DIR/<key-id>.key file (each private: no symbolic link, mode &
-- 077 == 0), or nil, message, status.
function M.load_keyring(dir)
    check_string(dir, 1, "load_keyring")
    local kr = native.dmboot_keyring_new()
    local ok, msg, status = call_ok(native.dmboot_keyring_load_dir, kr, dir)
    if not ok then return nil, msg, status end
    return setmetatable({ _k = kr }, Keyring)
end

--- The operator's trust file (docs/authentication.md §6), from its text
-- or a file: a trust object, or nil, message, "syntax" (the message names
-- the line).
local Trust = {}
Trust.__index = Trust
M.Trust = Trust

function M.parse_trust(text)
    check_string(text, 1, "parse_trust")
    local t, msg, status = call(native.dmboot_trust_parse, text)
    if not t then return nil, msg, status end
    return setmetatable({ _t = t }, Trust)
end

function M.load_trust(path)
    check_string(path, 1, "load_trust")
    local t, msg, status = call(native.dmboot_trust_load, path)
    if not t then return nil, msg, status end
    return setmetatable({ _t = t }, Trust)
end

--- The issuers' names, in file order.
function Trust:issuers()
    local names = {}
    for i = 0, native.dmboot_trust_count(self._t) - 1 do
        names[#names + 1] = native.dmboot_trust_issuer(self._t, i)
    end
    return names
end

--- The key-ids, in order.
function Keyring:key_ids()
    local ids = {}
    for i = 0, native.dmboot_keyring_count(self._k) - 1 do
        ids[#ids + 1] = native.dmboot_keyring_key_id(self._k, i)
    end
    return ids
end

local FLAGS = {
    allow_unauthenticated = native.DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED,
    ignore_validity = native.DMBOOT_VERIFY_IGNORE_VALIDITY,
    require_signature = native.DMBOOT_VERIFY_REQUIRE_SIGNATURE,
    require_mac = native.DMBOOT_VERIFY_REQUIRE_MAC,
}

-- A C verifier from options {key =, batch_key = | keyring =, trust =, issuer_keys = {pem or
-- public key, ...}, at = seconds or "YYYY-MM-DD...", allow_unauthenticated
-- = true, ignore_validity = true, require_signature = true, require_mac = true}.
local function make_verifier(opts, n, fname)
    check(type(opts) == "table", n, fname, "table of verification options expected", 4)
    local v = native.dmboot_verifier_new()
    if opts.keyring ~= nil then
        check(getmetatable(opts.keyring) == Keyring, n, fname, "keyring must be a dmboot keyring", 4)
        check(opts.key == nil and opts.batch_key == nil, n, fname,
            "give a keyring or a key, not both", 4)
        local ok, msg, status = call_ok(native.dmboot_verifier_set_keyring, v, opts.keyring._k)
        if not ok then return nil, msg, status end
    elseif opts.key ~= nil or opts.batch_key ~= nil then
        local key, kind = key_option(opts, n, fname)
        local ok, msg, status = call_ok(native.dmboot_verifier_set_key, v, key, kind)
        if not ok then return nil, msg, status end
    end
    if opts.trust ~= nil then
        check(getmetatable(opts.trust) == Trust, n, fname, "trust must be a dmboot trust file", 4)
        local ok, msg, status = call_ok(native.dmboot_verifier_set_trust, v, opts.trust._t)
        if not ok then return nil, msg, status end
    end
    for _, ik in ipairs(opts.issuer_keys or {}) do
        local ok, msg, status
        if getmetatable(ik) == PublicKey then
            ok, msg, status = call_ok(native.dmboot_verifier_add_public_key, v, ik._k)
        else
            check(type(ik) == "string", n, fname, "issuer_keys holds PEM strings", 4)
            ok, msg, status = call_ok(native.dmboot_verifier_add_issuer_key, v, ik)
        end
        if not ok then return nil, msg, status end
    end
    if opts.at ~= nil then
        local at = opts.at
        if type(at) == "string" then
            local t, msg, status = M.parse_time(at)
            if not t then return nil, msg, status end
            at = t
        end
        check(type(at) == "number", n, fname, "at must be seconds or a date string", 4)
        native.dmboot_verifier_set_time(v, at)
    end
    local flags = 0
    for name, bit in pairs(FLAGS) do
        if opts[name] then flags = flags + bit end
    end
    native.dmboot_verifier_set_flags(v, flags)
    return v
end

local function check_names(bits)
    local names = {}
    for i = 0, native.DMBOOT_CHECK_COUNT - 1 do
        if math.floor(bits / 2 ^ i) % 2 == 1 then
            names[#names + 1] = native.dmboot_check_name(i)
            names[native.dmboot_check_name(i)] = true
        end
    end
    return names
end

--- Verify the descriptor: the checks that ran and passed, as an array
-- that is also a set ({"key-check", "mac", ["mac"] = true, ...}), or
-- nil, message, status ("bad_signature", "key_mismatch", "bad_mac",
-- "not_valid_now", "unauthenticated").
function Descriptor:verify(opts)
    local v, msg, status = make_verifier(opts, 1, "verify")
    if not v then return nil, msg, status end
    local bits
    bits, msg, status = call(native.dmboot_descriptor_verify, self._d, v)
    if not bits then return nil, msg, status end
    return check_names(bits)
end

--- Verify and describe each check: {checked = names, failed = names,
-- issuer_key = n, at = seconds, signature = note, key_check = note,
-- mac = note, validity = note}, or nil, message, status.
function Descriptor:verify_report(opts)
    local v, msg, status = make_verifier(opts, 1, "verify_report")
    if not v then return nil, msg, status end
    local r
    r, msg, status = call(native.dmboot_descriptor_verify_report, self._d, v)
    if not r then return nil, msg, status end
    r.checked, r.failed = check_names(r.checked), check_names(r.failed)
    return r
end

--- The value of the mac line under {key = master key} (32 bytes); a
-- batch key cannot make it (nil, message, "key").
function Descriptor:mac(opts)
    local key, kind = key_option(opts, 1, "mac")
    return call(native.dmboot_descriptor_mac, self._d, key, kind)
end

--- The descriptor MAC key (32 bytes) under {key = master key}.
function Descriptor:mac_key(opts)
    local key, kind = key_option(opts, 1, "mac_key")
    return call(native.dmboot_descriptor_mac_key, self._d, key, kind)
end

--- New descriptor text with a mac line ({key =} or {batch_key =}) and/or
-- a signature line ({signing_key = key object}); update_key_check = true
-- adds or updates key-check. Returns the text, or nil, message.
function Descriptor:sign(opts)
    check(type(opts) == "table", 1, "sign", "table expected")
    local key, kind = nil, native.DMBOOT_KEY_MASTER
    if opts.key ~= nil or opts.batch_key ~= nil then
        key, kind = key_option(opts, 1, "sign")
    end
    local sk = opts.signing_key
    check(sk == nil or getmetatable(sk) == SigningKey, 1, "sign",
        "signing_key must be a dmboot signing key")
    check(key ~= nil or sk ~= nil, 1, "sign", "give a key, a signing_key, or both")
    return call(native.dmboot_descriptor_sign, self._d, key, kind, sk and sk._k,
        opts.update_key_check and native.DMBOOT_SIGN_KEY_CHECK or 0)
end

--- true, or nil, message when a DevID could match both descriptors.
function Descriptor:check_overlap(other)
    check(getmetatable(other) == Descriptor, 1, "check_overlap", "descriptor expected")
    return call_ok(native.dmboot_descriptor_check_overlap, self._d, other._d)
end

local Registry = {}
Registry.__index = Registry
M.Registry = Registry

--- An empty registry: descriptors whose devid-match do not overlap.
function M.registry()
    return setmetatable({ _r = native.dmboot_registry_new() }, Registry)
end

local function borrowed(reg, h)
    if h == nil then return nil end
    return setmetatable({ _d = h, _owner = reg }, Descriptor)
end

--- Add a copy of desc, verified with the options (nil: not verified).
function Registry:add(desc, opts)
    check(getmetatable(desc) == Descriptor, 1, "add", "descriptor expected")
    local v = nil
    if opts ~= nil then
        local msg, status
        v, msg, status = make_verifier(opts, 2, "add")
        if not v then return nil, msg, status end
    end
    return call_ok(native.dmboot_registry_add, self._r, desc._d, v)
end

--- Add every *.desc file of a directory, all or nothing.
function Registry:load_dir(dir, opts)
    check_string(dir, 1, "load_dir")
    local v = nil
    if opts ~= nil then
        local msg, status
        v, msg, status = make_verifier(opts, 2, "load_dir")
        if not v then return nil, msg, status end
    end
    return call_ok(native.dmboot_registry_load_dir, self._r, dir, v)
end

function Registry:count() return native.dmboot_registry_count(self._r) end

--- The i-th descriptor (1-based), or nil.
function Registry:at(i)
    check(type(i) == "number", 1, "at", "number expected")
    if i < 1 or i > self:count() then return nil end
    return borrowed(self, native.dmboot_registry_at(self._r, i - 1))
end

function Registry:find(id)
    check_string(id, 1, "find")
    return borrowed(self, native.dmboot_registry_find(self._r, id))
end

--- The descriptor covering devid and the normalized DevID, or nil,
-- message ("not_found", "overlap").
function Registry:lookup(devid)
    check_string(devid, 1, "lookup")
    local h, normalized, status = call(native.dmboot_registry_lookup, self._r, devid)
    if not h then return nil, normalized, status end
    return borrowed(self, h), normalized
end

---------------------------------------------------------------------------
-- OMA DM: credentials, documents, first contact
---------------------------------------------------------------------------

--- syncml:auth-basic B64(name ":" secret).
function M.auth_basic(name, secret)
    check_string(name, 1, "auth_basic")
    check_string(secret, 2, "auth_basic")
    return call(native.dmboot_auth_basic, name, secret)
end

--- syncml:auth-md5 for a nonce (binary string).
function M.auth_md5(name, secret, nonce)
    check_string(name, 1, "auth_md5")
    check_string(secret, 2, "auth_md5")
    check_string(nonce, 3, "auth_md5")
    return call(native.dmboot_auth_md5, name, secret, nonce)
end

--- The mac of the x-syncml-hmac header for a body.
function M.auth_hmac(name, secret, nonce, body)
    check_string(name, 1, "auth_hmac")
    check_string(secret, 2, "auth_hmac")
    check_string(nonce, 3, "auth_hmac")
    check_string(body, 4, "auth_hmac")
    return call(native.dmboot_auth_hmac, name, secret, nonce, body)
end

local function verify(kind, fname, name, secret, nonce, body, value)
    check_string(name, 1, fname)
    check_string(secret, 2, fname)
    check_string(value, 3, fname)
    return call_ok(native.dmboot_auth_verify, kind, name, secret, nonce, body, value)
end

--- Check a received credential in constant time: true, or nil, message
-- ("auth_failed").
function M.verify_basic(name, secret, value)
    return verify(native.DMBOOT_CRED_BASIC, "verify_basic", name, secret, nil, nil, value)
end

function M.verify_md5(name, secret, nonce, value)
    check_string(nonce, 3, "verify_md5")
    return verify(native.DMBOOT_CRED_MD5, "verify_md5", name, secret, nonce, nil, value)
end

function M.verify_hmac(name, secret, nonce, body, value)
    check_string(nonce, 3, "verify_hmac")
    check_string(body, 4, "verify_hmac")
    return verify(native.DMBOOT_CRED_HMAC, "verify_hmac", name, secret, nonce, body, value)
end

function M.generate_nonce(n)
    return call(native.dmboot_nonce_generate, n or native.DMBOOT_NONCE_DEFAULT)
end

--- The bytes of base64 text (a NextNonce, an AAuthData), or nil, message.
function M.base64_decode(text)
    check_string(text, 1, "base64_decode")
    return call(native.dmboot_base64_decode, text)
end

function M.hmac_header(name, mac)
    check_string(name, 1, "hmac_header")
    check_string(mac, 2, "hmac_header")
    return call(native.dmboot_hmac_header_format, name, mac)
end

--- {algorithm, username, mac}, or nil, message.
function M.parse_hmac_header(text)
    check_string(text, 1, "parse_hmac_header")
    return call(native.dmboot_hmac_header_parse, text)
end

--- A safe file name for a normalized DevID ("IMEI_490154203237518.xml").
function M.devid_filename(devid, suffix)
    check_string(devid, 1, "devid_filename")
    return call(native.dmboot_devid_filename, devid, suffix)
end

local DOCUMENTS = { tnds = native.DMBOOT_DOCUMENT_TNDS, w7 = native.DMBOOT_DOCUMENT_W7 }
M.DOCUMENTS = DOCUMENTS

--- The bootstrap document of a device: "tnds" (default) or "w7".
function Deriver:document(devid, kind)
    check_string(devid, 1, "document")
    local k = DOCUMENTS[kind or "tnds"]
    check(k ~= nil, 2, "document", "kind must be \"tnds\" or \"w7\"")
    local ok, msg, status = derive_into(self, devid)
    if not ok then return nil, msg, status end
    local doc
    doc, msg, status = call(native.dmboot_document_format, self.descriptor._d, self._acc, k)
    native.dmboot_account_clear(self._acc)
    if not doc then return nil, msg, status end
    return doc
end

--- The SyncML DM header of a package: a table of its values keyed
-- "Source/LocURI", "Cred/Data", ..., with commands = {...}, final and
-- no_resp; or nil, message.
function M.parse_syncml(xml)
    check_string(xml, 1, "parse_syncml")
    local m, msg, status = call(native.dmboot_syncml_parse, xml)
    if not m then return nil, msg, status end
    local t = { commands = {}, final = native.dmboot_syncml_final(m) == 1,
        no_resp = native.dmboot_syncml_no_resp(m) == 1 }
    for f = 0, native.DMBOOT_SYNCML_FIELD_COUNT - 1 do
        local v = native.dmboot_syncml_get(m, f)
        if v ~= nil then t[native.dmboot_syncml_field_name(f)] = v end
    end
    for i = 0, native.dmboot_syncml_command_count(m) - 1 do
        t.commands[#t.commands + 1] = native.dmboot_syncml_command(m, i)
    end
    return t
end

local Result = {}
Result.__index = Result

--- The x-syncml-hmac value for the server's response body, made with the
-- nonce the device gave the server (nil: the derived server-nonce, until
-- the device has challenged the server).
function Result:server_hmac(body, nonce)
    check_string(body, 1, "server_hmac")
    if nonce ~= nil then check_string(nonce, 2, "server_hmac") end
    return call(native.dmboot_check_result_server_hmac, self._r, nonce, body)
end

--- The server's <Cred><Data> (basic, md5) made with the nonce the device
-- gave the server (nil: the derived server-nonce); nil when there is none.
function Result:server_cred(nonce)
    if nonce ~= nil then check_string(nonce, 1, "server_cred") end
    local t = self.server_cred_type
    if t == nil or t == "syncml:auth-MAC" then return nil end
    return call(native.dmboot_check_result_server_cred, self._r, nonce)
end

local function result_table(r)
    local n = native
    return setmetatable({
        _r = r,
        authenticated = n.dmboot_check_result_authenticated(r) == 1,
        reason = n.dmboot_check_reason_name(n.dmboot_check_result_reason(r)),
        message = n.dmboot_check_result_message(r),
        devid = n.dmboot_check_result_devid(r),
        descriptor_id = n.dmboot_check_result_descriptor_id(r),
        client_cred_type = n.dmboot_check_result_client_cred_type(r),
        server_cred_type = n.dmboot_check_result_server_cred_type(r),
    }, Result)
end

-- Run a server check: the result table when authenticated; nil, message,
-- status, result table when not.
local function run_check(f, ...)
    local r = native.dmboot_check_result_new()
    local n = select("#", ...)
    local args = { ... }
    args[n + 1] = r
    local ok, msg, status = call_ok(f, unpack(args, 1, n + 1))
    local t = result_table(r)
    if not ok then return nil, msg, status, t end
    return t
end

--- A device's first contact: check a SyncML DM package as received under
-- {key =} or {batch_key =}; opts.hmac_header (the x-syncml-hmac value)
-- and opts.nonce (the NextNonce issued; nil on a first contact). Returns
-- the result table ({authenticated = true, server_cred = ..., ...}), or
-- nil, message, status, result when not authenticated.
function Descriptor:check_message(xml, keys, opts)
    check_string(xml, 1, "check_message")
    local key, kind = key_option(keys, 2, "check_message")
    opts = opts or {}
    return run_check(native.dmboot_server_check_message, self._d, key, kind, xml,
        opts.hmac_header, opts.nonce)
end

--- The same against a registry (dmboot.registry()): the descriptor that
-- covers the DevID is looked up first; key is the master key (bytes).
function M.Registry:check_message(xml, key, opts)
    check_string(xml, 1, "check_message")
    check_string(key, 2, "check_message")
    opts = opts or {}
    return run_check(native.dmboot_registry_check_message, self._r, key, xml,
        opts.hmac_header, opts.nonce)
end

---------------------------------------------------------------------------
-- WBXML (the C core's, through libwbxml2 loaded at run time)
---------------------------------------------------------------------------

--- true when libwbxml2 can be loaded (Debian: libwbxml2-1).
function M.wbxml_available()
    return native.dmboot_wbxml_available() == 1
end

--- A WBXML message (binary string) as XML text, or nil, message.
function M.wbxml_to_xml(wbxml)
    check_string(wbxml, 1, "wbxml_to_xml")
    return call(native.dmboot_wbxml_to_xml, wbxml)
end

--- An XML message as WBXML 1.2 (binary string), or nil, message.
function M.xml_to_wbxml(xml)
    check_string(xml, 1, "xml_to_wbxml")
    return call(native.dmboot_xml_to_wbxml, xml)
end

M.Descriptor = Descriptor
M.Deriver = Deriver
M.native = native

return M
