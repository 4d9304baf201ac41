/* Key files: hex text on one line, decoded into caller buffers. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "derive/derive.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

dmboot_status dmboot_key_decode(const char *text, size_t text_len, uint8_t *key,
                                size_t key_cap, size_t *key_len, dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || key == NULL || key_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    size_t n = text_len;
    if (n > 0 && text[n - 1] == '\n') {
        n--;
        if (n > 0 && text[n - 1] == '\r')
            n--;
    }
    for (size_t i = 0; i < n; i++) {
        if (hex_value(text[i]) < 0) {
            if (text[i] == '\n')
                return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                                "key must be hex digits on one line (found more lines)");
            return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                            "key has a character that is not a hex digit at position %zu",
                            i + 1);
        }
    }
    if (n == 0)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0, "key is empty (expected %d to %d hex digits)",
                        2 * DMBOOT_KEY_MIN, 2 * DMBOOT_KEY_MAX);
    if (n % 2 != 0)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0, "key has an odd number of hex digits (%zu)", n);
    if (n < 2 * DMBOOT_KEY_MIN || n > 2 * DMBOOT_KEY_MAX)
        return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                        "key has %zu hex digits (%zu bytes); expected %d to %d digits", n,
                        n / 2, 2 * DMBOOT_KEY_MIN, 2 * DMBOOT_KEY_MAX);
    if (n / 2 > key_cap)
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0, "key buffer too small");
    for (size_t i = 0; i < n / 2; i++)
        key[i] = (uint8_t)(hex_value(text[2 * i]) << 4 | hex_value(text[2 * i + 1]));
    *key_len = n / 2;
    dmb_ok(err);
    return DMBOOT_OK;
}

/* A key file is a few hundred bytes at most; anything larger is not one. */
#define KEY_FILE_MAX 1024

static dmboot_status decode_and_wipe(char *buf, size_t len, uint8_t *key, size_t key_cap,
                                     size_t *key_len, const char *what, dmboot_error *err)
{
    dmboot_status st = dmboot_key_decode(buf, len, key, key_cap, key_len, err);
    OPENSSL_clear_free(buf, len + 1);
    if (st == DMBOOT_ERR_KEY && err != NULL) {
        /* Name the file: "key file k.hex: ..." */
        char msg[DMBOOT_ERROR_MESSAGE_MAX];
        memcpy(msg, err->message, sizeof msg);
        dmb_fail(err, st, 0, "%s: %s", what, msg);
    }
    return st;
}

dmboot_status dmboot_key_load(const char *path, uint8_t *key, size_t key_cap,
                              size_t *key_len, dmboot_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    dmboot_status st = dmb_read_secret_file(path, "key file", KEY_FILE_MAX, &buf, &len, err);
    if (st != DMBOOT_OK)
        return st;
    return decode_and_wipe(buf, len, key, key_cap, key_len, path, err);
}

dmboot_status dmboot_key_read_fd(int fd, uint8_t *key, size_t key_cap, size_t *key_len,
                                 dmboot_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    dmboot_status st =
        dmb_read_fd(fd, KEY_FILE_MAX, DMBOOT_ERR_IO, "key input", &buf, &len, err);
    if (st != DMBOOT_OK)
        return st;
    return decode_and_wipe(buf, len, key, key_cap, key_len, "key input", err);
}

dmboot_status dmboot_key_generate(uint8_t *key, size_t key_len, dmboot_error *err)
{
    if (key == NULL || key_len < DMBOOT_KEY_MIN || key_len > DMBOOT_KEY_MAX)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "key length must be %d to %d bytes", DMBOOT_KEY_MIN, DMBOOT_KEY_MAX);
    if (RAND_bytes(key, (int)key_len) != 1)
        return dmb_fail(err, DMBOOT_ERR_CRYPTO, 0, "the random generator failed");
    dmb_ok(err);
    return DMBOOT_OK;
}
