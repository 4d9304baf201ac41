/*
 * python.i: the Python side of dmboot.i's conventions (see the table there).
 * Bytes come in through the buffer protocol (released in freearg) and go out
 * with PyBytes_FromStringAndSize; text goes out as str (UTF-8).
 */

%{
/* Is a Python object text (str) or bytes-like? Fill (p, n); a buffer view
 * taken here is released by the caller when *have_view. */
static int dmb_py_in(PyObject *o, int allow_str, Py_buffer *view, int *have_view,
                     const char **p, size_t *n, const char *fn, const char *arg)
{
    *p = NULL;
    *n = 0;
    if (o == Py_None)
        return 0; /* NULL, 0: the C function decides */
    if (PyUnicode_Check(o)) {
        if (allow_str) {
            Py_ssize_t len = 0;
            const char *s = PyUnicode_AsUTF8AndSize(o, &len);
            if (s == NULL)
                return -1;
            *p = s;
            *n = (size_t)len;
            return 0;
        }
    } else if (PyObject_CheckBuffer(o)) {
        if (PyObject_GetBuffer(o, view, PyBUF_SIMPLE) != 0)
            return -1;
        *have_view = 1;
        *p = (const char *)view->buf;
        *n = (size_t)view->len;
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be %s, not %.100s", fn, arg,
                 allow_str ? "str or bytes" : "bytes", Py_TYPE(o)->tp_name);
    return -1;
}

/* A NUL-terminated string argument: str or bytes without NUL characters. */
static int dmb_py_in_cstr(PyObject *o, const char **p, const char *fn, const char *arg)
{
    Py_ssize_t len = 0;
    const char *s = NULL;
    if (PyUnicode_Check(o)) {
        s = PyUnicode_AsUTF8AndSize(o, &len);
        if (s == NULL)
            return -1;
    } else if (PyBytes_Check(o)) {
        s = PyBytes_AS_STRING(o);
        len = PyBytes_GET_SIZE(o);
    } else {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be str, not %.100s", fn, arg,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    if (strlen(s) != (size_t)len) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' contains a NUL character", fn, arg);
        return -1;
    }
    *p = s;
    return 0;
}

/* Append an output to the call's result: one output is returned as it is,
 * several as a tuple. Steals o; on o == NULL drops result and returns NULL. */
static PyObject *dmb_py_append(PyObject *result, PyObject *o)
{
    if (o == NULL) {
        Py_XDECREF(result);
        return NULL;
    }
    if (result == NULL || result == Py_None) {
        Py_XDECREF(result);
        return o;
    }
    if (!PyTuple_Check(result)) {
        PyObject *t = PyTuple_Pack(2, result, o);
        Py_DECREF(result);
        Py_DECREF(o);
        return t;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(result);
    PyObject *t = PyTuple_New(n + 1);
    if (t != NULL) {
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *x = PyTuple_GET_ITEM(result, i);
            Py_INCREF(x);
            PyTuple_SET_ITEM(t, i, x);
        }
        PyTuple_SET_ITEM(t, n, o);
    } else {
        Py_DECREF(o);
    }
    Py_DECREF(result);
    return t;
}

static PyObject *dmb_py_text(const char *s, size_t n)
{
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "strict");
}

/* The dmboot.Error subclass instance for a failed call (new reference), or
 * NULL with a Python exception set. */
static PyObject *dmb_py_error_object(const dmboot_error *e, int status)
{
    PyObject *mod = PyImport_ImportModule("dmboot._errors");
    if (mod == NULL)
        return NULL;
    const char *msg = dmb_error_message(e, status);
    PyObject *m = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "backslashreplace");
    PyObject *exc = NULL;
    if (m != NULL)
        exc = PyObject_CallMethod(mod, "_from_c", "isOn", status, dmb_status_name(status), m,
                                  (Py_ssize_t)(e != NULL ? e->line : 0));
    Py_XDECREF(m);
    Py_DECREF(mod);
    return exc;
}

static void dmb_py_raise(const dmboot_error *e, int status)
{
    PyObject *exc = dmb_py_error_object(e, status);
    if (exc == NULL)
        return; /* the import or the constructor raised: that is the error */
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
}
%}

/* ---- status and error ---------------------------------------------- */

%typemap(out) dmboot_status "$result = SWIG_Py_Void();"

%typemap(in, numinputs=0) dmboot_error * (dmboot_error e) {
    dmb_error_init(&e);
    $1 = &e;
}
%typemap(argout) dmboot_error * {
    if (result != DMBOOT_OK) {
        Py_XDECREF($result);
        $result = NULL;
        dmb_py_raise($1, (int)result);
        SWIG_fail;
    }
}

/* ---- inputs -------------------------------------------------------- */

%typemap(in) (const char *TEXT_IN, size_t TEXT_IN_LEN) (Py_buffer view, int have_view = 0) {
    const char *p_ = NULL;
    size_t n_ = 0;
    if (dmb_py_in($input, 1, &view, &have_view, &p_, &n_, "$symname", "$1_name") != 0)
        SWIG_fail;
    $1 = ($1_ltype)p_;
    $2 = n_;
}
%typemap(freearg) (const char *TEXT_IN, size_t TEXT_IN_LEN) {
    if (have_view$argnum)
        PyBuffer_Release(&view$argnum);
}

%typemap(in) (const uint8_t *BYTES_IN, size_t BYTES_IN_LEN) (Py_buffer view, int have_view = 0) {
    const char *p_ = NULL;
    size_t n_ = 0;
    if (dmb_py_in($input, 0, &view, &have_view, &p_, &n_, "$symname", "$1_name") != 0)
        SWIG_fail;
    $1 = ($1_ltype)p_;
    $2 = n_;
}
%typemap(freearg) (const uint8_t *BYTES_IN, size_t BYTES_IN_LEN) {
    if (have_view$argnum)
        PyBuffer_Release(&view$argnum);
}

%typemap(in) const char * {
    const char *p_ = NULL;
    if (dmb_py_in_cstr($input, &p_, "$symname", "$1_name") != 0)
        SWIG_fail;
    $1 = ($1_ltype)p_;
}
%typemap(freearg) const char * ""
%typemap(in) const char *NULLABLE {
    const char *p_ = NULL;
    if ($input != Py_None && dmb_py_in_cstr($input, &p_, "$symname", "$1_name") != 0)
        SWIG_fail;
    $1 = ($1_ltype)p_;
}

%typemap(in) const uint8_t [ANY] (Py_buffer view, int have_view = 0) {
    const char *p_ = NULL;
    size_t n_ = 0;
    if (dmb_py_in($input, 0, &view, &have_view, &p_, &n_, "$symname", "$1_name") != 0)
        SWIG_fail;
    if (p_ == NULL || n_ != (size_t)($1_dim0)) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' must be %zu bytes, not %zu",
                     "$symname", "$1_name", (size_t)($1_dim0), n_);
        SWIG_fail;
    }
    $1 = ($1_ltype)p_;
}
%typemap(freearg) const uint8_t [ANY] {
    if (have_view$argnum)
        PyBuffer_Release(&view$argnum);
}
/* Without this, the const array would fall back to the output typemap of
 * uint8_t [ANY] below. */
%typemap(argout) const uint8_t [ANY] ""

/* ---- outputs ------------------------------------------------------- */

%typemap(in, numinputs=0) (char *TEXT_OUT, size_t TEXT_OUT_CAP, size_t *TEXT_OUT_LEN) (size_t n = 0) {
    $2 = DMB_OUT_CAP;
    $1 = ($1_ltype)malloc($2);
    if ($1 == NULL) {
        PyErr_NoMemory();
        SWIG_fail;
    }
    $3 = &n;
}
%typemap(argout) (char *TEXT_OUT, size_t TEXT_OUT_CAP, size_t *TEXT_OUT_LEN) {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result, dmb_py_text($1, n$argnum));
        if ($result == NULL)
            SWIG_fail;
    }
}
%typemap(freearg) (char *TEXT_OUT, size_t TEXT_OUT_CAP, size_t *TEXT_OUT_LEN) {
    dmb_out_free($1, n$argnum, $2);
}

%typemap(in, numinputs=0) (uint8_t *BYTES_OUT, size_t BYTES_OUT_CAP, size_t *BYTES_OUT_LEN) (size_t n = 0) {
    $2 = DMB_OUT_CAP;
    $1 = ($1_ltype)malloc($2);
    if ($1 == NULL) {
        PyErr_NoMemory();
        SWIG_fail;
    }
    $3 = &n;
}
%typemap(argout) (uint8_t *BYTES_OUT, size_t BYTES_OUT_CAP, size_t *BYTES_OUT_LEN) {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result,
                                PyBytes_FromStringAndSize((const char *)$1, (Py_ssize_t)n$argnum));
        if ($result == NULL)
            SWIG_fail;
    }
}
%typemap(freearg) (uint8_t *BYTES_OUT, size_t BYTES_OUT_CAP, size_t *BYTES_OUT_LEN) {
    dmb_out_free($1, n$argnum, $2);
}

/* An output the library allocates (released with dmboot_free, which wipes). */
%typemap(in, numinputs=0) (char **ALLOC_TEXT_OUT, size_t *ALLOC_TEXT_OUT_LEN) (char *p = NULL, size_t n = 0),
                          (uint8_t **ALLOC_BYTES_OUT, size_t *ALLOC_BYTES_OUT_LEN) (uint8_t *p = NULL, size_t n = 0) {
    $1 = &p;
    $2 = &n;
}
%typemap(argout) (char **ALLOC_TEXT_OUT, size_t *ALLOC_TEXT_OUT_LEN) {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result, dmb_py_text(p$argnum, n$argnum));
        if ($result == NULL)
            SWIG_fail;
    }
}
%typemap(argout) (uint8_t **ALLOC_BYTES_OUT, size_t *ALLOC_BYTES_OUT_LEN) {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result,
                                PyBytes_FromStringAndSize((const char *)p$argnum, (Py_ssize_t)n$argnum));
        if ($result == NULL)
            SWIG_fail;
    }
}
%typemap(freearg) (char **ALLOC_TEXT_OUT, size_t *ALLOC_TEXT_OUT_LEN),
                  (uint8_t **ALLOC_BYTES_OUT, size_t *ALLOC_BYTES_OUT_LEN) {
    dmboot_free(p$argnum, n$argnum);
}

/* An output whose length the caller asks for: the length is the input. */
%typemap(in) (uint8_t *BYTES_OUT_N, size_t BYTES_OUT_N_LEN) {
    Py_ssize_t n_;
    if (!PyLong_Check($input)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be int, not %.100s", "$symname",
                     "$1_name", Py_TYPE($input)->tp_name);
        SWIG_fail;
    }
    n_ = PyLong_AsSsize_t($input);
    if (n_ == -1 && PyErr_Occurred())
        SWIG_fail;
    if (n_ < 0 || (size_t)n_ > DMB_OUT_REQUEST_MAX) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s' must be 0 to %zu", "$symname",
                     "$1_name", DMB_OUT_REQUEST_MAX);
        SWIG_fail;
    }
    $2 = (size_t)n_;
    $1 = ($1_ltype)malloc($2 + 1);
    if ($1 == NULL) {
        PyErr_NoMemory();
        SWIG_fail;
    }
}
%typemap(argout) (uint8_t *BYTES_OUT_N, size_t BYTES_OUT_N_LEN) {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result, PyBytes_FromStringAndSize((const char *)$1, (Py_ssize_t)$2));
        if ($result == NULL)
            SWIG_fail;
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
        $result = dmb_py_append($result, PyBytes_FromStringAndSize((const char *)$1, (Py_ssize_t)($1_dim0)));
        if ($result == NULL)
            SWIG_fail;
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
        $result = dmb_py_append($result, dmb_py_text($1, strnlen($1, $1_dim0)));
        if ($result == NULL)
            SWIG_fail;
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
        PyObject *o_;
        if (temp$argnum != NULL) {
            o_ = dmb_py_text(temp$argnum, strlen(temp$argnum));
        } else {
            o_ = Py_None;
            Py_INCREF(o_);
        }
        $result = dmb_py_append($result, o_);
        if ($result == NULL)
            SWIG_fail;
    }
}

/* TYPE *NUMBER_OUT: applied by name in dmboot.i. */
%define DMB_PY_NUMBER_OUTPUT(TYPE, CONVERT)
%typemap(in, numinputs=0) TYPE *NUMBER_OUT (TYPE temp = 0) {
    $1 = ($1_ltype)&temp;
}
%typemap(argout) TYPE *NUMBER_OUT {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result, CONVERT(temp$argnum));
        if ($result == NULL)
            SWIG_fail;
    }
}
%enddef
DMB_PY_NUMBER_OUTPUT(int64_t, PyLong_FromLongLong)
DMB_PY_NUMBER_OUTPUT(unsigned, PyLong_FromUnsignedLong)
DMB_PY_NUMBER_OUTPUT(int, PyLong_FromLong)

/* dmboot_descriptor_entry has no err: an index out of range is IndexError. */
%typemap(out) dmboot_status dmboot_descriptor_entry {
    if (result != DMBOOT_OK) {
        PyErr_SetString(PyExc_IndexError, "descriptor entry index out of range");
        SWIG_fail;
    }
    $result = SWIG_Py_Void();
}

/* ---- handles ------------------------------------------------------- */

%define DMB_HANDLE_TYPEMAPS(T)
%typemap(in, numinputs=0) T **out (T *handle = NULL) {
    $1 = &handle;
}
%typemap(argout) T **out {
    if (result == DMBOOT_OK && handle$argnum != NULL) {
        $result = dmb_py_append($result, SWIG_NewPointerObj(SWIG_as_voidptr(handle$argnum),
                                                            $*1_descriptor, SWIG_POINTER_OWN));
        handle$argnum = NULL; /* owned by the Python object now */
        if ($result == NULL)
            SWIG_fail;
    }
}
%typemap(freearg) T **out {
    if (handle$argnum != NULL)
        T##_free(handle$argnum);
}
/* A borrowed handle (owned by another object, e.g. a registry's
 * descriptor): returned without ownership; the language layer keeps the
 * owner alive. */
%typemap(in, numinputs=0) const T ** (const T *borrowed = NULL) {
    $1 = ($1_ltype)&borrowed;
}
%typemap(argout) const T ** {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result, SWIG_NewPointerObj(SWIG_as_voidptr((T *)borrowed$argnum),
                                                            $*1_descriptor, 0));
        if ($result == NULL)
            SWIG_fail;
    }
}
%typemap(check) T *, const T * {
    if ($1 == NULL) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must not be None", "$symname", "$1_name");
        SWIG_fail;
    }
}
%enddef

/* ---- Python-only marshalling helpers -------------------------------- */

%{
/* An account's six values as a tuple in dmboot_field order: text fields
 * as str, nonces as bytes, absent fields as None. */
static PyObject *dmb_py_account_tuple(const dmboot_account *acc)
{
    PyObject *t = PyTuple_New(DMBOOT_FIELD_COUNT);
    if (t == NULL)
        return NULL;
    for (int f = 0; f < DMBOOT_FIELD_COUNT; f++) {
        const uint8_t *v = NULL;
        size_t n = 0;
        PyObject *o;
        if (!dmboot_account_get(acc, (dmboot_field)f, &v, &n)) {
            o = Py_None;
            Py_INCREF(o);
        } else if (f == DMBOOT_FIELD_CLIENT_NONCE || f == DMBOOT_FIELD_SERVER_NONCE) {
            o = PyBytes_FromStringAndSize((const char *)v, (Py_ssize_t)n);
        } else {
            o = dmb_py_text((const char *)v, n);
        }
        if (o == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, f, o);
    }
    return t;
}
%}

%inline %{
/* The account's values as a tuple (devid, name, client_secret,
 * server_secret, client_nonce, server_nonce). */
PyObject *dmb_account_values(const dmboot_account *acc)
{
    return dmb_py_account_tuple(acc);
}

/* Derive every DevID of a list (str or bytes items) with one deriver and
 * one account: the bulk path, one call per chunk instead of per device.
 * Returns (rows, error): rows the value tuples of the DevIDs before the
 * first failure, error None or the dmboot.Error instance for the DevID at
 * index len(rows). The account is wiped before returning. */
PyObject *dmb_derive_chunk(dmboot_deriver *dv, dmboot_account *acc, PyObject *devids)
{
    if (!PyList_Check(devids)) {
        PyErr_Format(PyExc_TypeError, "dmb_derive_chunk() needs a list, not %.100s",
                     Py_TYPE(devids)->tp_name);
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(devids);
    PyObject *rows = PyList_New(count);
    if (rows == NULL)
        return NULL;
    PyObject *error = NULL;
    Py_ssize_t i;
    for (i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(devids, i);
        const char *s;
        Py_ssize_t n;
        if (PyUnicode_Check(item)) {
            s = PyUnicode_AsUTF8AndSize(item, &n);
            if (s == NULL)
                goto fail;
        } else if (PyBytes_Check(item)) {
            s = PyBytes_AS_STRING(item);
            n = PyBytes_GET_SIZE(item);
        } else {
            PyErr_Format(PyExc_TypeError, "a DevID must be str, not %.100s (item %zd)",
                         Py_TYPE(item)->tp_name, i);
            goto fail;
        }
        dmboot_error e;
        dmb_error_init(&e);
        dmboot_status st = dmboot_derive(dv, s, (size_t)n, acc, &e);
        if (st != DMBOOT_OK) {
            error = dmb_py_error_object(&e, (int)st);
            if (error == NULL)
                goto fail;
            break;
        }
        PyObject *t = dmb_py_account_tuple(acc);
        if (t == NULL)
            goto fail;
        PyList_SET_ITEM(rows, i, t);
    }
    dmboot_account_clear(acc);
    if (i < count && PyList_SetSlice(rows, i, count, NULL) != 0)
        goto fail;
    if (error == NULL) {
        error = Py_None;
        Py_INCREF(error);
    }
    PyObject *r = PyTuple_Pack(2, rows, error);
    Py_DECREF(rows);
    Py_DECREF(error);
    return r;
fail:
    dmboot_account_clear(acc);
    Py_XDECREF(error);
    Py_DECREF(rows);
    return NULL;
}
%}

/* ---- struct outputs (authentication, OMA DM): dicts ------------------- */

%typemap(in, numinputs=0) dmboot_verify_report *report (dmboot_verify_report temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) dmboot_verify_report *report {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result, Py_BuildValue(
            "{s:I,s:I,s:n,s:L,s:s,s:s,s:s,s:s,s:s}", "checked", $1->checked, "failed",
            $1->failed, "issuer_key", (Py_ssize_t)$1->issuer_key, "at", (long long)$1->at,
            "signature", $1->signature, "key_check", $1->key_check, "mac", $1->mac,
            "validity", $1->validity, "scope", $1->scope));
        if ($result == NULL)
            SWIG_fail;
    }
}

%typemap(in, numinputs=0) dmboot_hmac_header *out (dmboot_hmac_header temp) {
    memset(&temp, 0, sizeof temp);
    $1 = &temp;
}
%typemap(argout) dmboot_hmac_header *out {
    if (result == DMBOOT_OK) {
        $result = dmb_py_append($result, Py_BuildValue(
            "{s:s,s:s#,s:s#}", "algorithm", $1->algorithm, "username", $1->username,
            (Py_ssize_t)$1->username_len, "mac", $1->mac, (Py_ssize_t)$1->mac_len));
        if ($result == NULL)
            SWIG_fail;
    }
}
