/*
 * dmboot/common.h: version, errors, times; and the conventions of the whole
 * API. Part of the dmboot API; include <dmboot.h>, which includes every part.
 *
 * Conventions (the whole API follows them):
 *  - Every function that can fail returns a dmboot_status and takes, last,
 *    an optional `dmboot_error *err` (NULL is fine) that receives the code,
 *    a line number where one applies, and a message a person can act on.
 *  - Inputs carry explicit lengths: (const char *text, size_t text_len) for
 *    text, (const uint8_t *data, size_t data_len) for bytes.
 *  - Text outputs go to caller buffers (char *out, size_t out_cap,
 *    size_t *out_len): the text is NUL-terminated and *out_len excludes the
 *    NUL. When out_cap is too small the call returns
 *    DMBOOT_ERR_BUFFER_TOO_SMALL, writes nothing, and sets *out_len to the
 *    length needed (without the NUL). The DMBOOT_*_MAX macros bound them.
 *  - Handles are opaque; each has a _free() that wipes secrets and accepts
 *    NULL. Descriptors are immutable after parsing and may be shared
 *    between threads; a deriver or an account belongs to one thread at a
 *    time. There is no global mutable state (the WBXML functions load a
 *    library once per process, thread-safely, and only read it after).
 *  - Exception: the WBXML conversions, whose output has no useful bound,
 *    allocate it; dmboot_free() wipes and releases it.
 */
#ifndef DMBOOT_COMMON_H
#define DMBOOT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "dmboot_export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DMBOOT_VERSION_MAJOR 0
#define DMBOOT_VERSION_MINOR 2
#define DMBOOT_VERSION_PATCH 0
#define DMBOOT_VERSION_STRING "0.2.0"

/* The library's version string, e.g. "0.2.0". */
DMBOOT_EXPORT const char *dmboot_version(void);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

typedef enum dmboot_status {
    DMBOOT_OK = 0,
    DMBOOT_ERR_INVALID_ARGUMENT = 1, /* NULL pointer, bad size: a caller bug */
    DMBOOT_ERR_NO_MEMORY = 2,
    DMBOOT_ERR_IO = 3,               /* a file could not be read or written */
    DMBOOT_ERR_DESCRIPTOR = 4,       /* a descriptor breaks the format */
    DMBOOT_ERR_DEVID = 5,            /* a DevID is malformed */
    DMBOOT_ERR_NOT_COVERED = 6,      /* DevID outside a descriptor's devid-match */
    DMBOOT_ERR_KEY = 7,              /* a key is malformed (length, hex, PEM) */
    DMBOOT_ERR_KEY_MISMATCH = 8,     /* a key fails the descriptor's key-check */
    DMBOOT_ERR_BAD_MAC = 9,          /* the descriptor MAC does not verify */
    DMBOOT_ERR_BAD_SIGNATURE = 10,   /* no trusted issuer key verifies the signature */
    DMBOOT_ERR_UNAUTHENTICATED = 11, /* nothing that was asked for could be checked */
    DMBOOT_ERR_NOT_VALID_NOW = 12,   /* outside not-before .. not-after */
    DMBOOT_ERR_OVERLAP = 13,         /* devid-match overlaps another descriptor's */
    DMBOOT_ERR_NOT_FOUND = 14,       /* no descriptor covers the DevID */
    DMBOOT_ERR_AUTH_FAILED = 15,     /* a client or server credential is wrong */
    DMBOOT_ERR_SYNTAX = 16,          /* malformed header, message, date, ... */
    DMBOOT_ERR_BUFFER_TOO_SMALL = 17,
    DMBOOT_ERR_UNSUPPORTED = 18,     /* a feature this build or system lacks */
    DMBOOT_ERR_CRYPTO = 19,          /* OpenSSL failed unexpectedly */
    DMBOOT_ERR_UNKNOWN_KEY = 20,     /* no key for the descriptor's key-id (keyring) */
    DMBOOT_ERR_SCOPE = 21            /* outside its issuer's scope (trust file) */
} dmboot_status;

/* A short, static, English description of a status ("descriptor is invalid"). */
DMBOOT_EXPORT const char *dmboot_strerror(dmboot_status status);

#define DMBOOT_ERROR_MESSAGE_MAX 320

/* Error detail, owned by the caller. `message` is complete on its own: for
 * descriptor errors it starts with "line N: ". `line` is 1-based, 0 when
 * no line applies. */
typedef struct dmboot_error {
    dmboot_status status;
    size_t line;
    char message[DMBOOT_ERROR_MESSAGE_MAX];
} dmboot_error;

/* ------------------------------------------------------------------ */
/* Times                                                               */
/* ------------------------------------------------------------------ */

/* ---- times ---- */

/* Parse a time for verification: a date "YYYY-MM-DD" (00:00:00 UTC that
 * day) or an RFC 3339 date-time "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)"
 * (fractions are dropped). DMBOOT_ERR_SYNTAX names the problem. Pure
 * arithmetic: the result does not depend on the time zone or the clock. */
DMBOOT_EXPORT dmboot_status dmboot_time_parse(const char *text, size_t text_len,
                                              int64_t *unix_seconds, dmboot_error *err);

#ifdef __cplusplus
}
#endif

#endif /* DMBOOT_COMMON_H */
