/* DevID normalization (spec §3): what a person typed -> the bytes derived on. */
#include <stdio.h>
#include <string.h>

#include "derive/derive.h"

static const char *const TYPE_NAMES[] = {"imei", "meid", "esn", "opaque"};
static const char *const PREFIXES[] = {"IMEI:", "MEID:", "ESN:", ""};

bool dmb_devid_type_parse(const char *name, dmb_devid_type *out)
{
    for (int t = 0; t < 4; t++) {
        if (name != NULL && strcmp(name, TYPE_NAMES[t]) == 0) {
            *out = (dmb_devid_type)t;
            return true;
        }
    }
    return false;
}

const char *dmb_devid_type_name(dmb_devid_type t)
{
    return (unsigned)t < 4 ? TYPE_NAMES[t] : "?";
}

const char *dmb_devid_prefix(dmb_devid_type t)
{
    return (unsigned)t < 4 ? PREFIXES[t] : "";
}

size_t dmb_devid_prefix_len(dmb_devid_type t)
{
    return strlen(dmb_devid_prefix(t));
}

const char *dmb_show_char(unsigned char c, char buf[8])
{
    if (c >= 0x21 && c <= 0x7e)
        snprintf(buf, 8, "'%c'", c);
    else if (c == ' ')
        snprintf(buf, 8, "space");
    else
        snprintf(buf, 8, "\\x%02X", c);
    return buf;
}

static bool has_prefix_nocase(const char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != prefix[i])
            return false;
    }
    return true;
}

/* Luhn check digit of 14 digits: double every second digit from the right,
 * starting with the one left of the check digit. */
int dmb_imei_check_digit(const char *d14)
{
    int sum = 0;
    for (int k = 0; k < 14; k++) {
        int v = d14[13 - k] - '0';
        if (k % 2 == 0) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return (10 - sum % 10) % 10;
}

bool dmb_imei_check_digit_ok(const char *d15)
{
    return d15[14] - '0' == dmb_imei_check_digit(d15);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static dmboot_status normalize_imei(const char *in, size_t len, char *out, size_t *out_len,
                                    dmboot_error *err)
{
    size_t start = 0, end = len;
    while (start < end && is_blank(in[start]))
        start++;
    while (end > start && is_blank(in[end - 1]))
        end--;
    if (start == end)
        return dmb_fail(err, DMBOOT_ERR_DEVID, 0, "DevID is empty");
    size_t i = start;
    bool prefixed = has_prefix_nocase(in + i, end - i, "IMEI:");
    if (prefixed)
        i += 5;
    char digits[16];
    size_t n = 0;
    char cb[8];
    for (size_t j = i; j < end; j++) {
        char c = in[j];
        if (c >= '0' && c <= '9') {
            if (n < 15)
                digits[n] = c;
            n++;
        } else if (c == '-' || c == ' ') {
            if (j == start)
                return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                                "IMEI starts with a separator at position %zu", j + 1);
            if (j == end - 1)
                return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                                "IMEI ends with a separator at position %zu", j + 1);
        } else {
            return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                            "character %s at position %zu is not allowed in an IMEI "
                            "(digits with '-' or space separators, optional IMEI: prefix)",
                            dmb_show_char((unsigned char)c, cb), j + 1);
        }
    }
    if (n != 15)
        return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                        "IMEI has %zu digit%s; expected 15 (with its check digit)", n,
                        n == 1 ? "" : "s");
    int want = dmb_imei_check_digit(digits);
    if (digits[14] - '0' != want)
        return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                        "IMEI check digit is %c; expected %d (Luhn) for %.14s", digits[14],
                        want, digits);
    memcpy(out, "IMEI:", 5);
    memcpy(out + 5, digits, 15);
    out[20] = '\0';
    *out_len = 20;
    return DMBOOT_OK;
}

/* MEID (14 hex digits) and ESN (8): optional prefix, any case. */
static dmboot_status normalize_hex(const char *in, size_t len, const char *label,
                                   const char *prefix, size_t want, char *out, size_t *out_len,
                                   dmboot_error *err)
{
    if (len == 0)
        return dmb_fail(err, DMBOOT_ERR_DEVID, 0, "DevID is empty");
    size_t i = has_prefix_nocase(in, len, prefix) ? strlen(prefix) : 0;
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    char cb[8];
    for (size_t j = i; j < len; j++) {
        char c = in[j];
        if (c >= 'a' && c <= 'f')
            c = (char)(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
            return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                            "character %s at position %zu is not a hex digit (an %s is %zu hex "
                            "digits, optional %s prefix)",
                            dmb_show_char((unsigned char)in[j], cb), j + 1, label, want, prefix);
        if (j - i < want)
            out[p + j - i] = c;
    }
    if (len - i != want)
        return dmb_fail(err, DMBOOT_ERR_DEVID, 0, "%s must have %zu hex digits, found %zu",
                        label, want, len - i);
    out[p + want] = '\0';
    *out_len = p + want;
    return DMBOOT_OK;
}

static dmboot_status check_opaque(const char *in, size_t len, char *out, size_t *out_len,
                                  dmboot_error *err)
{
    if (len == 0)
        return dmb_fail(err, DMBOOT_ERR_DEVID, 0, "DevID is empty");
    if (len > DMBOOT_DEVID_MAX)
        return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                        "opaque DevID is longer than %d characters (%zu)", DMBOOT_DEVID_MAX,
                        len);
    char cb[8];
    for (size_t j = 0; j < len; j++) {
        unsigned char c = (unsigned char)in[j];
        if (c == ' ')
            return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                            "opaque DevID contains a space at position %zu", j + 1);
        if (c < 0x21 || c > 0x7e)
            return dmb_fail(err, DMBOOT_ERR_DEVID, 0,
                            "character %s at position %zu is not printable ASCII",
                            dmb_show_char(c, cb), j + 1);
    }
    memcpy(out, in, len);
    out[len] = '\0';
    *out_len = len;
    return DMBOOT_OK;
}

dmboot_status dmb_devid_normalize(dmb_devid_type type, const char *in, size_t len,
                                  char out[DMBOOT_DEVID_MAX + 1], size_t *out_len,
                                  dmboot_error *err)
{
    switch (type) {
    case DMB_DEVID_IMEI: return normalize_imei(in, len, out, out_len, err);
    case DMB_DEVID_MEID: return normalize_hex(in, len, "MEID", "MEID:", 14, out, out_len, err);
    case DMB_DEVID_ESN: return normalize_hex(in, len, "ESN", "ESN:", 8, out, out_len, err);
    case DMB_DEVID_OPAQUE: return check_opaque(in, len, out, out_len, err);
    }
    return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown DevID type");
}

dmboot_status dmboot_devid_normalize(const char *type, const char *text, size_t text_len,
                                     char *out, size_t out_cap, size_t *out_len,
                                     dmboot_error *err)
{
    if (type == NULL || (text == NULL && text_len != 0) || out_len == NULL ||
        (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    dmb_devid_type t;
    if (!dmb_devid_type_parse(type, &t))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "unknown DevID type '%.32s' (imei, meid, esn or opaque)", type);
    char buf[DMBOOT_DEVID_MAX + 1];
    size_t n = 0;
    dmboot_status st = dmb_devid_normalize(t, text, text_len, buf, &n, err);
    if (st != DMBOOT_OK)
        return st;
    *out_len = n;
    if (n + 1 > out_cap)
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0, "the DevID needs %zu bytes", n + 1);
    memcpy(out, buf, n + 1);
    dmb_ok(err);
    return DMBOOT_OK;
}
