/* Private helpers every layer shares: errors, hex/base64, files, times.
 * Not installed. Depends on nothing but the public dmboot/common.h. */
#ifndef DMB_COMMON_H
#define DMB_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "dmboot/common.h"

/* ---- errors (error.c) ---------------------------------------------- */

/* Fill err (if not NULL) and return status. The message is printf-style;
 * with line != 0 it is prefixed "line N: ". */
#if defined(__GNUC__)
#define DMBOOT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DMBOOT_PRINTF(a, b)
#endif
dmboot_status dmb_fail(dmboot_error *err, dmboot_status status, size_t line,
                       const char *fmt, ...) DMBOOT_PRINTF(4, 5);
/* vsnprintf for the printf-style helpers above and elsewhere (their own
 * DMBOOT_PRINTF attributes check the formats). */
void dmb_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;
/* Set err to success (status OK, empty message). */
void dmb_ok(dmboot_error *err);

/* ---- encodings (hex_base64.c) -------------------------------------  */

/* Lowercase hex; out must hold 2*len+1. */
void dmb_hex_encode(const uint8_t *in, size_t len, char *out);
/* Base64 (RFC 4648 §4, padded) / base64url (§5, unpadded); out must hold
 * dmb_base64_len(len, url)+1. Returns the length written (without NUL). */
size_t dmb_base64_len(size_t len, bool url);
size_t dmb_base64_encode(const uint8_t *in, size_t len, bool url, char *out);
/* Strict canonical base64 (padded, §4) decode. Returns false on any
 * deviation (bad char, bad padding, non-zero trailing bits, too long). */
bool dmb_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                       size_t *out_len);

/* ---- files and comparisons (file_io.c) -----------------------------  */

/* Read a whole file of at most `max` bytes into a fresh buffer (NUL
 * appended). A longer input fails with `too_large` (the caller's status for
 * it, e.g. DMBOOT_ERR_DESCRIPTOR); other failures are DMBOOT_ERR_IO. The
 * caller frees (and wipes, for secrets). */
dmboot_status dmb_read_file(const char *path, size_t max, dmboot_status too_large,
                            char **out, size_t *out_len, dmboot_error *err);
dmboot_status dmb_read_fd(int fd, size_t max, dmboot_status too_large, const char *what,
                          char **out, size_t *out_len, dmboot_error *err);

/* Read a file that holds a secret (a key file), as dmb_read_file, after
 * the checks OpenSSH makes of a private key: the path must not be a
 * symbolic link (O_NOFOLLOW), must be a regular file, and its mode must
 * give group and others nothing (mode & 077 == 0). A refusal is
 * DMBOOT_ERR_KEY naming `what` and the file, and how to fix it. */
dmboot_status dmb_read_secret_file(const char *path, const char *what, size_t max,
                                   char **out, size_t *out_len, dmboot_error *err);

/* The names of the entries of directory `dir` longer than and ending in
 * `suffix` (not starting with '.' when skip_hidden), each malloc'd, sorted
 * by strcmp: a stable order makes load errors reproducible. `what` names
 * the directory in errors ("cannot read keyring directory D: ..."). Free
 * with dmb_names_free. */
dmboot_status dmb_dir_list(const char *dir, const char *what, const char *suffix,
                           bool skip_hidden, char ***names, size_t *count,
                           dmboot_error *err);
void dmb_names_free(char **names, size_t count);

/* dir "/" name (one slash), malloc'd; NULL when out of memory. */
char *dmb_path_join(const char *dir, const char *name);

/* Thread-safe text for an errno value. */
const char *dmb_strerrno(int e, char buf[128]);

/* Constant-time equality of two byte strings of the same length. */
bool dmb_equal(const void *a, const void *b, size_t len);


/* ---- dates (time.c) ---------------------------------------------------- */

/* Days since 1970-01-01 of a Gregorian date (no time zone involved). */
int64_t dmb_days_from_civil(int64_t y, unsigned m, unsigned d);
/* "YYYY-MM-DD" (exactly 10 bytes, a real date) -> Unix seconds at 00:00:00 UTC. */
bool dmb_date_parse(const char *s, size_t len, int64_t *day_start);
/* Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ". */
#define DMB_TIME_TEXT_MAX 96 /* room for any int64 the format can print */
void dmb_time_format(int64_t t, char out[DMB_TIME_TEXT_MAX]);

#endif
