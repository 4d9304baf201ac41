/*
 * lua.i: the Lua side of dmboot.i's conventions (see the table there).
 * Strings come in with lua_tolstring and go out with lua_pushlstring, so
 * binary values keep their NUL bytes. Compiled unchanged for Lua 5.1, 5.3,
 * 5.4 and LuaJIT.
 */

%{
/* __tostring of an error value: its message. */
static int dmb_lua_error_tostring(lua_State *L)
{
    lua_getfield(L, 1, "message");
    return 1;
}

/* Push the error value of a failed call: a table {status = "devid",
 * code = 5, line = 0, message = "..."} with a __tostring metamethod. */
static void dmb_lua_push_error(lua_State *L, const dmboot_error *e, int status)
{
    lua_createtable(L, 0, 4);
    lua_pushstring(L, dmb_status_name(status));
    lua_setfield(L, -2, "status");
    lua_pushinteger(L, (lua_Integer)status);
    lua_setfield(L, -2, "code");
    lua_pushinteger(L, (lua_Integer)(e != NULL ? e->line : 0));
    lua_setfield(L, -2, "line");
    lua_pushstring(L, dmb_error_message(e, status));
    lua_setfield(L, -2, "message");
    if (luaL_newmetatable(L, "dmboot.error")) {
        lua_pushcfunction(L, dmb_lua_error_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_setmetatable(L, -2);
}

/* A wrong argument type: a caller bug, raised as a string. */
#define DMB_LUA_BAD_ARG(fn, arg, idx, expected)                                         \
    do {                                                                                \
        SWIG_Lua_pushferrstring(L, "Error in %s (argument '%s'): expected %s, got %s",   \
                                fn, arg, expected, lua_typename(L, lua_type(L, idx)));  \
        SWIG_fail;                                                                      \
    } while (0)

/* A string argument (or nil: NULL, 0). Anything else is a caller bug. */
static int dmb_lua_in(lua_State *L, int idx, const char **p, size_t *n)
{
    *p = NULL;
    *n = 0;
    if (lua_isnil(L, idx))
        return 1;
    if (lua_type(L, idx) != LUA_TSTRING)
        return 0;
    *p = lua_tolstring(L, idx, n);
    return 1;
}
%}

/* ---- status and error ---------------------------------------------- */

%typemap(out) dmboot_status ""

%typemap(in, numinputs=0) dmboot_error * (dmboot_error e) {
    dmb_error_init(&e);
    $1 = &e;
}
%typemap(argout) dmboot_error * {
    if (result != DMBOOT_OK) {
        dmb_lua_push_error(L, $1, (int)result);
        SWIG_fail;
    }
}

/* ---- inputs -------------------------------------------------------- */

%typemap(in) (const char *TEXT_IN, size_t TEXT_IN_LEN), (const uint8_t *BYTES_IN, size_t BYTES_IN_LEN) {
    const char *p_ = NULL;
    size_t n_ = 0;
    if (!dmb_lua_in(L, $input, &p_, &n_))
        DMB_LUA_BAD_ARG("$symname", "$1_name", $input, "string");
    $1 = ($1_ltype)p_;
    $2 = n_;
}

%typemap(in) const char * {
    size_t n_ = 0;
    if (lua_type(L, $input) != LUA_TSTRING)
        DMB_LUA_BAD_ARG("$symname", "$1_name", $input, "string");
    $1 = ($1_ltype)lua_tolstring(L, $input, &n_);
    if (strlen($1) != n_) {
        SWIG_Lua_pushferrstring(L, "Error in %s (argument '%s'): the string holds a NUL byte",
                                "$symname", "$1_name");
        SWIG_fail;
    }
}

%typemap(in) const char *NULLABLE {
    size_t n_ = 0;
    $1 = NULL;
    if (!lua_isnil(L, $input)) {
        if (lua_type(L, $input) != LUA_TSTRING)
            DMB_LUA_BAD_ARG("$symname", "$1_name", $input, "string or nil");
        $1 = ($1_ltype)lua_tolstring(L, $input, &n_);
        if (strlen($1) != n_) {
            SWIG_Lua_pushferrstring(L, "Error in %s (argument '%s'): the string holds a NUL byte",
                                    "$symname", "$1_name");
            SWIG_fail;
        }
    }
}

%typemap(in) const uint8_t [ANY] {
    const char *p_ = NULL;
    size_t n_ = 0;
    if (lua_type(L, $input) != LUA_TSTRING)
        DMB_LUA_BAD_ARG("$symname", "$1_name", $input, "string");
    p_ = lua_tolstring(L, $input, &n_);
    if (n_ != (size_t)($1_dim0)) {
        SWIG_Lua_pushferrstring(L, "Error in %s (argument '%s'): expected %d bytes, got %d",
                                "$symname", "$1_name", (int)($1_dim0), (int)n_);
        SWIG_fail;
    }
    $1 = ($1_ltype)p_;
}
/* Without these, the const array would fall back to the output typemaps
 * of uint8_t [ANY] below. */
%typemap(argout) const uint8_t [ANY] ""
%typemap(freearg) const uint8_t [ANY] ""

/* ---- outputs ------------------------------------------------------- */

%typemap(in, numinputs=0) (char *TEXT_OUT, size_t TEXT_OUT_CAP, size_t *TEXT_OUT_LEN) (size_t n = 0),
                          (uint8_t *BYTES_OUT, size_t BYTES_OUT_CAP, size_t *BYTES_OUT_LEN) (size_t n = 0) {
    $2 = DMB_OUT_CAP;
    $1 = ($1_ltype)malloc($2);
    if ($1 == NULL) {
        SWIG_Lua_pusherrstring(L, "out of memory");
        SWIG_fail;
    }
    $3 = &n;
}
%typemap(argout) (char *TEXT_OUT, size_t TEXT_OUT_CAP, size_t *TEXT_OUT_LEN), (uint8_t *BYTES_OUT, size_t BYTES_OUT_CAP, size_t *BYTES_OUT_LEN) {
    if (result == DMBOOT_OK) {
        lua_pushlstring(L, (const char *)$1, n$argnum);
        SWIG_arg++;
    }
}
%typemap(freearg) (char *TEXT_OUT, size_t TEXT_OUT_CAP, size_t *TEXT_OUT_LEN), (uint8_t *BYTES_OUT, size_t BYTES_OUT_CAP, size_t *BYTES_OUT_LEN) {
    dmb_out_free($1, n$argnum, $2);
}

/* An output the library allocates (released with dmboot_free, which wipes). */
%typemap(in, numinputs=0) (char **ALLOC_TEXT_OUT, size_t *ALLOC_TEXT_OUT_LEN) (char *p = NULL, size_t n = 0),
                          (uint8_t **ALLOC_BYTES_OUT, size_t *ALLOC_BYTES_OUT_LEN) (uint8_t *p = NULL, size_t n = 0) {
    $1 = &p;
    $2 = &n;
}
%typemap(argout) (char **ALLOC_TEXT_OUT, size_t *ALLOC_TEXT_OUT_LEN),
                 (uint8_t **ALLOC_BYTES_OUT, size_t *ALLOC_BYTES_OUT_LEN) {
    if (result == DMBOOT_OK) {
        lua_pushlstring(L, (const char *)p$argnum, n$argnum);
        SWIG_arg++;
    }
}
%typemap(freearg) (char **ALLOC_TEXT_OUT, size_t *ALLOC_TEXT_OUT_LEN),
                  (uint8_t **ALLOC_BYTES_OUT, size_t *ALLOC_BYTES_OUT_LEN) {
    dmboot_free(p$argnum, n$argnum);
}

/* An output whose length the caller asks for: the length is the input. */
%typemap(in) (uint8_t *BYTES_OUT_N, size_t BYTES_OUT_N_LEN) {
    lua_Number n_;
    if (lua_type(L, $input) != LUA_TNUMBER)
        DMB_LUA_BAD_ARG("$symname", "$1_name", $input, "number");
    n_ = lua_tonumber(L, $input);
    if (!(n_ >= 0 && n_ <= (lua_Number)DMB_OUT_REQUEST_MAX)) {
        SWIG_Lua_pushferrstring(L, "Error in %s (argument '%s'): expected a length from 0 to %d",
                                "$symname", "$1_name", (int)DMB_OUT_REQUEST_MAX);
        SWIG_fail;
    }
    $2 = (size_t)n_;
    $1 = ($1_ltype)malloc($2 + 1);
    if ($1 == NULL) {
        SWIG_Lua_pusherrstring(L, "out of memory");
        SWIG_fail;
    }
}
%typemap(argout) (uint8_t *BYTES_OUT_N, size_t BYTES_OUT_N_LEN) {
    if (result == DMBOOT_OK) {
        lua_pushlstring(L, (const char *)$1, $2);
        SWIG_arg++;
    }
}
%typemap(freearg) (uint8_t *BYTES_OUT_N, size_t BYTES_OUT_N_LEN) {
    if ($1 != NULL) {
        OPENSSL_cleanse($1, $2);
        free($1);
    }
}

%typemap(in, numinputs=0) uint8_t [ANY] (uint8_t temp[$1_dim0]) {
    $1 = temp;
}
%typemap(argout) uint8_t [ANY] {
    if (result == DMBOOT_OK) {
        lua_pushlstring(L, (const char *)$1, $1_dim0);
        SWIG_arg++;
    }
}
%typemap(freearg) uint8_t [ANY] {
    if ($1 != NULL)
        OPENSSL_cleanse($1, $1_dim0);
}

%typemap(in, numinputs=0) char [ANY] (char temp[$1_dim0]) {
    temp[0] = '\0';
    $1 = temp;
}
%typemap(argout) char [ANY] {
    if (result == DMBOOT_OK) {
        lua_pushlstring(L, $1, strnlen($1, $1_dim0));
        SWIG_arg++;
    }
}
%typemap(freearg) char [ANY] {
    if ($1 != NULL)
        OPENSSL_cleanse($1, $1_dim0);
}

%typemap(in, numinputs=0) const char ** (const char *temp = NULL) {
    $1 = ($1_ltype)&temp;
}
%typemap(argout) const char ** {
    if (result == DMBOOT_OK) {
        if (temp$argnum != NULL)
            lua_pushstring(L, temp$argnum);
        else
            lua_pushnil(L);
        SWIG_arg++;
    }
}

/* TYPE *NUMBER_OUT: applied by name in dmboot.i. */
%define DMB_LUA_NUMBER_OUTPUT(TYPE)
%typemap(in, numinputs=0) TYPE *NUMBER_OUT (TYPE temp = 0) {
    $1 = ($1_ltype)&temp;
}
%typemap(argout) TYPE *NUMBER_OUT {
    if (result == DMBOOT_OK) {
        lua_pushinteger(L, (lua_Integer)temp$argnum);
        SWIG_arg++;
    }
}
%enddef
DMB_LUA_NUMBER_OUTPUT(int64_t)
DMB_LUA_NUMBER_OUTPUT(unsigned)
DMB_LUA_NUMBER_OUTPUT(int)

/* dmboot_descriptor_entry has no err: out of range gives nothing (nil). */
%typemap(out) dmboot_status dmboot_descriptor_entry {
    if (result != DMBOOT_OK)
        return 0;
}

/* ---- handles ------------------------------------------------------- */

%define DMB_HANDLE_TYPEMAPS(T)
%typemap(in, numinputs=0) T **out (T *handle = NULL) {
    $1 = &handle;
}
%typemap(argout) T **out {
    if (result == DMBOOT_OK && handle$argnum != NULL) {
        SWIG_NewPointerObj(L, handle$argnum, $*1_descriptor, 1);
        handle$argnum = NULL; /* owned by the Lua userdata now */
        SWIG_arg++;
    }
}
%typemap(freearg) T **out {
    if (handle$argnum != NULL)
        T##_free(handle$argnum);
}
/* A borrowed handle (owned by another object, e.g. a registry's
 * descriptor): returned without ownership; the Lua layer keeps the owner
 * alive. */
%typemap(in, numinputs=0) const T ** (const T *borrowed = NULL) {
    $1 = ($1_ltype)&borrowed;
}
%typemap(argout) const T ** {
    if (result == DMBOOT_OK) {
        SWIG_NewPointerObj(L, (T *)borrowed$argnum, $*1_descriptor, 0);
        SWIG_arg++;
    }
}
%typemap(check) T *, const T * {
    if ($1 == NULL) {
        SWIG_Lua_pushferrstring(L, "Error in %s (argument '%s'): expected a handle, got nil",
                                "$symname", "$1_name");
        SWIG_fail;
    }
}
%enddef

/* ---- struct outputs (authentication, OMA DM): tables ------------------ */

%typemap(in, numinputs=0) dmboot_verify_report *report (dmboot_verify_report temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) dmboot_verify_report *report {
    if (result == DMBOOT_OK) {
        lua_createtable(L, 0, 9);
        lua_pushinteger(L, (lua_Integer)$1->checked);
        lua_setfield(L, -2, "checked");
        lua_pushinteger(L, (lua_Integer)$1->failed);
        lua_setfield(L, -2, "failed");
        lua_pushinteger(L, (lua_Integer)$1->issuer_key);
        lua_setfield(L, -2, "issuer_key");
        lua_pushnumber(L, (lua_Number)$1->at);
        lua_setfield(L, -2, "at");
        lua_pushstring(L, $1->signature);
        lua_setfield(L, -2, "signature");
        lua_pushstring(L, $1->key_check);
        lua_setfield(L, -2, "key_check");
        lua_pushstring(L, $1->mac);
        lua_setfield(L, -2, "mac");
        lua_pushstring(L, $1->validity);
        lua_setfield(L, -2, "validity");
        lua_pushstring(L, $1->scope);
        lua_setfield(L, -2, "scope");
        SWIG_arg++;
    }
}

%typemap(in, numinputs=0) dmboot_hmac_header *out (dmboot_hmac_header temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) dmboot_hmac_header *out {
    if (result == DMBOOT_OK) {
        lua_createtable(L, 0, 3);
        lua_pushstring(L, $1->algorithm);
        lua_setfield(L, -2, "algorithm");
        lua_pushlstring(L, $1->username, $1->username_len);
        lua_setfield(L, -2, "username");
        lua_pushlstring(L, $1->mac, $1->mac_len);
        lua_setfield(L, -2, "mac");
        SWIG_arg++;
    }
}

/* ---- Lua-only marshalling helpers ----------------------------------- */

%{
/* dmb_account_table(acc): the account's values as a table keyed by the
 * field names (devid, name, client_secret, server_secret, client_nonce,
 * server_nonce); nonces are binary strings; absent fields are absent. */
static int dmb_lua_account_table(lua_State *L)
{
    dmboot_account *acc = NULL;
    if (!SWIG_IsOK(SWIG_ConvertPtr(L, 1, (void **)&acc, SWIGTYPE_p_dmboot_account, 0)) ||
        acc == NULL)
        return luaL_argerror(L, 1, "expected a dmboot_account");
    lua_createtable(L, 0, DMBOOT_FIELD_COUNT);
    for (int f = 0; f < DMBOOT_FIELD_COUNT; f++) {
        const uint8_t *v = NULL;
        size_t n = 0;
        if (dmboot_account_get(acc, (dmboot_field)f, &v, &n)) {
            lua_pushlstring(L, (const char *)v, n);
            lua_setfield(L, -2, dmboot_field_name((dmboot_field)f));
        }
    }
    return 1;
}
%}
%native(dmb_account_table) int dmb_lua_account_table(lua_State *L);
