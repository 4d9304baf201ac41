/* Turning a field stream into a value: "derive bytes" and "derive chars". */
#include <string.h>

#include "derive/derive.h"

dmboot_status dmb_encode_field(const dmb_rule *rule, const uint8_t *stream,
                               size_t stream_len, uint8_t *out, size_t out_cap,
                               size_t *out_len, size_t *used)
{
    size_t n = rule->count;
    if (rule->kind == DMB_RULE_BYTES) {
        if (stream_len < n)
            return DMBOOT_ERR_BUFFER_TOO_SMALL;
        size_t need;
        switch (rule->encoding) {
        case DMB_ENC_RAW: need = n; break;
        case DMB_ENC_HEX: need = 2 * n; break;
        case DMB_ENC_BASE64: need = dmb_base64_len(n, false); break;
        case DMB_ENC_BASE64URL: need = dmb_base64_len(n, true); break;
        default: return DMBOOT_ERR_INVALID_ARGUMENT;
        }
        if (need + 1 > out_cap)
            return DMBOOT_ERR_INVALID_ARGUMENT; /* the parser bounds N */
        switch (rule->encoding) {
        case DMB_ENC_RAW:
            memcpy(out, stream, n);
            out[n] = 0;
            break;
        case DMB_ENC_HEX: dmb_hex_encode(stream, n, (char *)out); break;
        case DMB_ENC_BASE64: dmb_base64_encode(stream, n, false, (char *)out); break;
        case DMB_ENC_BASE64URL: dmb_base64_encode(stream, n, true, (char *)out); break;
        }
        *out_len = need;
        *used = n;
        return DMBOOT_OK;
    }
    if (rule->kind == DMB_RULE_CHARS) {
        size_t m = rule->alphabet_len;
        if (m < 2 || m > 94 || n + 1 > out_cap)
            return DMBOOT_ERR_INVALID_ARGUMENT;
        /* Keep b only below the largest multiple of m: unbiased b mod m. */
        unsigned limit = 256u - 256u % (unsigned)m;
        size_t k = 0, i = 0;
        for (; i < stream_len && k < n; i++)
            if (stream[i] < limit)
                out[k++] = (uint8_t)rule->alphabet[stream[i] % m];
        if (k < n)
            return DMBOOT_ERR_BUFFER_TOO_SMALL;
        out[n] = 0;
        *out_len = n;
        *used = i;
        return DMBOOT_OK;
    }
    return DMBOOT_ERR_INVALID_ARGUMENT;
}
