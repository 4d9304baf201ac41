/* Small input helpers of the OMA DM commands: newline stripping, base64 arguments. */
#include <string.h>

#include "cli.h"

size_t cli_strip_newline(const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\n') {
        len--;
        if (len > 0 && s[len - 1] == '\r')
            len--;
    }
    return len;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

bool cli_base64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 != 0)
        return false;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t w = 0;
        size_t pad = 0;
        for (size_t j = 0; j < 4; j++) {
            char c = in[i + j];
            int v = b64_value(c);
            if (c == '=' && i + 4 == n && j >= 2 && (j == 3 || in[i + 3] == '=')) {
                pad++;
                v = 0;
            } else if (v < 0 || pad > 0) {
                return false;
            }
            w = w << 6 | (uint32_t)v;
        }
        uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        /* canonical: the bits under the padding are zero */
        if ((pad == 1 && b[2] != 0) || (pad == 2 && (b[1] != 0 || b[2] != 0)))
            return false;
        if (o + 3 - pad > cap)
            return false;
        memcpy(out + o, b, 3 - pad);
        o += 3 - pad;
    }
    *out_len = o;
    return true;
}
