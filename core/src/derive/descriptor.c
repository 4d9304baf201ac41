/*
 * Descriptor parser (spec §4). Three passes over a private copy:
 *   1. lines, in file order: size, line ends, comments, `key: value` syntax,
 *      characters, duplicates, the first entry, and the authentication lines
 *      coming last;
 *   2. the required keys;
 *   3. each value's meaning, in file order (devid-type is read first, since
 *      devid-match and templates depend on it).
 * The first broken rule stops parsing with "line N: what is wrong". Messages
 * only ever quote bytes that were checked to be printable ASCII, or escape
 * them, so a message is always safe to print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "derive/derive.h"

typedef struct parser {
    dmboot_descriptor *d;
    dmboot_error *err;
    size_t last_line;       /* number of the file's last line */
    size_t first_auth_line; /* 0 until an authentication line is seen */
    size_t *seen;           /* keys seen so far: open addressing, entry index + 1 */
    size_t seen_mask;       /* capacity - 1 (a power of two) */
    const dmb_entry *not_before, *not_after; /* once their values are read */
} parser;

#define FAIL(p, line, ...) dmb_fail((p)->err, DMBOOT_ERR_DESCRIPTOR, (line), __VA_ARGS__)

static dmboot_status no_memory(parser *p)
{
    return dmb_fail(p->err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
}

/* ---- characters -------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_upper_hex(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'F');
}

static bool is_hex(char c)
{
    return is_upper_hex(c) || (c >= 'a' && c <= 'f');
}

/* Length of the well-formed UTF-8 sequence at s that is not a control
 * character, or 0. C1 controls (U+0080..U+009F) count as control characters. */
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

/* The code point of a well-formed sequence of k bytes (utf8_char). */
static uint32_t utf8_code_point(const unsigned char *s, size_t k)
{
    if (k == 1)
        return s[0];
    uint32_t cp = s[0] & (k == 2 ? 0x1fu : k == 3 ? 0x0fu : 0x07u);
    for (size_t i = 1; i < k; i++)
        cp = (cp << 6) | (s[i] & 0x3fu);
    return cp;
}

/* The 66 Unicode noncharacters: U+FDD0..U+FDEF and the last two code
 * points of every plane. U+FFFE and U+FFFF are not XML characters at all
 * (a TNDS or w7 document holding one is not well-formed); none of them is
 * text a person writes. */
static bool is_noncharacter(uint32_t cp)
{
    return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

/* Offset of the first byte that is not allowed, or len when all are. */
static size_t bad_utf8_text(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const unsigned char *u = (const unsigned char *)s + i;
        size_t k = utf8_char(u, len - i);
        if (k == 0 || is_noncharacter(utf8_code_point(u, k)))
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

/* What is wrong at s[0] (the first byte text may not hold), for a message:
 * a C0/DEL or C1 control character, or invalid UTF-8 / non-ASCII. */
static void describe_bad_byte(const char *s, size_t n, bool utf8, char *out, size_t cap)
{
    unsigned char c = (unsigned char)s[0];
    size_t k;
    if (c < 0x20 || c == 0x7f)
        snprintf(out, cap, "a control character (0x%02X)", c);
    else if (c == 0xc2 && n > 1 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f)
        snprintf(out, cap, "a control character (U+%04X)", (unsigned)(unsigned char)s[1]);
    else if (utf8 && (k = utf8_char((const unsigned char *)s, n)) > 0)
        snprintf(out, cap, "a Unicode noncharacter (U+%04X), which XML cannot carry",
                 (unsigned)utf8_code_point((const unsigned char *)s, k));
    else if (utf8)
        snprintf(out, cap, "bytes that are not valid UTF-8 (0x%02X)", c);
    else
        snprintf(out, cap, "a byte that is not printable ASCII (0x%02X)", c);
}

/* s[0..n) for a message: printable ASCII as is, other bytes as \xHH; cut
 * with "..." to fit 64 bytes. */
static const char *quote(const char *s, size_t n, char out[64])
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t need = c >= 0x20 && c <= 0x7e ? 1 : 4;
        if (o + need > 60) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (need == 1)
            out[o] = (char)c;
        else
            snprintf(out + o, 5, "\\x%02X", c);
        o += need;
    }
    out[o] = '\0';
    return out;
}

/* ---- keys ------------------------------------------------------------------ */

static bool is_auth_key(const char *key)
{
    return strcmp(key, "mac") == 0 || strcmp(key, "signature") == 0;
}

/* issuer and server-name are UTF-8 text; every other value printable ASCII. */
static bool is_text_key(const char *key)
{
    return strcmp(key, "issuer") == 0 || strcmp(key, "server-name") == 0;
}

static const dmb_entry *find(const dmboot_descriptor *d, const char *key)
{
    for (size_t i = 0; i < d->entry_count; i++)
        if (strcmp(d->entries[i].key, key) == 0)
            return &d->entries[i];
    return NULL;
}

/* FNV-1a: duplicate keys are found in linear time, so that a 64 KiB file of
 * extension keys cannot make parsing quadratic. */
static size_t key_hash(const char *key)
{
    uint64_t h = 14695981039346656037u;
    for (; *key != '\0'; key++) {
        h ^= (unsigned char)*key;
        h *= 1099511628211u;
    }
    return (size_t)h;
}

/* The earlier entry with the key of entries[i], or NULL after noting it. */
static const dmb_entry *earlier_entry(parser *p, size_t i)
{
    const dmb_entry *entries = p->d->entries;
    size_t slot = key_hash(entries[i].key) & p->seen_mask;
    while (p->seen[slot] != 0) {
        const dmb_entry *e = &entries[p->seen[slot] - 1];
        if (strcmp(e->key, entries[i].key) == 0)
            return e;
        slot = (slot + 1) & p->seen_mask;
    }
    p->seen[slot] = i + 1;
    return NULL;
}

/* ---- pass 1: lines ------------------------------------------------------- */

typedef dmboot_status (*value_check)(parser *p, const dmb_entry *e);

static bool is_known_key(const char *key);

/* The key of a line (s[0..k), before its ':'): a-z, 0-9, '-', from a letter. */
static dmboot_status check_key_syntax(parser *p, const char *s, size_t k, size_t line)
{
    char q[64], cb[8];
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        if (is_lower(c) || is_digit(c) || c == '-')
            continue;
        if (c >= 'A' && c <= 'Z')
            return FAIL(p, line, "keys are lowercase: '%s' has %s at column %zu",
                        quote(s, k, q), dmb_show_char((unsigned char)c, cb), i + 1);
        return FAIL(p, line, "key '%s' has %s at column %zu; keys hold only a-z, 0-9 and '-'",
                    quote(s, k, q), dmb_show_char((unsigned char)c, cb), i + 1);
    }
    if (!is_lower(s[0]))
        return FAIL(p, line, "key '%s' must start with a letter (a-z)", quote(s, k, q));
    return DMBOOT_OK;
}

/* "key: value" -> the key's length and where the value starts. */
static dmboot_status split_entry(parser *p, const char *s, size_t len, size_t line,
                                 size_t *key_len, const char **value, size_t *value_len)
{
    char q[64];
    if (s[0] == ' ' || s[0] == '\t')
        return FAIL(p, line, "line starts with a blank: an entry is 'key: value' from the "
                             "first column");
    const char *colon = memchr(s, ':', len);
    if (colon == NULL)
        return FAIL(p, line, "expected 'key: value' (no ':' found)");
    size_t k = (size_t)(colon - s);
    if (k == 0)
        return FAIL(p, line, "missing key before ':'");
    dmboot_status st = check_key_syntax(p, s, k, line);
    if (st != DMBOOT_OK)
        return st;
    quote(s, k, q); /* the key is printable now */
    if (k + 1 == len)
        return FAIL(p, line, "key '%s' has no value", q);
    if (s[k + 1] != ' ')
        return FAIL(p, line, "expected one space after '%s:'", q);
    const char *v = s + k + 2;
    size_t vlen = len - k - 2;
    if (vlen == 0)
        return FAIL(p, line, "key '%s' has an empty value", q);
    if (v[0] == ' ' || v[0] == '\t')
        return FAIL(p, line, "value of '%s' has leading space (one space after ':')", q);
    if (v[vlen - 1] == ' ' || v[vlen - 1] == '\t')
        return FAIL(p, line, "value of '%s' has trailing space", q);
    *key_len = k;
    *value = v;
    *value_len = vlen;
    return DMBOOT_OK;
}

static dmboot_status check_value_chars(parser *p, const char *key, size_t key_len,
                                       const char *v, size_t vlen, size_t line)
{
    bool utf8 = is_text_key(key);
    size_t bad = utf8 ? bad_utf8_text(v, vlen) : bad_ascii_text(v, vlen);
    if (bad == vlen)
        return DMBOOT_OK;
    char what[80];
    describe_bad_byte(v + bad, vlen - bad, utf8, what, sizeof what);
    bool non_ascii = !utf8 && (unsigned char)v[bad] >= 0x80;
    return FAIL(p, line, "value of '%s' has %s at column %zu%s", key, what, key_len + 3 + bad,
                non_ascii ? " (only issuer and server-name may hold other UTF-8 text)" : "");
}

/* Where an entry may stand: first is dmboot-descriptor, the authentication
 * lines come last with mac before signature. */
static dmboot_status check_entry_place(parser *p, const char *key, size_t line, size_t offset)
{
    dmboot_descriptor *d = p->d;
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
    return DMBOOT_OK;
}

/* One `key: value` line (without its LF) starting at byte `offset`: copies
 * key and value into the store (NUL-terminated) and appends an entry. */
static dmboot_status parse_entry(parser *p, const char *s, size_t len, size_t line,
                                 size_t offset, char **store)
{
    dmboot_descriptor *d = p->d;
    size_t k = 0, vlen = 0;
    const char *v = NULL;
    dmboot_status st = split_entry(p, s, len, line, &k, &v, &vlen);
    if (st != DMBOOT_OK)
        return st;
    char *key = *store;
    memcpy(key, s, k);
    key[k] = '\0';
    *store += k + 1;
    if (!is_known_key(key))
        return FAIL(p, line, "unknown key '%s' (extension keys start with 'x-')", key);
    st = check_value_chars(p, key, k, v, vlen, line);
    if (st != DMBOOT_OK)
        return st;
    d->entries[d->entry_count].key = key;
    const dmb_entry *dup = earlier_entry(p, d->entry_count);
    if (dup != NULL)
        return FAIL(p, line, "key '%s' appears twice (first on line %zu)", key, dup->line);
    st = check_entry_place(p, key, line, offset);
    if (st != DMBOOT_OK)
        return st;
    char *value = *store;
    memcpy(value, v, vlen);
    value[vlen] = '\0';
    *store += vlen + 1;
    d->entries[d->entry_count++] = (dmb_entry){key, value, line};
    return DMBOOT_OK;
}

static dmboot_status parse_comment(parser *p, const char *s, size_t n, size_t line)
{
    size_t bad = bad_utf8_text(s, n);
    if (bad == n)
        return DMBOOT_OK;
    char what[80];
    describe_bad_byte(s + bad, n - bad, true, what, sizeof what);
    return FAIL(p, line, "comment has %s at column %zu", what, bad + 1);
}

/* Lines, and lines that may be entries (neither blank nor a comment): what
 * the entry array and the key set are sized for. */
static void count_lines(const char *t, size_t len, size_t *lines, size_t *entry_lines)
{
    *lines = 0;
    *entry_lines = 0;
    for (size_t i = 0; i < len; i++) {
        if (i == 0 || t[i - 1] == '\n') {
            ++*lines;
            *entry_lines += t[i] != '\n' && t[i] != '#';
        }
    }
}

static dmboot_status allocate(parser *p, size_t entry_lines)
{
    dmboot_descriptor *d = p->d;
    size_t cap = 16;
    while (cap < 2 * entry_lines)
        cap *= 2;
    d->entries = calloc(entry_lines + 1, sizeof *d->entries);
    d->store = malloc(d->text_len + 1);
    p->seen = calloc(cap, sizeof *p->seen);
    p->seen_mask = cap - 1;
    if (d->entries == NULL || d->store == NULL || p->seen == NULL)
        return no_memory(p);
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
    size_t lines = 0, entry_lines = 0;
    count_lines(t, len, &lines, &entry_lines);
    p->last_line = lines;
    dmboot_status st = allocate(p, entry_lines);
    if (st != DMBOOT_OK)
        return st;

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
            return FAIL(p, line, "carriage return at column %zu: lines end with LF only",
                        (size_t)(cr - s) + 1);
        if (n == 0 || s[0] == '#') {
            if (p->first_auth_line != 0)
                return FAIL(p, line,
                            "only authentication lines (mac, signature) may follow line %zu, "
                            "the first of them",
                            p->first_auth_line);
            st = parse_comment(p, s, n, line);
        } else {
            st = parse_entry(p, s, n, line, off, &store);
        }
        if (st != DMBOOT_OK)
            return st;
        off += n + 1;
    }
    return DMBOOT_OK;
}

/* ---- pass 2: required keys ----------------------------------------------- */

static dmboot_status check_required(parser *p)
{
    static const char *const required[] = {"dmboot-descriptor", "id", "issuer", "devid-type",
                                           "devid-match", "server-id", "server-addr", NULL};
    /* a whole-file rule names the line where the entries end (spec §4.6) */
    size_t line = p->first_auth_line ? p->first_auth_line : p->last_line;
    for (size_t i = 0; required[i] != NULL; i++)
        if (find(p->d, required[i]) == NULL)
            return FAIL(p, line, "missing required key '%s'", required[i]);
    return DMBOOT_OK;
}

/* ---- pass 3: simple values ------------------------------------------------ */

static bool one_of(const char *v, const char *const *set)
{
    for (size_t i = 0; set[i] != NULL; i++)
        if (strcmp(v, set[i]) == 0)
            return true;
    return false;
}

static dmboot_status check_version(parser *p, const dmb_entry *e)
{
    if (strcmp(e->value, "1") != 0)
        return FAIL(p, e->line, "unsupported descriptor version '%.32s' (this is 1)", e->value);
    return DMBOOT_OK;
}

static dmboot_status check_id(parser *p, const dmb_entry *e)
{
    const char *v = e->value;
    size_t n = strlen(v);
    if (n > 64)
        return FAIL(p, e->line, "id is %zu characters long; at most 64", n);
    for (size_t j = 0; j < n; j++) {
        char c = v[j];
        if (!(is_lower(c) || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' || c == '_' ||
              c == '-')) {
            char cb[8];
            return FAIL(p, e->line, "id '%s' has %s at position %zu; it may only hold A-Z a-z "
                                    "0-9 . _ -",
                        v, dmb_show_char((unsigned char)c, cb), j + 1);
        }
    }
    p->d->id = v;
    return DMBOOT_OK;
}

static dmboot_status check_kdf(parser *p, const dmb_entry *e)
{
    if (strcmp(e->value, "hkdf-sha256") == 0)
        p->d->kdf = DMBOOT_KDF_HKDF_SHA256;
    else if (strcmp(e->value, "kbkdf-hmac-sha256") == 0)
        p->d->kdf = DMBOOT_KDF_KBKDF_HMAC_SHA256;
    else
        return FAIL(p, e->line, "unknown kdf '%.64s' (hkdf-sha256 or kbkdf-hmac-sha256)",
                    e->value);
    return DMBOOT_OK;
}

static dmboot_status check_key_check(parser *p, const dmb_entry *e)
{
    const char *v = e->value;
    size_t n = strlen(v);
    bool ok = n == 8;
    for (size_t j = 0; ok && j < n; j++)
        ok = is_digit(v[j]) || (v[j] >= 'a' && v[j] <= 'f');
    if (!ok)
        return FAIL(p, e->line, "key-check '%.64s' must be 8 lowercase hex digits", v);
    memcpy(p->d->key_check, v, 9);
    p->d->has_key_check = true;
    return DMBOOT_OK;
}

static dmboot_status check_server_id(parser *p, const dmb_entry *e)
{
    const char *sp = strchr(e->value, ' ');
    if (sp != NULL)
        return FAIL(p, e->line, "server-id must not contain spaces (one at position %zu)",
                    (size_t)(sp - e->value) + 1);
    p->d->server_id = e->value;
    return DMBOOT_OK;
}

static dmboot_status check_auth_type(parser *p, const dmb_entry *e)
{
    static const char *const auth_types[] = {"BASIC", "DIGEST", "HMAC", NULL};
    if (!one_of(e->value, auth_types))
        return FAIL(p, e->line, "%s '%.64s' must be BASIC, DIGEST or HMAC", e->key, e->value);
    return DMBOOT_OK;
}

/* ---- pass 3: dates ---------------------------------------------------------- */

/* "YYYY-MM-DD" as a real calendar date (any year 0000..9999), and what is
 * wrong with it when it is not one. */
static dmboot_status read_date(parser *p, const dmb_entry *e, int64_t *day_start)
{
    const char *v = e->value;
    size_t n = strlen(v);
    bool shape = n == 10 && v[4] == '-' && v[7] == '-';
    for (size_t i = 0; shape && i < n; i++)
        shape = i == 4 || i == 7 || is_digit(v[i]);
    if (!shape)
        return FAIL(p, e->line, "%s '%.64s' is not a date YYYY-MM-DD", e->key, v);
    if (!dmb_date_parse(v, n, day_start)) {
        unsigned m = (unsigned)(v[5] - '0') * 10 + (unsigned)(v[6] - '0');
        if (m < 1 || m > 12)
            return FAIL(p, e->line, "%s '%s' is not a date: there is no month %.2s", e->key, v,
                        v + 5);
        return FAIL(p, e->line, "%s '%s' is not a date: %.7s has no day %.2s", e->key, v, v,
                    v + 8);
    }
    return DMBOOT_OK;
}

/* not-after must not be before not-before (checked once both are read). */
static dmboot_status check_date_order(parser *p)
{
    const dmb_entry *nb = p->not_before, *na = p->not_after;
    if (nb != NULL && na != NULL && p->d->not_after < p->d->not_before)
        return FAIL(p, na->line, "not-after %s is before not-before %s", na->value, nb->value);
    return DMBOOT_OK;
}

static dmboot_status check_not_before(parser *p, const dmb_entry *e)
{
    dmboot_status st = read_date(p, e, &p->d->not_before);
    if (st != DMBOOT_OK)
        return st;
    p->not_before = e;
    return check_date_order(p);
}

static dmboot_status check_not_after(parser *p, const dmb_entry *e)
{
    int64_t start = 0;
    dmboot_status st = read_date(p, e, &start);
    if (st != DMBOOT_OK)
        return st;
    p->d->not_after = start + 86399; /* to 23:59:59 of that day */
    p->not_after = e;
    return check_date_order(p);
}

/* ---- pass 3: server-addr ---------------------------------------------------- */

/* A host name, or an IPv6 / IPv4 literal in brackets (hex digits, ':' and
 * '.'); brackets stand nowhere else. Other characters are left alone: the
 * documents escape what they must. */
static bool valid_host(const char *h, size_t n)
{
    if (h[0] == '[') {
        for (size_t i = 1; i + 1 < n; i++)
            if (!(is_hex(h[i]) || h[i] == ':' || h[i] == '.'))
                return false;
        return n > 2;
    }
    for (size_t i = 0; i < n; i++)
        if (strchr("[]", h[i]) != NULL)
            return false;
    return n > 0;
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
    size_t host_len = colon ? (size_t)(colon - host) : n;
    if (!valid_host(host, host_len))
        return FAIL(p, e->line, "server-addr host '%.*s' is not a host name or an [IPv6] "
                                "address",
                    (int)(host_len > 64 ? 64 : host_len), host);
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

static dmboot_status check_server_addr(parser *p, const dmb_entry *e)
{
    const char *v = e->value;
    const char *host = strncmp(v, "https://", 8) == 0  ? v + 8
                       : strncmp(v, "http://", 7) == 0 ? v + 7
                                                       : NULL;
    if (host == NULL)
        return FAIL(p, e->line, "server-addr '%.64s' must start with http:// or https://", v);
    const char *sp = strchr(v, ' ');
    if (sp != NULL)
        return FAIL(p, e->line, "server-addr must not contain spaces (one at position %zu)",
                    (size_t)(sp - v) + 1);
    return check_authority(p, e, host);
}

/* ---- pass 3: devid-match ---------------------------------------------------- */

static const size_t DEVID_DIGITS[] = {15, 14, 8, 0}; /* after the type prefix */

/* Can s[0..len) (before any '*') begin a normalized DevID of type t? */
static bool is_devid_prefix(dmb_devid_type t, const char *s, size_t len)
{
    if (t == DMB_DEVID_OPAQUE) {
        if (len > DMBOOT_DEVID_MAX)
            return false;
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e || s[i] == '*')
                return false;
        return true;
    }
    const char *prefix = dmb_devid_prefix(t);
    size_t pl = strlen(prefix);
    if (len > pl + DEVID_DIGITS[t])
        return false;
    for (size_t i = 0; i < len; i++) {
        if (i < pl ? s[i] != prefix[i]
                   : !(t == DMB_DEVID_IMEI ? is_digit(s[i]) : is_upper_hex(s[i])))
            return false;
    }
    return true;
}

/* One pattern s[0..n) of devid-match, checked and recorded. */
static dmboot_status add_pattern(parser *p, const dmb_entry *e, const char *s, size_t n)
{
    static const char *const shape[] = {
        "IMEI: and up to 15 digits", "MEID: and up to 14 uppercase hex digits",
        "ESN: and up to 8 uppercase hex digits",
        "1 to 128 printable ASCII characters, '*' only at the end"};
    dmboot_descriptor *d = p->d;
    dmb_devid_type t = d->devid_type;
    bool prefix = s[n - 1] == '*';
    size_t fixed = prefix ? n - 1 : n;
    if (!is_devid_prefix(t, s, fixed))
        return FAIL(p, e->line,
                    "devid-match pattern '%.*s' is not a normalized %s DevID or a prefix of "
                    "one ending in '*' (expected %s)",
                    (int)(n > 140 ? 140 : n), s, dmb_devid_type_name(t), shape[t]);
    size_t whole = strlen(dmb_devid_prefix(t)) + DEVID_DIGITS[t];
    if (!prefix && t != DMB_DEVID_OPAQUE && fixed != whole)
        return FAIL(p, e->line,
                    "devid-match pattern '%.*s' is incomplete: a whole %s DevID is %s and "
                    "%zu digits; end a prefix with '*'",
                    (int)n, s, dmb_devid_type_name(t), dmb_devid_prefix(t), DEVID_DIGITS[t]);
    /* a whole IMEI, exact or before '*', must have its check digit: else
     * it is no normalized DevID, nor a prefix of one */
    if (t == DMB_DEVID_IMEI && fixed == whole && !dmb_imei_check_digit_ok(s + 5))
        return FAIL(p, e->line, "devid-match IMEI '%.*s' has check digit %c; expected %d (Luhn)",
                    (int)n, s, s[19], dmb_imei_check_digit(s + 5));
    d->patterns[d->pattern_count++] = (dmb_pattern){s, fixed, prefix};
    return DMBOOT_OK;
}

static dmboot_status check_match(parser *p, const dmb_entry *e)
{
    dmboot_descriptor *d = p->d;
    const char *v = e->value;
    size_t count = 1;
    for (const char *c = v; *c; c++)
        count += *c == ' ';
    d->patterns = calloc(count, sizeof *d->patterns);
    if (d->patterns == NULL)
        return no_memory(p);
    /* the value has no leading or trailing space (pass 1) */
    for (const char *s = v; *s != '\0';) {
        size_t n = strcspn(s, " ");
        if (n == 0)
            return FAIL(p, e->line, "devid-match patterns are separated by one space (two at "
                                    "position %zu)",
                        (size_t)(s - v));
        dmboot_status st = add_pattern(p, e, s, n);
        if (st != DMBOOT_OK)
            return st;
        s += n;
        s += *s == ' ';
    }
    return DMBOOT_OK;
}

/* ---- pass 3: field rules ---------------------------------------------------- */

static const char ALNUM[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static const char *const FIELD_KEYS[DMB_RULES] = {"name", "client-secret", "server-secret",
                                                  "client-nonce", "server-nonce"};

/* N: 1..255, decimal, no leading zeros. */
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
    if (v > 255)
        return false;
    *n = v;
    return true;
}

/* floor(log2(m^n)) when m^n < 2^64, else 64: the entropy check exactly,
 * in integers (N·log2(m) >= 64 <=> m^N >= 2^64). */
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
    if (*t == ' ')
        return FAIL(p, e->line, "%s: one space between 'template' and its text", e->key);
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
                        "%s template has '%c' at position %zu that is not part of {devid} or "
                        "{devid-value}",
                        e->key, *c, (size_t)(c - t) + 1);
        } else {
            literal++;
            c++;
        }
    }
    /* the longest normalized DevID of each type */
    static const size_t longest[] = {20, 19, 12, DMBOOT_DEVID_MAX};
    size_t dev = longest[p->d->devid_type];
    size_t max = literal + full * dev + value * (dev - dmb_devid_prefix_len(p->d->devid_type));
    if (max > DMBOOT_VALUE_MAX)
        return FAIL(p, e->line,
                    "%s template can expand to %zu bytes (with the longest %s DevID); at "
                    "most %d are allowed",
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
    else if (strcmp(a, "alphabet") == 0)
        return FAIL(p, e->line, "%s: 'alphabet' needs its symbols: alphabet CHARS", e->key);
    else
        return FAIL(p, e->line, "%s: unknown alphabet '%.64s' (digits, alnum or alphabet CHARS)",
                    e->key, a);
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
    size_t nlen = strcspn(s, " ");
    if (!parse_count(s, nlen, &r->count))
        return FAIL(p, e->line, "%s: count '%.*s' must be a number from 1 to 255", e->key,
                    (int)(nlen > 16 ? 16 : nlen), s);
    const char *rest = s[nlen] == ' ' ? s + nlen + 1 : NULL;
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
            return FAIL(p, e->line, "%s: unknown encoding '%.64s' (hex, base64 or base64url)",
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

/* Bits of entropy of a rule's value, as far as the 64-bit minimum cares. */
static unsigned rule_entropy(const dmb_rule *r)
{
    if (r->kind == DMB_RULE_BYTES)
        return r->count >= 8 ? 64 : (unsigned)(8 * r->count);
    if (r->kind == DMB_RULE_CHARS)
        return entropy_bits(r->alphabet_len, r->count);
    return 0; /* devid and templates are not secret */
}

/* Which rules a field may use (spec §4.5). */
static dmboot_status check_rule_use(parser *p, const dmb_entry *e, const dmb_rule *r)
{
    const char *key = e->key;
    bool nonce = strcmp(key, "client-nonce") == 0 || strcmp(key, "server-nonce") == 0;
    bool secret = strcmp(key, "client-secret") == 0 || strcmp(key, "server-secret") == 0;
    bool raw = r->kind == DMB_RULE_BYTES && r->encoding == DMB_ENC_RAW;
    if (nonce && !raw)
        return FAIL(p, e->line, "%s: nonces are binary: use 'derive bytes N' without an "
                                "encoding",
                    key);
    if (!nonce && raw)
        return FAIL(p, e->line, "%s: 'derive bytes N' needs an encoding here (hex, base64 or "
                                "base64url); only nonces are raw bytes",
                    key);
    unsigned bits = rule_entropy(r);
    if (secret && bits < 64)
        return FAIL(p, e->line,
                    "%s has %s%u bits of entropy; at least 64 are required (a secret must "
                    "be derived)",
                    key, r->kind == DMB_RULE_CHARS ? "about " : "", bits);
    return DMBOOT_OK;
}

static dmboot_status check_rule(parser *p, const dmb_entry *e)
{
    size_t slot = 0;
    while (strcmp(FIELD_KEYS[slot], e->key) != 0)
        slot++;
    dmb_rule *r = &p->d->rules[slot];
    const char *v = e->value;
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
                    e->key, v);
    if (st != DMBOOT_OK)
        return st;
    return check_rule_use(p, e, r);
}

/* ---- pass 3: authentication lines --------------------------------------------- */

/* "ALG B", B the canonical base64 of exactly `want` bytes. */
static dmboot_status read_auth_value(parser *p, const dmb_entry *e, const char *alg,
                                     uint8_t *out, size_t want)
{
    size_t al = strlen(alg), n = 0;
    if (strncmp(e->value, alg, al) != 0 || e->value[al] != ' ')
        return FAIL(p, e->line, "%s must be '%s' and the base64 of %zu bytes", e->key, alg,
                    want);
    const char *b = e->value + al + 1;
    if (!dmb_base64_decode(b, strlen(b), out, want, &n) || n != want)
        return FAIL(p, e->line, "%s value is not the canonical base64 of %zu bytes", e->key,
                    want);
    return DMBOOT_OK;
}

static dmboot_status check_mac(parser *p, const dmb_entry *e)
{
    dmboot_status st = read_auth_value(p, e, "hmac-sha256", p->d->mac, DMB_MAC_LEN);
    p->d->has_mac = st == DMBOOT_OK;
    return st;
}

static dmboot_status check_signature(parser *p, const dmb_entry *e)
{
    dmboot_status st = read_auth_value(p, e, "ed25519", p->d->signature, DMB_SIG_LEN);
    p->d->has_signature = st == DMBOOT_OK;
    return st;
}

/* ---- pass 3: every value, in file order ------------------------------------- */

/* Every key of spec §4.3 and what checks its value (NULL: pass 1 did all:
 * printable ASCII or UTF-8 text; devid-type is read before the others). */
static const struct {
    const char *key;
    value_check check;
} KEYS[] = {
    {"dmboot-descriptor", check_version},
    {"id", check_id},
    {"issuer", NULL},
    {"not-before", check_not_before},
    {"not-after", check_not_after},
    {"devid-type", NULL},
    {"devid-match", check_match},
    {"kdf", check_kdf},
    {"key-id", NULL},
    {"key-check", check_key_check},
    {"server-id", check_server_id},
    {"server-name", NULL},
    {"server-addr", check_server_addr},
    {"auth-pref", check_auth_type},
    {"client-auth-type", check_auth_type},
    {"server-auth-type", check_auth_type},
    {"name", check_rule},
    {"client-secret", check_rule},
    {"server-secret", check_rule},
    {"client-nonce", check_rule},
    {"server-nonce", check_rule},
    {"mac", check_mac},
    {"signature", check_signature},
};

static bool is_extension_key(const char *key)
{
    return strncmp(key, "x-", 2) == 0 && key[2] != '\0';
}

static bool is_known_key(const char *key)
{
    if (is_extension_key(key))
        return true;
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
        if (strcmp(key, KEYS[i].key) == 0)
            return true;
    return false;
}

static value_check check_for(const char *key)
{
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
        if (strcmp(key, KEYS[i].key) == 0)
            return KEYS[i].check;
    return NULL; /* extension keys: kept, not interpreted */
}

static dmboot_status parse_values(parser *p)
{
    dmboot_descriptor *d = p->d;
    const dmb_entry *t = find(d, "devid-type");
    if (!dmb_devid_type_parse(t->value, &d->devid_type))
        return FAIL(p, t->line, "unknown devid-type '%.64s' (imei, meid, esn or opaque)",
                    t->value);
    d->kdf = DMBOOT_KDF_HKDF_SHA256;
    d->not_before = INT64_MIN;
    d->not_after = INT64_MAX;
    for (size_t i = 0; i < d->entry_count; i++) {
        value_check check = check_for(d->entries[i].key);
        dmboot_status st = check ? check(p, &d->entries[i]) : DMBOOT_OK;
        if (st != DMBOOT_OK)
            return st;
    }
    return DMBOOT_OK;
}

/* ---- public ---------------------------------------------------------------- */

void dmboot_descriptor_free(dmboot_descriptor *d)
{
    if (d == NULL)
        return;
    if (d->text != NULL)
        OPENSSL_cleanse(d->text, d->text_len + 1);
    if (d->store != NULL)
        OPENSSL_cleanse(d->store, d->text_len + 1);
    free(d->text);
    free(d->store);
    free(d->entries);
    free(d->patterns);
    OPENSSL_cleanse(d, sizeof *d);
    free(d);
}

static dmboot_descriptor *new_descriptor(const char *text, size_t text_len)
{
    dmboot_descriptor *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->text = malloc(text_len + 1);
    if (d->text == NULL) {
        free(d);
        return NULL;
    }
    if (text_len > 0)
        memcpy(d->text, text, text_len);
    d->text[text_len] = '\0';
    d->text_len = text_len;
    return d;
}

dmboot_status dmboot_descriptor_parse(const char *text, size_t text_len,
                                      dmboot_descriptor **out, dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    if (text_len > DMBOOT_DESCRIPTOR_MAX)
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "descriptor is larger than 64 KiB (%zu bytes; at most %d)", text_len,
                        DMBOOT_DESCRIPTOR_MAX);
    dmboot_descriptor *d = new_descriptor(text, text_len);
    if (d == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");

    parser p = {.d = d, .err = err};
    dmboot_status st = parse_lines(&p);
    free(p.seen);
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
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    dmboot_status st =
        dmb_read_file(path, DMBOOT_DESCRIPTOR_MAX, DMBOOT_ERR_DESCRIPTOR, &buf, &len, err);
    if (st == DMBOOT_ERR_DESCRIPTOR)
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "%s: descriptor is larger than 64 KiB (at most %d bytes)", path,
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
