#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *tu_unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    assert_true(n % 2 == 0);
    uint8_t *out = malloc(n / 2 + 1);
    assert_non_null(out);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return out;
}

cJSON *tu_load_vectors(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", DMBOOT_VECTORS_DIR, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap * 2 + 8192;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    cJSON *json = cJSON_Parse(buf);
    free(buf);
    if (json == NULL)
        fail_msg("%s is not valid JSON", path);
    return json;
}

const char *tu_str(const cJSON *obj, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

void tu_assert_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len,
                     const char *what)
{
    if (got_len == want_len && memcmp(got, want, got_len) == 0)
        return;
    fprintf(stderr, "%s mismatch\n  got  ", what);
    for (size_t i = 0; i < got_len; i++)
        fprintf(stderr, "%02x", got[i]);
    fprintf(stderr, "\n  want ");
    for (size_t i = 0; i < want_len; i++)
        fprintf(stderr, "%02x", want[i]);
    fprintf(stderr, "\n");
    fail_msg("%s mismatch", what);
}
