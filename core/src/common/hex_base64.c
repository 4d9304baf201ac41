/* Hex and base64 (RFC 4648) for keys, values and authentication lines. */
#include <string.h>

#include "common/common.h"

void dmb_hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

size_t dmb_base64_len(size_t len, bool url)
{
    if (url)
        return (len / 3) * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
    return (len + 2) / 3 * 4;
}

size_t dmb_base64_encode(const uint8_t *in, size_t len, bool url, char *out)
{
    static const char std[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static const char safe[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *a = url ? safe : std;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = a[v >> 18];
        out[o++] = a[(v >> 12) & 63];
        out[o++] = a[(v >> 6) & 63];
        out[o++] = a[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = a[v >> 18];
        out[o++] = a[(v >> 12) & 63];
        if (!url) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = a[v >> 18];
        out[o++] = a[(v >> 12) & 63];
        out[o++] = a[(v >> 6) & 63];
        if (!url)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool dmb_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                       size_t *out_len)
{
    if (in_len % 4 != 0)
        return false;
    size_t pad = 0;
    if (in_len >= 1 && in[in_len - 1] == '=')
        pad++;
    if (in_len >= 2 && in[in_len - 2] == '=')
        pad++;
    size_t n = in_len / 4 * 3 - pad;
    if (n > out_cap)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < in_len; i += 4) {
        int v[4];
        for (size_t j = 0; j < 4; j++) {
            bool padding = i + 4 == in_len && j >= 4 - pad;
            v[j] = padding ? 0 : b64_value(in[i + j]);
            if (v[j] < 0)
                return false;
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                     (uint32_t)v[3];
        uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        size_t take = i + 4 == in_len ? 3 - pad : 3;
        /* Canonical form: the bits the padding hides must be zero. */
        if (take < 3 && b[take] != 0)
            return false;
        if (take == 1 && b[2] != 0)
            return false;
        memcpy(out + o, b, take);
        o += take;
    }
    *out_len = o;
    return true;
}
