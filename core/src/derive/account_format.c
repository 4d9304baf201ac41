/* One account as a JSON Lines row or a CSV row (server import). */
#include <string.h>

#include <openssl/crypto.h>

#include "derive/account.h"

/* A bounded writer: counts what it would write even past the end, so the
 * caller learns the size needed. */
typedef struct sink {
    char *p;
    size_t cap, len;
} sink;

static void put(sink *s, const char *t, size_t n)
{
    if (s->len + n < s->cap)
        memcpy(s->p + s->len, t, n);
    s->len += n;
}

static void put_json_string(sink *s, const uint8_t *v, size_t n)
{
    put(s, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        char c = (char)v[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', c};
            put(s, e, 2);
        } else {
            put(s, &c, 1); /* values are printable ASCII: nothing else to escape */
        }
    }
    put(s, "\"", 1);
}

static void put_csv_field(sink *s, const uint8_t *v, size_t n)
{
    bool quote = n > 0 && (v[0] == ' ' || v[n - 1] == ' ');
    for (size_t i = 0; i < n && !quote; i++)
        quote = v[i] == ',' || v[i] == '"';
    if (!quote) {
        put(s, (const char *)v, n);
        return;
    }
    put(s, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '"')
            put(s, "\"", 1);
        put(s, (const char *)v + i, 1);
    }
    put(s, "\"", 1);
}

const char *dmboot_csv_header(void)
{
    return "devid,name,client_secret,server_secret,client_nonce,server_nonce\n";
}

dmboot_status dmboot_account_format(const dmboot_account *acc, dmboot_format format,
                                    char *out, size_t out_cap, size_t *out_len,
                                    dmboot_error *err)
{
    if (acc == NULL || out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (format != DMBOOT_FORMAT_JSON && format != DMBOOT_FORMAT_CSV)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown row format %d",
                        (int)format);
    if (!acc->present[DMBOOT_FIELD_DEVID])
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "the account is empty");
    sink s = {out, out_cap, 0};
    char b64[DMBOOT_VALUE_MAX * 4 / 3 + 8];
    bool first = true;
    if (format == DMBOOT_FORMAT_JSON)
        put(&s, "{", 1);
    for (int f = 0; f < DMBOOT_FIELD_COUNT; f++) {
        const uint8_t *v = acc->value[f];
        size_t n = acc->len[f];
        if (acc->present[f] && (f == DMBOOT_FIELD_CLIENT_NONCE || f == DMBOOT_FIELD_SERVER_NONCE)) {
            n = dmb_base64_encode(v, n, false, b64);
            v = (const uint8_t *)b64;
        }
        if (format == DMBOOT_FORMAT_JSON) {
            if (!acc->present[f])
                continue;
            if (!first)
                put(&s, ",", 1);
            const char *name = dmboot_field_name((dmboot_field)f);
            put(&s, "\"", 1);
            put(&s, name, strlen(name));
            put(&s, "\":", 2);
            put_json_string(&s, v, n);
        } else {
            if (f > 0)
                put(&s, ",", 1);
            if (acc->present[f])
                put_csv_field(&s, v, n);
        }
        first = false;
    }
    if (format == DMBOOT_FORMAT_JSON)
        put(&s, "}", 1);
    put(&s, "\n", 1);
    OPENSSL_cleanse(b64, sizeof b64);
    *out_len = s.len;
    if (s.len >= out_cap) {
        if (out != NULL && out_cap > 0)
            OPENSSL_cleanse(out, out_cap);
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                        "the row needs %zu bytes and a NUL", s.len);
    }
    out[s.len] = '\0';
    dmb_ok(err);
    return DMBOOT_OK;
}
