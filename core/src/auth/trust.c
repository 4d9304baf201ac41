/*
 * The operator's trust file (docs/authentication.md §6): which issuer
 * public key may use which key-ids and claim which DevID ranges. A small,
 * human-edited text file; every error names its line.
 *
 *     # comment
 *     issuer: ACME Devices Ltd
 *     public-key: ed25519 <base64 of the 32-byte Ed25519 public key>
 *     key-ids: acme-2026 acme-2027
 *     devid-ranges: IMEI:35209911* IMEI:35209913*
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/trust.h"

#define TRUST_LINE_MAX 1024
#define ISSUER_NAME_MAX 128
#define RANGE_MAX (DMBOOT_DEVID_MAX + 1)

#define FAIL(line, ...) dmb_fail(err, DMBOOT_ERR_SYNTAX, (line), __VA_ARGS__)

void dmboot_trust_free(dmboot_trust *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->count; i++) {
        dmb_trust_issuer *is = &t->items[i];
        dmboot_public_key_free(is->pk);
        free(is->key_ids);
        free(is->ranges);
    }
    free(t->items);
    free(t->buf);
    free(t->text);
    free(t);
}

size_t dmboot_trust_count(const dmboot_trust *t)
{
    return t != NULL ? t->count : 0;
}

const char *dmboot_trust_issuer(const dmboot_trust *t, size_t i)
{
    return t != NULL && i < t->count ? t->items[i].name : NULL;
}

/* Well-formed UTF-8 without control characters (an issuer's name). */
static bool text_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            i++;
            continue;
        }
        size_t k = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
        if (k == 0 || i + k > n)
            return false;
        uint32_t cp = c & (k == 2 ? 0x1f : k == 3 ? 0x0f : 0x07);
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (k == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp <= 0x9f))
            return false;
        i += k;
    }
    return true;
}

/* Count the space-separated words of a value; with out, also cut them in
 * place (NUL-terminated) and point out[] at them. */
static size_t split_words(char *v, char **out, size_t cap)
{
    size_t n = 0;
    char *p = v;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (out != NULL && n < cap)
            out[n] = p;
        n++;
        while (*p != '\0' && *p != ' ' && *p != '\t')
            p++;
        if (*p == '\0')
            break;
        if (out != NULL)
            *p = '\0';
        p++;
    }
    return n;
}

static const char *range_problem(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > RANGE_MAX)
        return "must be 1 to 129 characters";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)r[i];
        if (c <= 0x20 || c >= 0x7f)
            return "must be printable ASCII";
        if (c == '*' && i + 1 != n)
            return "may hold '*' only at its end";
    }
    return NULL;
}

/* Does the range o, read as an opaque pattern, match another spelling of
 * a DevID that the range t covers as a typed pattern (t starts with a type
 * prefix, or is a prefix of one)? "35209911*", "imei:*" or "3*" against
 * "IMEI:35209911*": the imei normalizer reads "352099110000003" and
 * "imei:352099110000003" as IMEI:352099110000003 (registry_overlap.c). */
static bool spelled_meet(const dmb_pattern *o, const dmb_pattern *t)
{
    static const dmb_devid_type TYPES[] = {DMB_DEVID_IMEI, DMB_DEVID_MEID, DMB_DEVID_ESN};
    for (size_t i = 0; i < 3; i++) {
        const char *tp = dmb_devid_prefix(TYPES[i]);
        size_t tn = strlen(tp);
        bool typed = t->len >= tn ? memcmp(t->text, tp, tn) == 0
                                  : t->prefix && memcmp(t->text, tp, t->len) == 0;
        if (typed && dmb_spelling_overlap(TYPES[i], t, 1, o))
            return true;
    }
    return false;
}

/* Two ranges (devid-match patterns) meet when a DevID could match both:
 * as the same text, or as two spellings that a typed descriptor's
 * normalizer reads as one DevID (the registry's overlap rule, §5.1). */
static bool ranges_meet(const dmb_pattern *a, const dmb_pattern *b)
{
    if (spelled_meet(a, b) || spelled_meet(b, a))
        return true;
    if (a->prefix && b->prefix) {
        size_t n = a->len < b->len ? a->len : b->len;
        return memcmp(a->text, b->text, n) == 0;
    }
    if (a->prefix)
        return b->len >= a->len && memcmp(a->text, b->text, a->len) == 0;
    if (b->prefix)
        return a->len >= b->len && memcmp(a->text, b->text, b->len) == 0;
    return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* Is a descriptor pattern p inside the range r? */
bool dmb_range_contains(const dmb_pattern *r, const char *text, size_t len, bool prefix)
{
    if (r->prefix)
        return len >= r->len && memcmp(text, r->text, r->len) == 0;
    return !prefix && len == r->len && memcmp(text, r->text, len) == 0;
}

/* The block being read: which keys it had, on which lines. */
typedef struct block {
    size_t line, pk_line, ids_line, ranges_line;
} block;

static dmboot_status finish_block(const dmboot_trust *t, const block *b, dmboot_error *err)
{
    const dmb_trust_issuer *is = &t->items[t->count - 1];
    const char *missing = b->pk_line == 0    ? "public-key"
                          : b->ids_line == 0 ? "key-ids"
                          : b->ranges_line == 0 ? "devid-ranges"
                                                : NULL;
    if (missing != NULL)
        return FAIL(b->line, "issuer '%s' has no %s line (each issuer needs issuer, public-key, "
                             "key-ids and devid-ranges)",
                    is->name, missing);
    return DMBOOT_OK;
}

static dmboot_status grow(dmboot_trust *t, dmboot_error *err)
{
    if (t->count < t->cap)
        return DMBOOT_OK;
    size_t cap = t->cap ? t->cap * 2 : 4;
    dmb_trust_issuer *n = realloc(t->items, cap * sizeof *n);
    if (n == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    t->items = n;
    t->cap = cap;
    return DMBOOT_OK;
}

static dmboot_status read_public_key(dmb_trust_issuer *is, const dmboot_trust *t, char *v,
                                     size_t line, dmboot_error *err)
{
    static const char ALG[] = "ed25519 ";
    uint8_t raw[40];
    size_t n = 0;
    if (strncmp(v, ALG, sizeof ALG - 1) != 0 ||
        !dmb_base64_decode(v + sizeof ALG - 1, strlen(v + sizeof ALG - 1), raw, sizeof raw,
                           &n) ||
        n != DMBOOT_ED25519_PUBLIC_LEN)
        return FAIL(line, "public-key must be 'ed25519 <base64 of the 32-byte public key>' "
                          "(the last 32 bytes of `openssl pkey -pubin -in KEY.pub -outform "
                          "DER`, as `dmboot key pair` prints)");
    for (size_t i = 0; i + 1 < t->count; i++)
        if (memcmp(t->items[i].raw, raw, sizeof is->raw) == 0)
            return FAIL(line, "this public key is already issuer '%s''s (line %zu): one key, "
                              "one issuer",
                        t->items[i].name, t->items[i].line);
    memcpy(is->raw, raw, sizeof is->raw);
    dmboot_error e;
    if (dmb_public_key_from_raw(raw, &is->pk, &e) != DMBOOT_OK)
        return FAIL(line, "public-key: %s", e.message);
    return DMBOOT_OK;
}

static dmboot_status read_key_ids(dmb_trust_issuer *is, const dmboot_trust *t, char *v,
                                  size_t line, dmboot_error *err)
{
    size_t n = split_words(v, NULL, 0);
    if (n == 0)
        return FAIL(line, "key-ids lists no key-id");
    is->key_ids = calloc(n, sizeof *is->key_ids);
    if (is->key_ids == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    split_words(v, is->key_ids, n);
    is->key_id_count = n;
    for (size_t i = 0; i < n; i++) {
        const char *k = is->key_ids[i];
        if (!dmb_key_id_ok(k, strlen(k)))
            return FAIL(line, "key-id '%.64s' is not 1 to 64 of [A-Za-z0-9._-]", k);
        for (size_t j = 0; j < i; j++)
            if (strcmp(is->key_ids[j], k) == 0)
                return FAIL(line, "key-id '%s' is listed twice", k);
        for (size_t o = 0; o + 1 < t->count; o++) {
            const dmb_trust_issuer *other = &t->items[o];
            for (size_t j = 0; j < other->key_id_count; j++)
                if (strcmp(other->key_ids[j], k) == 0)
                    return FAIL(line, "key-id '%s' is already issuer '%s''s (line %zu): a "
                                      "key-id belongs to one issuer",
                                k, other->name, other->line);
        }
    }
    return DMBOOT_OK;
}

static dmboot_status read_ranges(dmb_trust_issuer *is, const dmboot_trust *t, char *v,
                                 size_t line, dmboot_error *err)
{
    size_t n = split_words(v, NULL, 0);
    if (n == 0)
        return FAIL(line, "devid-ranges lists no range");
    char **words = calloc(n, sizeof *words);
    is->ranges = calloc(n, sizeof *is->ranges);
    if (words == NULL || is->ranges == NULL) {
        free(words);
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    }
    split_words(v, words, n);
    dmboot_status st = DMBOOT_OK;
    for (size_t i = 0; i < n && st == DMBOOT_OK; i++) {
        const char *why = range_problem(words[i]);
        if (why != NULL) {
            st = FAIL(line, "devid-range '%.64s' %s (a devid-match pattern: a normalized DevID, "
                            "or a prefix ending in '*')",
                      words[i], why);
            break;
        }
        size_t len = strlen(words[i]);
        dmb_pattern *p = &is->ranges[i];
        p->prefix = words[i][len - 1] == '*';
        p->text = words[i];
        p->len = p->prefix ? len - 1 : len;
        is->range_count = i + 1;
        for (size_t o = 0; o + 1 < t->count && st == DMBOOT_OK; o++) {
            const dmb_trust_issuer *other = &t->items[o];
            for (size_t j = 0; j < other->range_count; j++)
                if (ranges_meet(p, &other->ranges[j])) {
                    st = FAIL(line, "devid-range '%s' meets issuer '%s''s '%.*s%s' (line %zu): "
                                    "a DevID range belongs to one issuer",
                              words[i], other->name, (int)other->ranges[j].len,
                              other->ranges[j].text, other->ranges[j].prefix ? "*" : "",
                              other->line);
                    break;
                }
        }
    }
    free(words);
    return st;
}

static dmboot_status parse_into(dmboot_trust *t, dmboot_error *err)
{
    char *p = t->buf, *end = t->buf + t->len;
    size_t line = 0;
    block b = {0};
    bool in_block = false;
    while (p < end) {
        line++;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *eol = nl != NULL ? nl : end;
        char *next = nl != NULL ? nl + 1 : end;
        if (eol > p && eol[-1] == '\r')
            eol--; /* CRLF is accepted: a person may edit it anywhere */
        *eol = '\0';
        size_t n = (size_t)(eol - p);
        if (n > TRUST_LINE_MAX)
            return FAIL(line, "the line is longer than %d bytes", TRUST_LINE_MAX);
        if (memchr(p, '\0', n) != NULL)
            return FAIL(line, "a NUL byte");
        char *s = p;
        p = next;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        char *colon = strchr(s, ':');
        if (colon == NULL)
            return FAIL(line, "expected 'key: value' (issuer, public-key, key-ids, "
                              "devid-ranges), a comment (#) or a blank line");
        *colon = '\0';
        char *v = colon + 1, *ve = v + strlen(v);
        while (*v == ' ' || *v == '\t')
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            *--ve = '\0';
        const char *key = s;
        if (*v == '\0')
            return FAIL(line, "'%.32s' has no value", key);
        if (strcmp(key, "issuer") == 0) {
            if (in_block && finish_block(t, &b, err) != DMBOOT_OK)
                return DMBOOT_ERR_SYNTAX;
            if (strlen(v) > ISSUER_NAME_MAX || !text_ok((const unsigned char *)v, strlen(v)))
                return FAIL(line, "an issuer name is 1 to %d bytes of UTF-8 text without "
                                  "control characters",
                            ISSUER_NAME_MAX);
            for (size_t i = 0; i < t->count; i++)
                if (strcmp(t->items[i].name, v) == 0)
                    return FAIL(line, "issuer '%s' is already named on line %zu", v,
                                t->items[i].line);
            if (grow(t, err) != DMBOOT_OK)
                return DMBOOT_ERR_NO_MEMORY;
            dmb_trust_issuer *is = &t->items[t->count++];
            memset(is, 0, sizeof *is);
            is->name = v;
            is->line = line;
            b = (block){.line = line};
            in_block = true;
            continue;
        }
        bool known = strcmp(key, "public-key") == 0 || strcmp(key, "key-ids") == 0 ||
                     strcmp(key, "devid-ranges") == 0;
        if (!known)
            return FAIL(line, "unknown key '%.32s' (a trust file has issuer, public-key, "
                              "key-ids and devid-ranges)",
                        key);
        if (!in_block)
            return FAIL(line, "'%s' before any 'issuer:' line (each block starts with "
                              "issuer: NAME)",
                        key);
        dmb_trust_issuer *is = &t->items[t->count - 1];
        size_t *seen = key[0] == 'p' ? &b.pk_line : key[0] == 'k' ? &b.ids_line : &b.ranges_line;
        if (*seen != 0)
            return FAIL(line, "a second '%s' line for issuer '%s' (the first is line %zu)", key,
                        is->name, *seen);
        *seen = line;
        dmboot_status st = key[0] == 'p'   ? read_public_key(is, t, v, line, err)
                           : key[0] == 'k' ? read_key_ids(is, t, v, line, err)
                                           : read_ranges(is, t, v, line, err);
        if (st != DMBOOT_OK)
            return st;
    }
    if (!in_block)
        return FAIL(line > 0 ? line : 1, "the trust file names no issuer (issuer: NAME, then "
                                         "public-key, key-ids, devid-ranges)");
    return finish_block(t, &b, err);
}

dmboot_status dmboot_trust_parse(const char *text, size_t text_len, dmboot_trust **out,
                                 dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = NULL;
    if (text_len > DMBOOT_TRUST_MAX)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "a trust file is at most %d bytes",
                        DMBOOT_TRUST_MAX);
    dmboot_trust *t = calloc(1, sizeof *t);
    if (t == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    t->text = malloc(text_len + 1);
    t->buf = malloc(text_len + 1);
    if (t->text == NULL || t->buf == NULL) {
        dmboot_trust_free(t);
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    }
    if (text_len > 0) {
        memcpy(t->text, text, text_len);
        memcpy(t->buf, text, text_len);
    }
    t->text[text_len] = t->buf[text_len] = '\0';
    t->len = text_len;
    dmboot_status st = parse_into(t, err);
    if (st != DMBOOT_OK) {
        dmboot_trust_free(t);
        return st;
    }
    *out = t;
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_trust_load(const char *path, dmboot_trust **out, dmboot_error *err)
{
    if (path == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    char *buf = NULL;
    size_t len = 0;
    dmboot_status st = dmb_read_file(path, DMBOOT_TRUST_MAX, DMBOOT_ERR_SYNTAX, &buf, &len,
                                     err);
    if (st != DMBOOT_OK)
        return st;
    st = dmboot_trust_parse(buf, len, out, err);
    free(buf);
    if (st != DMBOOT_OK && err != NULL && st != DMBOOT_ERR_NO_MEMORY) {
        /* "trust file FILE: line N: ..." */
        char msg[DMBOOT_ERROR_MESSAGE_MAX];
        memcpy(msg, err->message, sizeof msg);
        size_t l = err->line;
        dmb_fail(err, st, 0, "trust file %s: %s", path, msg);
        err->line = l;
    }
    return st;
}

dmboot_status dmb_trust_copy(const dmboot_trust *t, dmboot_trust **out, dmboot_error *err)
{
    return dmboot_trust_parse(t->text, t->len, out, err);
}

const dmb_trust_issuer *dmb_trust_by_key(const dmboot_trust *t, const dmboot_public_key *pk)
{
    uint8_t raw[DMBOOT_ED25519_PUBLIC_LEN];
    if (t == NULL || pk == NULL || dmboot_public_key_raw(pk, raw, NULL) != DMBOOT_OK)
        return NULL;
    for (size_t i = 0; i < t->count; i++)
        if (memcmp(t->items[i].raw, raw, sizeof raw) == 0)
            return &t->items[i];
    return NULL;
}

const dmb_trust_issuer *dmb_trust_by_key_id(const dmboot_trust *t, const char *key_id)
{
    if (t == NULL || key_id == NULL)
        return NULL;
    for (size_t i = 0; i < t->count; i++)
        for (size_t j = 0; j < t->items[i].key_id_count; j++)
            if (strcmp(t->items[i].key_ids[j], key_id) == 0)
                return &t->items[i];
    return NULL;
}

void dmb_trust_ranges_text(const dmb_trust_issuer *is, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < is->range_count && n + 1 < cap; i++) {
        int w = snprintf(out + n, cap - n, "%s%.*s%s", i ? " " : "", (int)is->ranges[i].len,
                         is->ranges[i].text, is->ranges[i].prefix ? "*" : "");
        if (w < 0 || (size_t)w >= cap - n) {
            if (cap > 4)
                memcpy(out + cap - 4, "...", 4);
            return;
        }
        n += (size_t)w;
    }
}
