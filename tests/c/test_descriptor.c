/* Descriptor parsing: every case of tests/vectors/descriptors.json (the
 * values as written and the model the parser fills), the 64 KiB limit,
 * files, accessors, properties every error keeps, and devid-match coverage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "derive/derive.h"
#include "test_util.h"

/* A case's bytes: "text", or "text_base64" for bytes that are not UTF-8. */
static char *case_text(const cJSON *c, size_t *len)
{
    const char *t = tu_str(c, "text");
    if (t != NULL) {
        *len = strlen(t);
        return strdup(t);
    }
    const char *b = tu_str(c, "text_base64");
    assert_non_null(b);
    char *out = malloc(strlen(b));
    assert_true(dmb_base64_decode(b, strlen(b), (uint8_t *)out, strlen(b), len));
    return out;
}

static const char *const KDF_NAMES[] = {"hkdf-sha256", "kbkdf-hmac-sha256"};

/* A rule as the vectors write it: devid, template T, bytes N [ENC], chars N SYMBOLS. */
static void rule_text(const dmb_rule *r, char *out, size_t cap)
{
    static const char *const enc[] = {"", " hex", " base64", " base64url"};
    switch (r->kind) {
    case DMB_RULE_ABSENT: snprintf(out, cap, "(absent)"); break;
    case DMB_RULE_DEVID: snprintf(out, cap, "devid"); break;
    case DMB_RULE_TEMPLATE: snprintf(out, cap, "template %s", r->template_); break;
    case DMB_RULE_BYTES: snprintf(out, cap, "bytes %zu%s", r->count, enc[r->encoding]); break;
    case DMB_RULE_CHARS: snprintf(out, cap, "chars %zu %s", r->count, r->alphabet); break;
    }
}

static bool points_into(const char *p, const char *base, size_t len)
{
    return p >= base && p < base + len;
}

static void check_rules(const char *name, const dmboot_descriptor *d, const cJSON *rules)
{
    static const char *const keys[DMB_RULES] = {"name", "client-secret", "server-secret",
                                                "client-nonce", "server-nonce"};
    for (size_t i = 0; i < DMB_RULES; i++) {
        const char *want = tu_str(rules, keys[i]);
        char got[1200];
        rule_text(&d->rules[i], got, sizeof got);
        if (want == NULL ? d->rules[i].kind != DMB_RULE_ABSENT : strcmp(got, want) != 0)
            fail_msg("case '%s': rule %s is '%s', expected '%s'", name, keys[i], got,
                     want ? want : "(absent)");
        if (d->rules[i].kind == DMB_RULE_CHARS)
            assert_int_equal(d->rules[i].alphabet_len, strlen(d->rules[i].alphabet));
        if (d->rules[i].kind == DMB_RULE_TEMPLATE) /* into the descriptor's own storage */
            assert_true(points_into(d->rules[i].template_, d->store, d->text_len + 1));
    }
}

static void check_patterns(const char *name, const dmboot_descriptor *d, const cJSON *patterns)
{
    assert_int_equal(d->pattern_count, (size_t)cJSON_GetArraySize(patterns));
    size_t i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, patterns)
    {
        const dmb_pattern *pt = &d->patterns[i++];
        char got[DMBOOT_DEVID_MAX + 2];
        snprintf(got, sizeof got, "%.*s%s", (int)pt->len, pt->text, pt->prefix ? "*" : "");
        if (strcmp(got, p->valuestring) != 0)
            fail_msg("case '%s': pattern %zu is '%s', expected '%s'", name, i, got,
                     p->valuestring);
    }
}

static int64_t time_or(const cJSON *v, int64_t absent)
{
    return cJSON_IsNull(v) ? absent : (int64_t)v->valuedouble;
}

static void check_bytes(const cJSON *hex, bool has, const uint8_t *got, size_t len,
                        const char *what)
{
    assert_int_equal(has, !cJSON_IsNull(hex));
    if (!has)
        return;
    size_t n = 0;
    uint8_t *want = tu_unhex(hex->valuestring, &n);
    tu_assert_bytes(got, len, want, n, what);
    free(want);
}

/* The model of spec §4 that the deriver and the verifier read. */
static void check_parsed(const char *name, const dmboot_descriptor *d, const cJSON *parsed)
{
    assert_string_equal(dmb_devid_type_name(d->devid_type), tu_str(parsed, "devid_type"));
    assert_string_equal(KDF_NAMES[d->kdf], tu_str(parsed, "kdf"));
    assert_true(d->not_before ==
                time_or(cJSON_GetObjectItemCaseSensitive(parsed, "not_before"), INT64_MIN));
    assert_true(d->not_after ==
                time_or(cJSON_GetObjectItemCaseSensitive(parsed, "not_after"), INT64_MAX));
    check_patterns(name, d, cJSON_GetObjectItemCaseSensitive(parsed, "patterns"));
    check_rules(name, d, cJSON_GetObjectItemCaseSensitive(parsed, "rules"));
    const char *kc = tu_str(parsed, "key_check");
    assert_int_equal(d->has_key_check, kc != NULL);
    if (kc != NULL)
        assert_string_equal(d->key_check, kc);
    check_bytes(cJSON_GetObjectItemCaseSensitive(parsed, "mac"), d->has_mac, d->mac,
                DMB_MAC_LEN, "mac");
    check_bytes(cJSON_GetObjectItemCaseSensitive(parsed, "signature"), d->has_signature,
                d->signature, DMB_SIG_LEN, "signature");
    assert_string_equal(d->id, dmboot_descriptor_get(d, "id"));
    assert_string_equal(d->server_id, dmboot_descriptor_get(d, "server-id"));
}

/* Entries point into the store, in file order, lines increasing. */
static void check_entries(const dmboot_descriptor *d)
{
    for (size_t i = 0; i < d->entry_count; i++) {
        const dmb_entry *e = &d->entries[i];
        assert_true(points_into(e->key, d->store, d->text_len + 1));
        assert_true(points_into(e->value, d->store, d->text_len + 1));
        if (i > 0)
            assert_true(e->line > d->entries[i - 1].line);
        const char *k = NULL, *v = NULL;
        assert_int_equal(dmboot_descriptor_entry(d, i, &k, &v), DMBOOT_OK);
        assert_ptr_equal(k, e->key);
        assert_ptr_equal(v, e->value);
    }
    assert_string_equal(d->entries[0].key, "dmboot-descriptor");
}

static void check_expect(const char *name, const dmboot_descriptor *d, const cJSON *expect)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, expect)
    {
        if (strcmp(e->string, "signed_length") == 0) {
            assert_int_equal(dmboot_descriptor_signed_length(d), (size_t)e->valueint);
        } else if (strcmp(e->string, "entries") == 0) {
            assert_int_equal(dmboot_descriptor_count(d), (size_t)e->valueint);
        } else if (cJSON_IsNull(e)) {
            assert_null(dmboot_descriptor_get(d, e->string));
        } else {
            const char *got = dmboot_descriptor_get(d, e->string);
            if (got == NULL || strcmp(got, e->valuestring) != 0)
                fail_msg("case '%s': %s is '%s', expected '%s'", name, e->string,
                         got ? got : "(absent)", e->valuestring);
        }
    }
}

static void test_valid_vectors(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("descriptors.json");
    const cJSON *c;
    int count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "valid"))
    {
        const char *name = tu_str(c, "name");
        size_t len;
        char *text = case_text(c, &len);
        dmboot_descriptor *d = NULL;
        dmboot_error err;
        if (dmboot_descriptor_parse(text, len, &d, &err) != DMBOOT_OK)
            fail_msg("valid case '%s' failed: %s", name, err.message);
        assert_int_equal(err.status, DMBOOT_OK);
        assert_string_equal(err.message, "");
        check_expect(name, d, cJSON_GetObjectItemCaseSensitive(c, "expect"));
        const cJSON *parsed = cJSON_GetObjectItemCaseSensitive(c, "parsed");
        assert_non_null(parsed);
        check_parsed(name, d, parsed);
        check_entries(d);
        /* the text is kept byte for byte, and parses again (deriver.c copies so) */
        size_t tl = 0;
        assert_memory_equal(dmboot_descriptor_text(d, &tl), text, len);
        assert_int_equal(tl, len);
        dmboot_descriptor *copy = NULL;
        assert_int_equal(dmboot_descriptor_parse(d->text, d->text_len, &copy, NULL), DMBOOT_OK);
        check_parsed(name, copy, parsed);
        dmboot_descriptor_free(copy);
        dmboot_descriptor_free(d);
        free(text);
        count++;
    }
    assert_true(count >= 12);
    cJSON_Delete(root);
}

/* Messages are printable ASCII: they quote only checked or escaped bytes. */
static void assert_printable(const char *name, const char *msg)
{
    for (const char *c = msg; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            fail_msg("case '%s': message has byte 0x%02X: %s", name, (unsigned char)*c, msg);
}

static void test_invalid_vectors(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("descriptors.json");
    const cJSON *c;
    int count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "invalid"))
    {
        size_t len;
        char *text = case_text(c, &len);
        dmboot_descriptor *d = (dmboot_descriptor *)&d; /* must be reset to NULL */
        dmboot_error err;
        dmboot_status st = dmboot_descriptor_parse(text, len, &d, &err);
        const char *name = tu_str(c, "name");
        size_t line = (size_t)cJSON_GetObjectItemCaseSensitive(c, "line")->valueint;
        const char *want = tu_str(c, "message_contains");
        if (st != DMBOOT_ERR_DESCRIPTOR)
            fail_msg("invalid case '%s' gave status %d", name, (int)st);
        assert_null(d);
        assert_int_equal(err.status, DMBOOT_ERR_DESCRIPTOR);
        if (err.line != line || strstr(err.message, want) == NULL)
            fail_msg("invalid case '%s': got '%s' (line %zu), expected line %zu and '%s'", name,
                     err.message, err.line, line, want);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %zu: ", line);
        assert_int_equal(strncmp(err.message, prefix, strlen(prefix)), 0);
        assert_printable(name, err.message);
        /* the same without an error structure */
        assert_int_equal(dmboot_descriptor_parse(text, len, &d, NULL), DMBOOT_ERR_DESCRIPTOR);
        assert_null(d);
        free(text);
        count++;
    }
    assert_true(count >= 60);
    cJSON_Delete(root);
}

static const char MINIMAL[] = "dmboot-descriptor: 1\nid: m\nissuer: I\ndevid-type: imei\n"
                              "devid-match: IMEI:35* IMEI:490154203237518\nserver-id: s\n"
                              "server-addr: http://h\n";

static char *temp_file(const char *data, size_t len, char path[32])
{
    strcpy(path, "/tmp/dmboot-test-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* MINIMAL then comment lines up to exactly n bytes. */
static char *padded(size_t n)
{
    char *buf = malloc(n + 2);
    size_t off = strlen(MINIMAL);
    memcpy(buf, MINIMAL, off);
    while (off < n) {
        size_t take = n - off > 1001 ? 1001 : n - off;
        memset(buf + off, 'x', take - 1);
        buf[off] = '#';
        buf[off + take - 1] = '\n';
        off += take;
    }
    return buf;
}

static void test_size_limit(void **state)
{
    (void)state;
    /* exactly 64 KiB parses; one byte more does not */
    size_t n = DMBOOT_DESCRIPTOR_MAX;
    char *buf = padded(n);
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(buf, n, &d, &err), DMBOOT_OK);
    dmboot_descriptor_free(d);
    char path[32];
    temp_file(buf, n, path);
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_OK);
    dmboot_descriptor_free(d);
    unlink(path);
    memcpy(buf + n - 1, "#\n", 2);
    assert_int_equal(dmboot_descriptor_parse(buf, n + 1, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    assert_non_null(strstr(err.message, "larger than 64 KiB"));
    assert_null(d);

    /* and from a file */
    temp_file(buf, n + 1, path);
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    assert_non_null(strstr(err.message, "larger than 64 KiB"));
    assert_non_null(strstr(err.message, path));
    assert_null(d);
    /* the status does not depend on whether the caller wants the message */
    assert_int_equal(dmboot_descriptor_load(path, &d, NULL), DMBOOT_ERR_DESCRIPTOR);
    unlink(path);
    free(buf);
}

static void test_load_file(void **state)
{
    (void)state;
    char path[32];
    temp_file(MINIMAL, strlen(MINIMAL), path);
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_OK);
    assert_string_equal(dmboot_descriptor_get(d, "id"), "m");
    assert_null(dmboot_descriptor_get(d, "kdf"));
    assert_int_equal(d->kdf, DMBOOT_KDF_HKDF_SHA256); /* the default */
    assert_int_equal(dmboot_descriptor_count(d), 7);
    const char *k, *v;
    assert_int_equal(dmboot_descriptor_entry(d, 4, &k, &v), DMBOOT_OK);
    assert_string_equal(k, "devid-match");
    assert_int_equal(dmboot_descriptor_entry(d, 7, &k, &v), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_descriptor_entry(d, 0, NULL, NULL), DMBOOT_OK);
    dmboot_descriptor_free(d);
    unlink(path);
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_ERR_IO);
    assert_non_null(strstr(err.message, path));
    assert_null(d);
    /* an invalid file: the descriptor's error, with its line */
    temp_file("dmboot-descriptor: 1\nID: x\n", 27, path);
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    assert_int_equal(err.line, 2);
    unlink(path);
    assert_int_equal(dmboot_descriptor_load(NULL, &d, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_descriptor_load(path, NULL, &err), DMBOOT_ERR_INVALID_ARGUMENT);
}

/* Entries, mac and signature included, in file order; the signed length. */
static void test_auth_entries(void **state)
{
    (void)state;
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "%s# before auth\nmac: hmac-sha256 %s\nsignature: ed25519 %s\n", MINIMAL,
                     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                     "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==");
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(text, (size_t)n, &d, &err), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_count(d), 9);
    const char *k, *v;
    assert_int_equal(dmboot_descriptor_entry(d, 7, &k, &v), DMBOOT_OK);
    assert_string_equal(k, "mac");
    assert_int_equal(dmboot_descriptor_entry(d, 8, &k, &v), DMBOOT_OK);
    assert_string_equal(k, "signature");
    assert_int_equal(dmboot_descriptor_signed_length(d), strlen(MINIMAL) + 14);
    assert_int_equal(d->entries[7].line, 9);
    for (size_t i = 0; i < DMB_MAC_LEN; i++)
        assert_int_equal(d->mac[i], i);
    for (size_t i = 0; i < DMB_SIG_LEN; i++)
        assert_int_equal(d->signature[i], i);
    dmboot_descriptor_free(d);
}

/* Many extension keys: all kept; a duplicate among them is found and names
 * the first occurrence (the key set is a hash table: collisions included). */
static void test_many_keys(void **state)
{
    (void)state;
    size_t cap = DMBOOT_DESCRIPTOR_MAX, off = strlen(MINIMAL);
    char *buf = malloc(cap + 1);
    memcpy(buf, MINIMAL, off);
    size_t keys = 0;
    while (off + 16 < cap) {
        off += (size_t)snprintf(buf + off, cap - off, "x-%zx: v\n", keys);
        keys++;
    }
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(buf, off, &d, &err), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_count(d), 7 + keys);
    assert_string_equal(dmboot_descriptor_get(d, "x-1a2"), "v");
    dmboot_descriptor_free(d);
    off += (size_t)snprintf(buf + off, cap + 1 - off, "x-7b: w\n");
    assert_int_equal(dmboot_descriptor_parse(buf, off, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    char want[64];
    snprintf(want, sizeof want, "line %zu: key 'x-7b' appears twice (first on line %d)",
             8 + keys, 8 + 0x7b);
    assert_string_equal(err.message, want);
    free(buf);
}

/* Every truncation of a valid file fails cleanly (or parses, when it ends
 * at a line end and keeps every required key), never crashes. */
static void test_truncations(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("descriptors.json");
    const cJSON *valid = cJSON_GetObjectItemCaseSensitive(root, "valid");
    const char *text = tu_str(cJSON_GetArrayItem(valid, 0), "text");
    size_t len = strlen(text);
    for (size_t n = 0; n < len; n++) {
        dmboot_descriptor *d = NULL;
        dmboot_error err;
        dmboot_status st = dmboot_descriptor_parse(text, n, &d, &err);
        if (n > 0 && text[n - 1] != '\n') {
            assert_int_equal(st, DMBOOT_ERR_DESCRIPTOR);
            assert_non_null(strstr(err.message, "missing newline"));
        }
        assert_true(st == DMBOOT_OK || st == DMBOOT_ERR_DESCRIPTOR);
        assert_true((st == DMBOOT_OK) == (d != NULL));
        dmboot_descriptor_free(d);
    }
    cJSON_Delete(root);
}

static dmboot_descriptor *parse_ok(const char *type, const char *match)
{
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "dmboot-descriptor: 1\nid: t\nissuer: I\ndevid-type: %s\n"
                     "devid-match: %s\nserver-id: s\nserver-addr: http://h\n",
                     type, match);
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse(text, (size_t)n, &d, &err) != DMBOOT_OK)
        fail_msg("%s", err.message);
    return d;
}

static bool covers(const dmboot_descriptor *d, const char *devid)
{
    return dmb_descriptor_covers(d, devid, strlen(devid));
}

static void test_covers(void **state)
{
    (void)state;
    dmboot_descriptor *d = parse_ok("imei", "IMEI:35209911* IMEI:490154203237518");
    assert_true(covers(d, "IMEI:352099110000000"));
    assert_true(covers(d, "IMEI:35209911")); /* the prefix itself (coverage is by string) */
    assert_false(covers(d, "IMEI:3520991"));
    assert_false(covers(d, "IMEI:352099120000000"));
    assert_true(covers(d, "IMEI:490154203237518"));
    assert_false(covers(d, "IMEI:49015420323751"));   /* exact: no prefix of it */
    assert_false(covers(d, "IMEI:4901542032375180")); /* nor longer */
    assert_false(covers(d, ""));
    dmboot_descriptor_free(d);

    d = parse_ok("opaque", "*");
    assert_true(covers(d, "anything"));
    assert_true(covers(d, ""));
    dmboot_descriptor_free(d);
}

static void test_covers_opaque(void **state)
{
    (void)state;
    dmboot_descriptor *d = parse_ok("opaque", "dev-* x");
    assert_true(covers(d, "dev-1"));
    assert_true(covers(d, "dev-"));
    assert_false(covers(d, "dev"));
    assert_true(covers(d, "x"));
    assert_false(covers(d, "xy"));
    assert_false(covers(d, "X"));
    dmboot_descriptor_free(d);
    d = parse_ok("esn", "ESN:8* ESN:12ABCDEF");
    assert_true(covers(d, "ESN:80000000"));
    assert_true(covers(d, "ESN:12ABCDEF"));
    assert_false(covers(d, "ESN:12ABCDEE"));
    dmboot_descriptor_free(d);
}

static void test_match(void **state)
{
    (void)state;
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(MINIMAL, strlen(MINIMAL), &d, &err), DMBOOT_OK);
    char out[DMBOOT_DEVID_MAX + 1];
    size_t n = 0;
    /* prefix pattern, typed with separators */
    assert_int_equal(dmboot_descriptor_match(d, "35-209900-176148-1", 18, out, sizeof out, &n,
                                             &err),
                     DMBOOT_OK);
    assert_string_equal(out, "IMEI:352099001761481");
    assert_int_equal(n, 20);
    /* exact pattern, any accepted shape */
    assert_int_equal(dmboot_descriptor_match(d, " imei:490154203237518", 21, out, sizeof out, &n,
                                             &err),
                     DMBOOT_OK);
    assert_string_equal(out, "IMEI:490154203237518");
    /* out may be NULL: only the answer */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237518", 15, NULL, 0, NULL, &err),
                     DMBOOT_OK);
    /* neither: well-formed but not covered */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237526", 15, NULL, 0, NULL, &err),
                     DMBOOT_ERR_NOT_COVERED);
    assert_non_null(strstr(err.message, "IMEI:490154203237526"));
    assert_non_null(strstr(err.message, "'m'"));
    /* malformed */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237519", 15, NULL, 0, NULL, &err),
                     DMBOOT_ERR_DEVID);
    assert_non_null(strstr(err.message, "check digit"));
    assert_int_equal(dmboot_descriptor_match(d, NULL, 0, NULL, 0, NULL, &err), DMBOOT_ERR_DEVID);
    /* output buffer too small */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237518", 15, out, 20, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 20);
    /* bad arguments */
    assert_int_equal(dmboot_descriptor_match(NULL, "1", 1, NULL, 0, NULL, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_descriptor_match(d, "1", 1, out, sizeof out, NULL, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    dmboot_descriptor_free(d);

    /* the descriptor's own type normalizes: MEID in lowercase, opaque as is */
    d = parse_ok("meid", "MEID:A0*");
    assert_int_equal(dmboot_descriptor_match(d, "meid:a0000012345678", 19, out, sizeof out, &n,
                                             &err),
                     DMBOOT_OK);
    assert_string_equal(out, "MEID:A0000012345678");
    assert_int_equal(dmboot_descriptor_match(d, "B0000012345678", 14, out, sizeof out, &n, &err),
                     DMBOOT_ERR_NOT_COVERED);
    dmboot_descriptor_free(d);
    d = parse_ok("opaque", "IMEI:*");
    assert_int_equal(dmboot_descriptor_match(d, "IMEI:490154203237519", 20, out, sizeof out, &n,
                                             &err),
                     DMBOOT_OK); /* opaque: no check digit */
    assert_int_equal(dmboot_descriptor_match(d, "imei:490154203237518", 20, out, sizeof out, &n,
                                             &err),
                     DMBOOT_ERR_NOT_COVERED); /* opaque: no case folding */
    dmboot_descriptor_free(d);
}

static void test_null_arguments(void **state)
{
    (void)state;
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(NULL, 1, &d, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_descriptor_parse("x", 1, NULL, NULL), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_descriptor_parse(NULL, 0, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    assert_int_equal(err.line, 1);
    assert_null(dmboot_descriptor_get(NULL, "id"));
    assert_int_equal(dmboot_descriptor_count(NULL), 0);
    assert_int_equal(dmboot_descriptor_signed_length(NULL), 0);
    assert_null(dmboot_descriptor_text(NULL, NULL));
    assert_int_equal(dmboot_descriptor_entry(NULL, 0, NULL, NULL), DMBOOT_ERR_INVALID_ARGUMENT);
    dmboot_descriptor_free(NULL);
    assert_int_equal(dmboot_descriptor_parse(MINIMAL, strlen(MINIMAL), &d, &err), DMBOOT_OK);
    assert_null(dmboot_descriptor_get(d, NULL));
    assert_null(dmboot_descriptor_get(d, "x-absent"));
    dmboot_descriptor_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_vectors), cmocka_unit_test(test_invalid_vectors),
        cmocka_unit_test(test_size_limit),    cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_auth_entries),  cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_truncations),   cmocka_unit_test(test_covers),
        cmocka_unit_test(test_covers_opaque), cmocka_unit_test(test_match),
        cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
