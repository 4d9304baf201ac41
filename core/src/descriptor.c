/*
 * Descriptor parser (spec §4). Three passes over a private copy:
 *   1. lines: size, line ends, comments, `key: value` syntax, characters,
 *      duplicates, the first entry, and the authentication lines coming last;
 *   2. the required keys;
 *   3. each value's meaning (devid-type first, since others depend on it).
 * The first broken rule stops parsing with "line N: what is wrong".
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

typedef struct parser {
    dmboot_descriptor *d;
    dmboot_error *err;
    size_t last_line;       /* number of the file's last line */
    size_t first_auth_line; /* 0 until an authentication line is seen */
} parser;

#define FAIL(p, line, ...) dmb_fail((p)->err, DMBOOT_ERR_DESCRIPTOR, (line), __VA_ARGS__)

/* ---- characters -------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (not a control character),
 * or 0. C1 controls (U+0080..U+009F) count as control characters. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c >= 0x20 && c < 0x7f)
        return 1;
    if (c < 0xc2 || c > 0xf4)
        return 0; /* control, continuation byte, overlong lead, beyond U+10FFFF */
    size_t len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (n < len)
        return 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c == 0xc2)
        lo = 0xa0; /* U+0080..U+009F are C1 controls */
    else if (c == 0xe0)
        lo = 0xa0; /* overlong */
    else if (c == 0xed)
        hi = 0x9f; /* surrogates */
    else if (c == 0xf0)
        lo = 0x90; /* overlong */
    else if (c == 0xf4)
        hi = 0x8f; /* beyond U+10FFFF */
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/* Offset of the first byte that is not allowed, or len when all are. */
static size_t bad_utf8_text(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k = utf8_char((const unsigned char *)s + i, len - i);
        if (k == 0)
            return i;
        i += k;
    }
    return len;
}

static size_t bad_ascii_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return i;
    return len;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper_hex(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'F');
}

/* ---- pass 1: lines ------------------------------------------------------- */

static const char *const KNOWN_KEYS[] = {
    "dmboot-descriptor", "id",           "issuer",           "not-before",
    "not-after",         "devid-type",   "devid-match",      "kdf",
    "key-id",            "key-check",    "server-id",        "server-name",
    "server-addr",       "auth-pref",    "client-auth-type", "server-auth-type",
    "name",              "client-secret", "server-secret",   "client-nonce",
    "server-nonce",      "mac",          "signature",        NULL};

static bool is_known_key(const char *key)
{
    if (strncmp(key, "x-", 2) == 0 && key[2] != '\0')
        return true;
    for (size_t i = 0; KNOWN_KEYS[i] != NULL; i++)
        if (strcmp(key, KNOWN_KEYS[i]) == 0)
            return true;
    return false;
}

static bool is_auth_key(const char *key)
{
    return strcmp(key, "mac") == 0 || strcmp(key, "signature") == 0;
}

static const dmb_entry *find(const dmboot_descriptor *d, const char *key)
{
    for (size_t i = 0; i < d->entry_count; i++)
        if (strcmp(d->entries[i].key, key) == 0)
            return &d->entries[i];
    return NULL;
}

/* One `key: value` line, already free of LF. Copies key and value into
 * the store (NUL-terminated) and appends an entry. */
static dmboot_status parse_entry(parser *p, const char *s, size_t len, size_t line,
                                 size_t offset, char **store)
{
    dmboot_descriptor *d = p->d;
    size_t k = 0;
    while (k < len && s[k] != ':')
        k++;
    if (k == len)
        return FAIL(p, line, "expected 'key: value' (no ':' found)");
    if (k == 0)
        return FAIL(p, line, "missing key before ':'");
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            return FAIL(p, line, "keys are lowercase: '%.*s'", (int)k, s);
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-'))
            return FAIL(p, line, "key '%.*s' has a character that is not a-z, 0-9 or '-'",
                        (int)(k > 64 ? 64 : k), s);
    }
    if (!(s[0] >= 'a' && s[0] <= 'z'))
        return FAIL(p, line, "key '%.*s' must start with a letter", (int)k, s);
    if (k + 1 == len)
        return FAIL(p, line, "key '%.*s' has no value", (int)k, s);
    if (s[k + 1] != ' ')
        return FAIL(p, line, "expected one space after '%.*s:'", (int)k, s);
    const char *v = s + k + 2;
    size_t vlen = len - k - 2;
    if (vlen == 0)
        return FAIL(p, line, "key '%.*s' has an empty value", (int)k, s);
    if (v[0] == ' ' || v[0] == '\t')
        return FAIL(p, line, "value of '%.*s' has leading space (one space after ':')", (int)k,
                    s);
    if (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')
        return FAIL(p, line, "value of '%.*s' has trailing space", (int)k, s);

    char *key = *store;
    memcpy(key, s, k);
    key[k] = '\0';
    *store += k + 1;
    if (!is_known_key(key))
        return FAIL(p, line, "unknown key '%s' (extension keys start with 'x-')", key);

    bool utf8 = strcmp(key, "issuer") == 0 || strcmp(key, "server-name") == 0;
    size_t bad = utf8 ? bad_utf8_text(v, vlen) : bad_ascii_text(v, vlen);
    if (bad < vlen) {
        unsigned char c = (unsigned char)v[bad];
        if (c < 0x20 || c == 0x7f)
            return FAIL(p, line, "value of '%s' has a control character (0x%02X) at column %zu",
                        key, c, k + 3 + bad);
        if (utf8)
            return FAIL(p, line, "value of '%s' is not valid UTF-8 text at column %zu", key,
                        k + 3 + bad);
        return FAIL(p, line,
                    "value of '%s' must be printable ASCII (byte 0x%02X at column %zu)", key, c,
                    k + 3 + bad);
    }

    const dmb_entry *dup = find(d, key);
    if (dup != NULL)
        return FAIL(p, line, "key '%s' appears twice (first on line %zu)", key, dup->line);
    if (d->entry_count == 0 && strcmp(key, "dmboot-descriptor") != 0)
        return FAIL(p, line, "the first entry must be 'dmboot-descriptor: 1', not '%s'", key);

    if (is_auth_key(key)) {
        if (p->first_auth_line == 0) {
            p->first_auth_line = line;
            d->signed_len = offset;
        } else if (strcmp(key, "mac") == 0) {
            return FAIL(p, line, "'mac' must come before 'signature'");
        }
    } else if (p->first_auth_line != 0) {
        return FAIL(p, line,
                    "only authentication lines (mac, signature) may follow line %zu, the first "
                    "of them",
                    p->first_auth_line);
    }

    char *value = *store;
    memcpy(value, v, vlen);
    value[vlen] = '\0';
    *store += vlen + 1;
    d->entries[d->entry_count++] = (dmb_entry){key, value, line};
    return DMBOOT_OK;
}

static dmboot_status parse_lines(parser *p)
{
    dmboot_descriptor *d = p->d;
    const char *t = d->text;
    size_t len = d->text_len;
    if (len == 0)
        return FAIL(p, 1, "descriptor is empty");
    if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
        return FAIL(p, 1, "the file starts with a byte order mark (UTF-8 without BOM please)");

    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += t[i] == '\n';
    p->last_line = t[len - 1] == '\n' ? lines : lines + 1;
    d->entries = calloc(lines + 1, sizeof *d->entries);
    d->store = malloc(len + 1);
    if (d->entries == NULL || d->store == NULL)
        return dmb_fail(p->err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    char *store = d->store;

    d->signed_len = len;
    size_t line = 0, off = 0;
    while (off < len) {
        line++;
        const char *s = t + off;
        const char *nl = memchr(s, '\n', len - off);
        if (nl == NULL)
            return FAIL(p, line, "missing newline at the end of the file");
        size_t n = (size_t)(nl - s);
        if (n > DMBOOT_LINE_MAX)
            return FAIL(p, line, "line is %zu bytes long; at most %d are allowed", n,
                        DMBOOT_LINE_MAX);
        const char *cr = memchr(s, '\r', n);
        if (cr != NULL)
            return FAIL(p, line, "carriage return found: lines must end with LF only");
        if (n == 0 || s[0] == '#') {
            if (p->first_auth_line != 0)
                return FAIL(p, line,
                            "only authentication lines (mac, signature) may follow line %zu, "
                            "the first of them",
                            p->first_auth_line);
            size_t bad = bad_utf8_text(s, n);
            if (bad < n)
                return FAIL(p, line, "comment has a control character or invalid UTF-8 at "
                                     "column %zu",
                            bad + 1);
        } else {
            dmboot_status st = parse_entry(p, s, n, line, off, &store);
            if (st != DMBOOT_OK)
                return st;
        }
        off += n + 1;
    }
    return DMBOOT_OK;
}

/* ---- pass 2: required keys ----------------------------------------------- */

static dmboot_status check_required(parser *p)
{
    static const char *const required[] = {"dmboot-descriptor", "id", "issuer", "devid-type",
                                           "devid-match", "server-id", "server-addr", NULL};
    size_t line = p->first_auth_line ? p->first_auth_line : p->last_line;
    for (size_t i = 0; required[i] != NULL; i++)
        if (find(p->d, required[i]) == NULL)
            return FAIL(p, line, "missing required key '%s'", required[i]);
    return DMBOOT_OK;
}

/* ---- pass 3: values ------------------------------------------------------ */

/* N: 1..255, decimal, no leading zeros. Returns false if not. */
static bool parse_count(const char *s, size_t len, size_t *n)
{
    if (len == 0 || len > 3 || s[0] == '0')
        return false;
    size_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    if (v < 1 || v > 255)
        return false;
    *n = v;
    return true;
}

static dmboot_status parse_dates(parser *p)
{
    dmboot_descriptor *d = p->d;
    const dmb_entry *nb = find(d, "not-before"), *na = find(d, "not-after");
    int64_t start;
    d->not_before = INT64_MIN;
    d->not_after = INT64_MAX;
    if (nb != NULL) {
        if (!dmb_date_parse(nb->value, strlen(nb->value), &start))
            return FAIL(p, nb->line, "not-before '%s' is not a date YYYY-MM-DD", nb->value);
        d->not_before = start;
    }
    if (na != NULL) {
        if (!dmb_date_parse(na->value, strlen(na->value), &start))
            return FAIL(p, na->line, "not-after '%s' is not a date YYYY-MM-DD", na->value);
        d->not_after = start + 86399; /* to the end of that day */
    }
    if (nb != NULL && na != NULL && d->not_after < d->not_before)
        return FAIL(p, na->line, "not-after %s is before not-before %s", na->value, nb->value);
    return DMBOOT_OK;
}

/* Can `s` (len chars, before any '*') begin a normalized DevID of type t? */
static bool is_devid_prefix(dmb_devid_type t, const char *s, size_t len)
{
    if (t == DMB_DEVID_OPAQUE) {
        if (len > DMBOOT_DEVID_MAX)
            return false;
        for (size_t i = 0; i < len; i++)
            if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '*')
                return false;
        return true;
    }
    static const char *const prefix[] = {"IMEI:", "MEID:", "ESN:"};
    static const size_t digits[] = {15, 14, 8};
    size_t pl = strlen(prefix[t]);
    if (len > pl + digits[t])
        return false;
    for (size_t i = 0; i < len; i++) {
        if (i < pl ? s[i] != prefix[t][i]
                   : !(t == DMB_DEVID_IMEI ? is_digit(s[i]) : is_upper_hex(s[i])))
            return false;
    }
    return true;
}

static dmboot_status parse_match(parser *p)
{
    dmboot_descriptor *d = p->d;
    const dmb_entry *e = find(d, "devid-match");
    const char *v = e->value;
    size_t count = 1;
    for (const char *c = v; *c; c++)
        count += *c == ' ';
    d->patterns = calloc(count, sizeof *d->patterns);
    if (d->patterns == NULL)
        return dmb_fail(p->err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    static const char *const shape[] = {"IMEI: and up to 15 digits", "MEID: and up to 14 "
                                        "uppercase hex digits", "ESN: and up to 8 uppercase hex "
                                        "digits", "printable ASCII"};
    const char *s = v;
    while (*s != '\0') {
        const char *end = strchr(s, ' ');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n == 0)
            return FAIL(p, e->line, "devid-match patterns are separated by one space");
        bool prefix = s[n - 1] == '*';
        size_t fixed = prefix ? n - 1 : n;
        if (!is_devid_prefix(d->devid_type, s, fixed))
            return FAIL(p, e->line,
                        "devid-match pattern '%.*s' is not a normalized %s DevID or a prefix "
                        "of one ending in '*' (expected %s)",
                        (int)n, s, dmb_devid_type_name(d->devid_type), shape[d->devid_type]);
        if (!prefix) {
            size_t full = dmb_devid_prefix_len(d->devid_type) +
                          (d->devid_type == DMB_DEVID_IMEI   ? 15
                           : d->devid_type == DMB_DEVID_MEID ? 14
                           : d->devid_type == DMB_DEVID_ESN  ? 8
                                                             : fixed);
            if (fixed != full || fixed == 0)
                return FAIL(p, e->line,
                            "devid-match pattern '%.*s' is incomplete: end a prefix with '*'",
                            (int)n, s);
            if (d->devid_type == DMB_DEVID_IMEI && !dmb_imei_check_digit_ok(s + 5))
                return FAIL(p, e->line, "devid-match IMEI '%.*s' has a wrong check digit",
                            (int)n, s);
        }
        d->patterns[d->pattern_count++] = (dmb_pattern){s, fixed, prefix};
        s += n;
        if (*s == ' ') {
            s++;
            if (*s == '\0' || *s == ' ')
                return FAIL(p, e->line, "devid-match patterns are separated by one space");
        }
    }
    return DMBOOT_OK;
}

static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* floor(log2(m^n)) when m^n < 2^64, else 64 or more: the entropy check
 * without floating point. */
static unsigned entropy_bits(size_t m, size_t n)
{
    uint64_t acc = 1;
    for (size_t i = 0; i < n; i++) {
        if (acc > UINT64_MAX / m)
            return 64;
        acc *= m;
    }
    unsigned bits = 0;
    while (acc > 1) {
        acc >>= 1;
        bits++;
    }
    return bits;
}

static dmboot_status parse_template(parser *p, const dmb_entry *e, dmb_rule *r)
{
    const char *t = e->value + 9; /* after "template " */
    size_t literal = 0, full = 0, value = 0;
    for (const char *c = t; *c != '\0';) {
        if (strncmp(c, "{devid}", 7) == 0) {
            full++;
            c += 7;
        } else if (strncmp(c, "{devid-value}", 13) == 0) {
            value++;
            c += 13;
        } else if (*c == '{' || *c == '}') {
            return FAIL(p, e->line,
                        "%s template has '%c' that is not part of {devid} or {devid-value}",
                        e->key, *c);
        } else {
            literal++;
            c++;
        }
    }
    /* the longest normalized DevID of each type, and its prefix */
    static const size_t longest[] = {20, 19, 12, DMBOOT_DEVID_MAX};
    size_t dev = longest[p->d->devid_type];
    size_t max = literal + full * dev + value * (dev - dmb_devid_prefix_len(p->d->devid_type));
    if (max > DMBOOT_VALUE_MAX)
        return FAIL(p, e->line,
                    "%s template can expand to %zu bytes with a %s DevID; at most %d are "
                    "allowed",
                    e->key, max, dmb_devid_type_name(p->d->devid_type), DMBOOT_VALUE_MAX);
    r->kind = DMB_RULE_TEMPLATE;
    r->template_ = t;
    return DMBOOT_OK;
}

static dmboot_status parse_alphabet(parser *p, const dmb_entry *e, const char *a, dmb_rule *r)
{
    const char *chars = NULL;
    if (strcmp(a, "digits") == 0)
        chars = "0123456789";
    else if (strcmp(a, "alnum") == 0)
        chars = ALNUM;
    else if (strncmp(a, "alphabet ", 9) == 0)
        chars = a + 9;
    else
        return FAIL(p, e->line,
                    "%s: unknown alphabet '%s' (digits, alnum or alphabet CHARS)", e->key, a);
    size_t m = strlen(chars);
    if (m < 2 || m > 94)
        return FAIL(p, e->line, "%s: an alphabet has 2 to 94 symbols, not %zu", e->key, m);
    bool seen[128] = {false};
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)chars[i];
        if (c < 0x21 || c > 0x7e)
            return FAIL(p, e->line, "%s: alphabet symbols are printable ASCII without space",
                        e->key);
        if (seen[c])
            return FAIL(p, e->line, "%s: alphabet has '%c' twice", e->key, c);
        seen[c] = true;
    }
    memcpy(r->alphabet, chars, m + 1);
    r->alphabet_len = m;
    return DMBOOT_OK;
}

/* "derive bytes N [enc]" or "derive chars N alphabet". */
static dmboot_status parse_derive(parser *p, const dmb_entry *e, dmb_rule *r)
{
    const char *s = e->value + 7; /* after "derive " */
    bool bytes = strncmp(s, "bytes ", 6) == 0;
    if (!bytes && strncmp(s, "chars ", 6) != 0)
        return FAIL(p, e->line, "%s: expected 'derive bytes N' or 'derive chars N'", e->key);
    s += 6;
    const char *sp = strchr(s, ' ');
    size_t nlen = sp ? (size_t)(sp - s) : strlen(s);
    if (!parse_count(s, nlen, &r->count))
        return FAIL(p, e->line, "%s: count '%.*s' must be a number from 1 to 255", e->key,
                    (int)(nlen > 16 ? 16 : nlen), s);
    const char *rest = sp ? sp + 1 : NULL;
    if (bytes) {
        r->kind = DMB_RULE_BYTES;
        if (rest == NULL)
            r->encoding = DMB_ENC_RAW;
        else if (strcmp(rest, "hex") == 0)
            r->encoding = DMB_ENC_HEX;
        else if (strcmp(rest, "base64") == 0)
            r->encoding = DMB_ENC_BASE64;
        else if (strcmp(rest, "base64url") == 0)
            r->encoding = DMB_ENC_BASE64URL;
        else
            return FAIL(p, e->line, "%s: unknown encoding '%s' (hex, base64 or base64url)",
                        e->key, rest);
        return DMBOOT_OK;
    }
    r->kind = DMB_RULE_CHARS;
    if (rest == NULL)
        return FAIL(p, e->line, "%s: 'derive chars N' needs an alphabet (digits, alnum or "
                                "alphabet CHARS)",
                    e->key);
    return parse_alphabet(p, e, rest, r);
}

static dmboot_status parse_rule(parser *p, const char *key, dmb_rule *r)
{
    const dmb_entry *e = find(p->d, key);
    memset(r, 0, sizeof *r);
    if (e == NULL)
        return DMBOOT_OK; /* absent field */
    const char *v = e->value;
    bool nonce = strcmp(key, "client-nonce") == 0 || strcmp(key, "server-nonce") == 0;
    bool secret = strcmp(key, "client-secret") == 0 || strcmp(key, "server-secret") == 0;
    dmboot_status st = DMBOOT_OK;
    if (strcmp(v, "devid") == 0)
        r->kind = DMB_RULE_DEVID;
    else if (strncmp(v, "template ", 9) == 0)
        st = parse_template(p, e, r);
    else if (strncmp(v, "derive ", 7) == 0)
        st = parse_derive(p, e, r);
    else
        return FAIL(p, e->line,
                    "%s: unknown rule '%.40s' (devid, template T, derive bytes N [ENC], "
                    "derive chars N ALPHABET)",
                    key, v);
    if (st != DMBOOT_OK)
        return st;
    bool raw = r->kind == DMB_RULE_BYTES && r->encoding == DMB_ENC_RAW;
    if (nonce && !raw)
        return FAIL(p, e->line, "%s: nonces are binary: use 'derive bytes N' without an "
                                "encoding",
                    key);
    if (!nonce && raw)
        return FAIL(p, e->line, "%s: 'derive bytes N' needs an encoding here (hex, base64 or "
                                "base64url); only nonces are raw bytes",
                    key);
    if (secret) {
        unsigned bits = r->kind == DMB_RULE_BYTES   ? (r->count >= 8 ? 64 : (unsigned)(8 * r->count))
                        : r->kind == DMB_RULE_CHARS ? entropy_bits(r->alphabet_len, r->count)
                                                    : 0;
        if (bits < 64)
            return FAIL(p, e->line,
                        "%s has %s%u bits of entropy; at least 64 are required (a secret must "
                        "be derived)",
                        key, r->kind == DMB_RULE_CHARS ? "about " : "", bits);
    }
    return DMBOOT_OK;
}

static dmboot_status parse_auth_value(parser *p, const char *key, const char *alg,
                                      uint8_t *out, size_t want, bool *has)
{
    const dmb_entry *e = find(p->d, key);
    if (e == NULL)
        return DMBOOT_OK;
    size_t al = strlen(alg), n = 0;
    if (strncmp(e->value, alg, al) != 0 || e->value[al] != ' ')
        return FAIL(p, e->line, "%s must be '%s' and the base64 of %zu bytes", key, alg, want);
    const char *b = e->value + al + 1;
    if (!dmb_base64_decode(b, strlen(b), out, want, &n) || n != want)
        return FAIL(p, e->line, "%s value is not the canonical base64 of %zu bytes", key, want);
    *has = true;
    return DMBOOT_OK;
}

static bool one_of(const char *v, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++)
        if (strcmp(v, set[i]) == 0)
            return true;
    return false;
}

/* server-addr's authority: a host (or [IPv6]) and an optional port
 * 1..65535; no user info. The DM account's PortNbr comes from here. */
static dmboot_status check_authority(parser *p, const dmb_entry *e, const char *host)
{
    size_t n = strcspn(host, "/?#");
    const char *end = host + n, *colon = NULL;
    if (memchr(host, '@', n) != NULL)
        return FAIL(p, e->line, "server-addr must not hold a user name or password ('@')");
    if (host[0] == '[') {
        const char *close = memchr(host, ']', n);
        if (close == NULL || close == host + 1)
            return FAIL(p, e->line, "server-addr has a malformed [IPv6] host");
        if (close + 1 < end && close[1] != ':')
            return FAIL(p, e->line, "server-addr has characters after the [IPv6] host");
        colon = close + 1 < end ? close + 1 : NULL;
    } else {
        colon = memchr(host, ':', n);
        if (n == 0 || colon == host)
            return FAIL(p, e->line, "server-addr '%.64s' has no host", e->value);
    }
    size_t digits = colon ? (size_t)(end - colon - 1) : 0;
    if (digits == 0)
        return DMBOOT_OK; /* "host" or "host:": the scheme's port (RFC 3986 §3.2.3) */
    unsigned long port = 0;
    bool ok = digits <= 5;
    for (const char *c = colon + 1; ok && c < end; c++) {
        ok = is_digit(*c);
        port = port * 10 + (unsigned long)(*c - '0');
    }
    if (!ok || port < 1 || port > 65535)
        return FAIL(p, e->line, "server-addr port '%.*s' must be a number from 1 to 65535",
                    (int)(digits > 16 ? 16 : digits), colon + 1);
    return DMBOOT_OK;
}

static dmboot_status parse_simple_values(parser *p)
{
    dmboot_descriptor *d = p->d;
    static const char *const auth_types[] = {"BASIC", "DIGEST", "HMAC", NULL};
    static const char *const kdfs[] = {"hkdf-sha256", "kbkdf-hmac-sha256", NULL};
    for (size_t i = 0; i < d->entry_count; i++) {
        const dmb_entry *e = &d->entries[i];
        const char *k = e->key, *v = e->value;
        size_t n = strlen(v);
        if (strcmp(k, "dmboot-descriptor") == 0) {
            if (strcmp(v, "1") != 0)
                return FAIL(p, e->line, "unsupported descriptor version '%s' (this is 1)", v);
        } else if (strcmp(k, "id") == 0) {
            if (n > 64)
                return FAIL(p, e->line, "id is %zu characters long; at most 64", n);
            for (size_t j = 0; j < n; j++)
                if (!((v[j] >= 'a' && v[j] <= 'z') || (v[j] >= 'A' && v[j] <= 'Z') ||
                      is_digit(v[j]) || v[j] == '.' || v[j] == '_' || v[j] == '-'))
                    return FAIL(p, e->line, "id '%s' may only hold A-Z a-z 0-9 . _ -", v);
            d->id = v;
        } else if (strcmp(k, "kdf") == 0) {
            if (!one_of(v, kdfs))
                return FAIL(p, e->line,
                            "unknown kdf '%s' (hkdf-sha256 or kbkdf-hmac-sha256)", v);
            d->kdf = strcmp(v, "hkdf-sha256") == 0 ? DMBOOT_KDF_HKDF_SHA256
                                                   : DMBOOT_KDF_KBKDF_HMAC_SHA256;
        } else if (strcmp(k, "key-check") == 0) {
            bool ok = n == 8;
            for (size_t j = 0; ok && j < n; j++)
                ok = is_digit(v[j]) || (v[j] >= 'a' && v[j] <= 'f');
            if (!ok)
                return FAIL(p, e->line, "key-check '%s' must be 8 lowercase hex digits", v);
            memcpy(d->key_check, v, 9);
            d->has_key_check = true;
        } else if (strcmp(k, "server-id") == 0) {
            if (strchr(v, ' ') != NULL)
                return FAIL(p, e->line, "server-id must not contain spaces");
            d->server_id = v;
        } else if (strcmp(k, "server-addr") == 0) {
            const char *host = strncmp(v, "https://", 8) == 0  ? v + 8
                               : strncmp(v, "http://", 7) == 0 ? v + 7
                                                               : NULL;
            if (host == NULL)
                return FAIL(p, e->line, "server-addr '%.64s' must start with http:// or https://",
                            v);
            if (strchr(v, ' ') != NULL)
                return FAIL(p, e->line, "server-addr must not contain spaces");
            dmboot_status st = check_authority(p, e, host);
            if (st != DMBOOT_OK)
                return st;
        } else if (strcmp(k, "auth-pref") == 0 || strcmp(k, "client-auth-type") == 0 ||
                   strcmp(k, "server-auth-type") == 0) {
            if (!one_of(v, auth_types))
                return FAIL(p, e->line, "%s '%s' must be BASIC, DIGEST or HMAC", k, v);
        }
    }
    return DMBOOT_OK;
}

static dmboot_status parse_values(parser *p)
{
    dmboot_descriptor *d = p->d;
    const dmb_entry *t = find(d, "devid-type");
    if (!dmb_devid_type_parse(t->value, &d->devid_type))
        return FAIL(p, t->line, "unknown devid-type '%s' (imei, meid, esn or opaque)",
                    t->value);
    d->kdf = DMBOOT_KDF_HKDF_SHA256;
    static const char *const fields[DMB_RULES] = {"name", "client-secret", "server-secret",
                                                  "client-nonce", "server-nonce"};
    dmboot_status st = parse_simple_values(p);
    if (st == DMBOOT_OK)
        st = parse_dates(p);
    if (st == DMBOOT_OK)
        st = parse_match(p);
    for (int i = 0; st == DMBOOT_OK && i < DMB_RULES; i++)
        st = parse_rule(p, fields[i], &d->rules[i]);
    if (st == DMBOOT_OK)
        st = parse_auth_value(p, "mac", "hmac-sha256", d->mac, DMB_MAC_LEN, &d->has_mac);
    if (st == DMBOOT_OK)
        st = parse_auth_value(p, "signature", "ed25519", d->signature, DMB_SIG_LEN,
                              &d->has_signature);
    return st;
}

/* ---- public ---------------------------------------------------------------- */

void dmboot_descriptor_free(dmboot_descriptor *d)
{
    if (d == NULL)
        return;
    if (d->text != NULL)
        OPENSSL_clear_free(d->text, d->text_len + 1);
    if (d->store != NULL)
        OPENSSL_clear_free(d->store, d->text_len + 1);
    free(d->entries);
    free(d->patterns);
    OPENSSL_clear_free(d, sizeof *d);
}

dmboot_status dmboot_descriptor_parse(const char *text, size_t text_len,
                                      dmboot_descriptor **out, dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    if (text_len > DMBOOT_DESCRIPTOR_MAX)
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "descriptor is %zu bytes; at most %d (64 KiB) are allowed", text_len,
                        DMBOOT_DESCRIPTOR_MAX);
    dmboot_descriptor *d = OPENSSL_zalloc(sizeof *d);
    if (d == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    d->text = malloc(text_len + 1);
    if (d->text == NULL) {
        OPENSSL_free(d);
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    }
    if (text_len > 0)
        memcpy(d->text, text, text_len);
    d->text[text_len] = '\0';
    d->text_len = text_len;

    parser p = {d, err, 0, 0};
    dmboot_status st = parse_lines(&p);
    if (st == DMBOOT_OK)
        st = check_required(&p);
    if (st == DMBOOT_OK)
        st = parse_values(&p);
    if (st != DMBOOT_OK) {
        dmboot_descriptor_free(d);
        return st;
    }
    *out = d;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_descriptor_load(const char *path, dmboot_descriptor **out,
                                     dmboot_error *err)
{
    if (path == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    char *buf = NULL;
    size_t len = 0;
    dmboot_status st = dmb_read_file(path, DMBOOT_DESCRIPTOR_MAX, &buf, &len, err);
    if (st == DMBOOT_ERR_IO && err != NULL && strstr(err->message, "larger than") != NULL)
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "%s: descriptor is larger than 64 KiB (%d bytes)", path,
                        DMBOOT_DESCRIPTOR_MAX);
    if (st != DMBOOT_OK)
        return st;
    st = dmboot_descriptor_parse(buf, len, out, err);
    free(buf);
    return st;
}

const char *dmboot_descriptor_get(const dmboot_descriptor *d, const char *key)
{
    if (d == NULL || key == NULL)
        return NULL;
    const dmb_entry *e = find(d, key);
    return e ? e->value : NULL;
}

size_t dmboot_descriptor_count(const dmboot_descriptor *d)
{
    return d ? d->entry_count : 0;
}

dmboot_status dmboot_descriptor_entry(const dmboot_descriptor *d, size_t i, const char **key,
                                      const char **value)
{
    if (d == NULL || i >= d->entry_count)
        return DMBOOT_ERR_INVALID_ARGUMENT;
    if (key != NULL)
        *key = d->entries[i].key;
    if (value != NULL)
        *value = d->entries[i].value;
    return DMBOOT_OK;
}

const char *dmboot_descriptor_text(const dmboot_descriptor *d, size_t *text_len)
{
    if (d == NULL)
        return NULL;
    if (text_len != NULL)
        *text_len = d->text_len;
    return d->text;
}

size_t dmboot_descriptor_signed_length(const dmboot_descriptor *d)
{
    return d ? d->signed_len : 0;
}

bool dmb_descriptor_covers(const dmboot_descriptor *d, const char *devid, size_t len)
{
    for (size_t i = 0; i < d->pattern_count; i++) {
        const dmb_pattern *pt = &d->patterns[i];
        if (pt->prefix ? len >= pt->len && memcmp(devid, pt->text, pt->len) == 0
                       : len == pt->len && memcmp(devid, pt->text, len) == 0)
            return true;
    }
    return false;
}

dmboot_status dmboot_descriptor_match(const dmboot_descriptor *d, const char *devid,
                                      size_t devid_len, char *out, size_t out_cap,
                                      size_t *out_len, dmboot_error *err)
{
    if (d == NULL || (devid == NULL && devid_len != 0) || (out != NULL && out_len == NULL))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    char buf[DMBOOT_DEVID_MAX + 1];
    size_t n = 0;
    dmboot_status st = dmb_devid_normalize(d->devid_type, devid, devid_len, buf, &n, err);
    if (st != DMBOOT_OK)
        return st;
    if (!dmb_descriptor_covers(d, buf, n))
        return dmb_fail(err, DMBOOT_ERR_NOT_COVERED, 0,
                        "DevID %s is not covered by devid-match of descriptor '%s'", buf, d->id);
    if (out != NULL) {
        *out_len = n;
        if (n + 1 > out_cap)
            return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0, "the DevID needs %zu bytes",
                            n + 1);
        memcpy(out, buf, n + 1);
    }
    dmb_ok(err);
    return DMBOOT_OK;
}
