/* Helpers shared by the CMocka tests. */
#ifndef DMBOOT_TEST_UTIL_H
#define DMBOOT_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

/* Decode hex (either case) into a fresh buffer; fails the test on bad hex. */
uint8_t *tu_unhex(const char *hex, size_t *len);
/* Read a file under tests/vectors/ and parse it as JSON (fails the test). */
cJSON *tu_load_vectors(const char *name);
/* A string member of a JSON object, or NULL. */
const char *tu_str(const cJSON *obj, const char *key);
/* Assert that two byte strings are equal, printing both in hex if not. */
void tu_assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len,
                     const char *what);

#endif
