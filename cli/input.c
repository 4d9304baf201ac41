/* Small input helpers of the OMA DM commands: newline stripping, base64 arguments. */
#include <string.h>

#include "cli.h"
#include "common/common.h" /* dmb_base64_decode */

size_t cli_strip_newline(const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\n') {
        len--;
        if (len > 0 && s[len - 1] == '\r')
            len--;
    }
    return len;
}

/* The core's strict decoder: one base64 implementation in the project. */
bool cli_base64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
    return dmb_base64_decode(in, strlen(in), out, cap, out_len);
}
