/*
 * dmboot.i: the one SWIG interface behind the Python and Lua modules.
 *
 * It wraps core/include/dmboot.h as it is (%include below), so a function
 * added to the header is wrapped without binding code as long as it follows
 * the header's conventions. The typemaps match those conventions by type
 * (and, where types alone are ambiguous, by parameter name):
 *
 *   C parameters                                   in the target language
 *   ---------------------------------------------  -------------------------------
 *   const char *text, size_t text_len              str/bytes (Py), string (Lua)
 *   const uint8_t *data, size_t data_len           bytes-like (Py), string (Lua)
 *   const char *name          (NUL-terminated)     str/bytes without NUL / string
 *   const uint8_t x[N]                             exactly N bytes
 *   char *out, size_t out_cap, size_t *out_len     returned: str (Py), string (Lua)
 *   uint8_t *out, size_t out_cap, size_t *out_len  returned: bytes / string
 *   uint8_t *out, size_t out_len                   length in, bytes / string out
 *   char **x_out, size_t *x_out_len (allocated)    returned: str / string
 *   uint8_t **x_out, size_t *x_out_len (allocated) returned: bytes / string
 *   uint8_t x[N]                                   returned: N bytes
 *   char x[N]                                      returned: text up to its NUL
 *   const char **x                                 returned: str / string (or None/nil)
 *   int64_t *x, unsigned *x                        returned: number
 *   T **out          (T a handle)                  returned: owned handle object
 *   dmboot_error *err (last)                       hidden; a non-OK status raises
 *   dmboot_status (return)                         nothing (failure has raised)
 *
 * Several outputs come back as a tuple (Python) or several values (Lua), in
 * parameter order. Handles are garbage collected: their _free() function is
 * the destructor and is not wrapped. A NULL handle argument is refused.
 *
 * Raising: Python gets an instance of a dmboot.Error subclass (built by
 * dmboot._errors._from_c) with .status (name), .code, .line and the message;
 * Lua gets an error value that is a table {status=, code=, line=, message=}
 * whose __tostring is the message. The Lua layer (lua/dmboot.lua) turns the
 * expected failures into `nil, message, status`.
 *
 * Outputs are built only when the call returned DMBOOT_OK, and every
 * temporary that may hold a secret is wiped with OPENSSL_cleanse.
 */
#if defined(SWIGPYTHON)
%module(package="dmboot") native
#else
/* The Lua module is dmboot_native (swig -module dmboot_native), loaded as
 * require "dmboot.native". */
%module native
#endif

%{
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "dmboot.h"
%}

%include <stdint.i>

/* The header's export macro means nothing to SWIG. */
#define DMBOOT_EXPORT
#define DMBOOT_NO_EXPORT
#define DMBOOT_DEPRECATED

/* ------------------------------------------------------------------ */
/* C helpers shared by both languages                                  */
/* ------------------------------------------------------------------ */

%{
/* Largest text or bytes output a call may produce without a name-specific
 * typemap: a whole descriptor (the biggest output of the API so far). */
#define DMB_OUT_CAP ((size_t)DMBOOT_DESCRIPTOR_MAX + 1)
/* Largest output of requested length ("uint8_t *out, size_t out_len"). */
#define DMB_OUT_REQUEST_MAX ((size_t)1 << 20)

/* Status names for the target languages: the enum name without its
 * DMBOOT_ERR_ prefix, in lowercase. */
static const char *dmb_status_name(int status)
{
    switch ((dmboot_status)status) {
    case DMBOOT_OK: return "ok";
    case DMBOOT_ERR_INVALID_ARGUMENT: return "invalid_argument";
    case DMBOOT_ERR_NO_MEMORY: return "no_memory";
    case DMBOOT_ERR_IO: return "io";
    case DMBOOT_ERR_DESCRIPTOR: return "descriptor";
    case DMBOOT_ERR_DEVID: return "devid";
    case DMBOOT_ERR_NOT_COVERED: return "not_covered";
    case DMBOOT_ERR_KEY: return "key";
    case DMBOOT_ERR_KEY_MISMATCH: return "key_mismatch";
    case DMBOOT_ERR_BAD_MAC: return "bad_mac";
    case DMBOOT_ERR_BAD_SIGNATURE: return "bad_signature";
    case DMBOOT_ERR_UNAUTHENTICATED: return "unauthenticated";
    case DMBOOT_ERR_NOT_VALID_NOW: return "not_valid_now";
    case DMBOOT_ERR_OVERLAP: return "overlap";
    case DMBOOT_ERR_NOT_FOUND: return "not_found";
    case DMBOOT_ERR_AUTH_FAILED: return "auth_failed";
    case DMBOOT_ERR_SYNTAX: return "syntax";
    case DMBOOT_ERR_BUFFER_TOO_SMALL: return "buffer_too_small";
    case DMBOOT_ERR_UNSUPPORTED: return "unsupported";
    case DMBOOT_ERR_CRYPTO: return "crypto";
    case DMBOOT_ERR_UNKNOWN_KEY: return "unknown_key";
    case DMBOOT_ERR_SCOPE: return "scope";
    }
    return "unknown";
}

/* The message to show for a failed call: err's, or the status text when a
 * function failed without filling err. */
static const char *dmb_error_message(const dmboot_error *e, int status)
{
    if (e != NULL && e->status == (dmboot_status)status && e->message[0] != '\0')
        return e->message;
    return dmboot_strerror((dmboot_status)status);
}

static void dmb_error_init(dmboot_error *e)
{
    e->status = DMBOOT_OK;
    e->line = 0;
    e->message[0] = '\0';
}

/* Fill err (if any) for a failure detected in a helper here. */
static dmboot_status dmb_set_error(dmboot_error *err, dmboot_status status, const char *fmt,
                                   ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static dmboot_status dmb_set_error(dmboot_error *err, dmboot_status status, const char *fmt,
                                   ...)
{
    if (err != NULL) {
        va_list ap;
        err->status = status;
        err->line = 0;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* Wipe and free a temporary output buffer: what the call wrote (n bytes
 * and the NUL) when n < cap, else all of it. */
static void dmb_out_free(void *p, size_t n, size_t cap)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, n < cap ? n + 1 : cap);
    free(p);
}
%}


/* ------------------------------------------------------------------ */
/* What is not wrapped as it is                                        */
/* ------------------------------------------------------------------ */

/* Handles are freed by the garbage collector. */
%rename("$ignore", regextarget=1, %$isfunction) "_free$";
/* The error detail is hidden: failures raise. */
%ignore dmboot_error;
/* Output structs come back as dicts / tables (python.i, lua.i). */
%ignore dmboot_verify_report;
%ignore dmboot_verify_report_note;
%ignore dmboot_hmac_header;
/* Replaced by dmb_descriptor_text (the pointer + length pair). */
%ignore dmboot_descriptor_text;
/* Replaced by the language's account marshalling helper. */
%ignore dmboot_account_get;

/* ------------------------------------------------------------------ */
/* Language typemaps and handles                                       */
/* ------------------------------------------------------------------ */

#if defined(SWIGPYTHON)
%include "python.i"
#elif defined(SWIGLUA)
%include "lua.i"
#else
#error "dmboot.i supports Python and Lua"
#endif

/* The header's (pointer, length) groups. SWIG matches a multi-argument
 * typemap only by parameter names, so each name used in dmboot.h is listed
 * here once: a new function that reuses a name needs nothing, a new name is
 * one entry. (tests/python/test_native.py fails, naming the function, when a
 * wrapped function still shows a length, capacity or output parameter.) */
%apply (const char *TEXT_IN, size_t TEXT_IN_LEN) {
    (const char *text, size_t text_len),
    (const char *devid, size_t devid_len),
    (const char *id, size_t id_len),
    (const char *key_id, size_t key_id_len),
    (const char *label, size_t label_len),
    (const char *server_id, size_t server_id_len),
    (const char *pem, size_t pem_len),
    (const char *name, size_t name_len),
    (const char *secret, size_t secret_len),
    (const char *nonce, size_t nonce_len),
    (const char *body, size_t body_len),
    (const char *message, size_t message_len),
    (const char *header, size_t header_len),
    (const char *credential, size_t credential_len),
    (const char *expected, size_t expected_len),
    (const char *mac, size_t mac_len),
    (const char *value, size_t value_len),
    (const char *xml, size_t xml_len),
    (const char *cred_data, size_t cred_data_len),
    (const char *loc_name, size_t loc_name_len),
    (const char *hmac_header, size_t hmac_header_len)
};
%apply (const uint8_t *BYTES_IN, size_t BYTES_IN_LEN) {
    (const uint8_t *data, size_t data_len),
    (const uint8_t *wbxml, size_t wbxml_len),
    (const uint8_t *key, size_t key_len),
    (const uint8_t *value, size_t value_len),
    (const uint8_t *nonce, size_t nonce_len),
    (const uint8_t *body, size_t body_len),
    (const uint8_t *secret, size_t secret_len),
    (const uint8_t *signature, size_t signature_len)
};
%apply (char *TEXT_OUT, size_t TEXT_OUT_CAP, size_t *TEXT_OUT_LEN) {
    (char *out, size_t out_cap, size_t *out_len)
};
%apply (uint8_t *BYTES_OUT, size_t BYTES_OUT_CAP, size_t *BYTES_OUT_LEN) {
    (uint8_t *out, size_t out_cap, size_t *out_len),
    (uint8_t *key, size_t key_cap, size_t *key_len)
};
%apply (uint8_t *BYTES_OUT_N, size_t BYTES_OUT_N_LEN) {
    (uint8_t *out, size_t out_len),
    (uint8_t *key, size_t key_len),
    (uint8_t *nonce, size_t nonce_len)
};
/* Outputs the library allocates (dmboot_free releases them). */
%apply (char **ALLOC_TEXT_OUT, size_t *ALLOC_TEXT_OUT_LEN) {
    (char **xml_out, size_t *xml_out_len)
};
%apply (uint8_t **ALLOC_BYTES_OUT, size_t *ALLOC_BYTES_OUT_LEN) {
    (uint8_t **wbxml_out, size_t *wbxml_out_len)
};
/* Number outputs, by name (a generic size_t * could be a length that goes
 * with a returned pointer). */
%apply int64_t *NUMBER_OUT { int64_t *unix_seconds };
%apply unsigned *NUMBER_OUT { unsigned *checked };
%apply int *NUMBER_OUT { dmboot_cred_type *out };
/* A length that goes with a returned NUL-terminated string: not needed. */
%typemap(in, numinputs=0) size_t *len (size_t temp = 0) "$1 = &temp;"
/* Arguments that may be NULL (None / nil): the C function documents what
 * NULL means there. */
%apply const char *NULLABLE { const char *suffix, const char *cred_type };
/* Handles that may be NULL: no verification (registry), no signing key. */
%typemap(check) const dmboot_verifier *v, const dmboot_signing_key *sk ""

/* Handles: every opaque type of dmboot.h with its T_free destructor. The
 * typemaps (T **out, NULL checks) must precede the header; the class (the
 * destructor) follows it, and only for the handles the header declares: the
 * authentication and OMA DM handles are wrapped once those parts of the
 * API are in the header (detected by a macro each part defines). A new
 * handle needs one line in each list. */
%define DMB_HANDLE_CLASS(T)
%nodefaultctor T;
struct T {};
%extend T {
    ~T() { T##_free($self); }
}
%enddef

DMB_HANDLE_TYPEMAPS(dmboot_descriptor)
DMB_HANDLE_TYPEMAPS(dmboot_account)
DMB_HANDLE_TYPEMAPS(dmboot_deriver)
DMB_HANDLE_TYPEMAPS(dmboot_keyring)
DMB_HANDLE_TYPEMAPS(dmboot_signing_key)
DMB_HANDLE_TYPEMAPS(dmboot_public_key)
DMB_HANDLE_TYPEMAPS(dmboot_verifier)
DMB_HANDLE_TYPEMAPS(dmboot_registry)
DMB_HANDLE_TYPEMAPS(dmboot_trust)
DMB_HANDLE_TYPEMAPS(dmboot_syncml)
DMB_HANDLE_TYPEMAPS(dmboot_check_result)

/* SWIG does not follow #include: each part of the umbrella header, in order. */
%include "dmboot/common.h"
%include "dmboot/derive.h"
%include "dmboot/auth.h"
%include "dmboot/omadm.h"

DMB_HANDLE_CLASS(dmboot_descriptor)
DMB_HANDLE_CLASS(dmboot_account)
DMB_HANDLE_CLASS(dmboot_deriver)
DMB_HANDLE_CLASS(dmboot_keyring)
DMB_HANDLE_CLASS(dmboot_signing_key)
DMB_HANDLE_CLASS(dmboot_public_key)
DMB_HANDLE_CLASS(dmboot_verifier)
DMB_HANDLE_CLASS(dmboot_registry)
DMB_HANDLE_CLASS(dmboot_trust)
DMB_HANDLE_CLASS(dmboot_syncml)
DMB_HANDLE_CLASS(dmboot_check_result)

/* Helpers for the language layers (wrapped for both languages). */
%inline %{
/* The status name of a status code ("devid", "key_mismatch", ...). */
const char *dmb_status_name_of(int status)
{
    return dmb_status_name(status);
}

/* Does a derived field equal a value? Constant time in the value's bytes
 * (lengths are not secret: the descriptor fixes them). A field the
 * descriptor leaves out equals only a NULL value. */
bool dmb_account_field_equals(const dmboot_account *acc, dmboot_field field,
                              const uint8_t *value, size_t value_len)
{
    const uint8_t *v = NULL;
    size_t n = 0;
    if (!dmboot_account_get(acc, field, &v, &n))
        return value == NULL;
    if (value == NULL || n != value_len)
        return false;
    return CRYPTO_memcmp(v, value, n) == 0;
}

/* Does the account, serialized as a row (dmboot_account_format), equal
 * text? Compared in constant time; the row is wiped. A trailing LF in text
 * is optional. */
bool dmb_account_row_equals(const dmboot_account *acc, dmboot_format format,
                            const char *text, size_t text_len)
{
    char *row = malloc(DMBOOT_ROW_MAX);
    size_t n = 0;
    bool eq = false;
    if (row == NULL)
        return false;
    if (dmboot_account_format(acc, format, row, DMBOOT_ROW_MAX, &n, NULL) == DMBOOT_OK) {
        if (n > 0 && text_len == n - 1 && row[n - 1] == '\n')
            n--; /* text without the row's final LF */
        eq = text != NULL && n == text_len && CRYPTO_memcmp(row, text, n) == 0;
    }
    OPENSSL_cleanse(row, DMBOOT_ROW_MAX);
    free(row);
    return eq;
}

/* Does the account's bootstrap document (dmboot_document_format) equal
 * text? Constant time; the document is wiped. */
bool dmb_document_equals(const dmboot_descriptor *d, const dmboot_account *acc,
                         dmboot_document_type type, const char *text, size_t text_len)
{
    char *doc = malloc(DMBOOT_DOCUMENT_MAX + 1);
    size_t n = 0;
    bool eq = false;
    if (doc == NULL)
        return false;
    if (dmboot_document_format(d, acc, type, doc, DMBOOT_DOCUMENT_MAX + 1, &n, NULL) ==
        DMBOOT_OK)
        eq = text != NULL && n == text_len && CRYPTO_memcmp(doc, text, n) == 0;
    OPENSSL_cleanse(doc, DMBOOT_DOCUMENT_MAX + 1);
    free(doc);
    return eq;
}

/* A copy of the descriptor's exact bytes (text output convention). */
dmboot_status dmb_descriptor_text(const dmboot_descriptor *d, char *out, size_t out_cap,
                                  size_t *out_len, dmboot_error *err)
{
    size_t n = 0;
    const char *t = dmboot_descriptor_text(d, &n);
    *out_len = n;
    if (t == NULL)
        return dmb_set_error(err, DMBOOT_ERR_INVALID_ARGUMENT, "no descriptor text");
    if (n >= out_cap)
        return dmb_set_error(err, DMBOOT_ERR_BUFFER_TOO_SMALL,
                             "the descriptor text needs %zu bytes and a NUL", n);
    memcpy(out, t, n);
    out[n] = '\0';
    return DMBOOT_OK;
}

/* Write text to path whole or not at all, mode 0600 (it may hold secrets):
 * a temporary file in the same directory, written, flushed to disk, then
 * renamed over path. */
dmboot_status dmb_file_write_atomic(const char *path, const char *text, size_t text_len,
                                    dmboot_error *err)
{
    if (path == NULL || (text == NULL && text_len != 0))
        return dmb_set_error(err, DMBOOT_ERR_INVALID_ARGUMENT, "NULL argument");
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof ".XXXXXX");
    if (tmp == NULL)
        return dmb_set_error(err, DMBOOT_ERR_NO_MEMORY, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", sizeof ".XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return dmb_set_error(err, DMBOOT_ERR_IO, "cannot write %s: %s", path, strerror(e));
    }
    size_t done = 0;
    int e = 0;
    while (done < text_len) {
        ssize_t n = write(fd, text + done, text_len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            e = errno;
            break;
        }
        done += (size_t)n;
    }
    if (e == 0 && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && e == 0)
        e = errno;
    if (e == 0 && rename(tmp, path) != 0)
        e = errno;
    if (e != 0)
        unlink(tmp);
    free(tmp);
    if (e != 0)
        return dmb_set_error(err, DMBOOT_ERR_IO, "cannot write %s: %s", path, strerror(e));
    return DMBOOT_OK;
}
%}
