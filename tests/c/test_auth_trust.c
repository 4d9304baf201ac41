/*
 * Issuer scopes (issue 11, docs/authentication.md §6): the trust file's
 * grammar (every malformed file named with its line), and verification
 * refusing an issuer that claims another issuer's DevID range or key-id,
 * whatever was imported before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "test_util.h"

/* RFC 8032 §7.1 TEST 1 (ACME) and TEST 2 (Globex). */
static const char SK1_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                              "-----END PRIVATE KEY-----\n";
static const char SK2_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n"
                              "-----END PRIVATE KEY-----\n";
#define PK1 "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define PK2 "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="

static const char TRUST[] = "# the operator's trust file\n"
                            "issuer: ACME Devices Ltd\n"
                            "public-key: ed25519 " PK1 "\n"
                            "key-ids: acme-2026 acme-2027\n"
                            "devid-ranges: IMEI:35209911* IMEI:35209913*\n"
                            "\n"
                            "issuer: Globex Corp\n"
                            "public-key: ed25519 " PK2 "\n"
                            "key-ids: globex-2026\n"
                            "devid-ranges: IMEI:35209912* MEID:A00000* gx-*\n";

static uint8_t ACME_KEY[32], GLOBEX_KEY[32];

static void expect_message(const dmboot_error *err, const char *fragment)
{
    if (strstr(err->message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", err->message, fragment);
}

static dmboot_trust *trust(void)
{
    dmboot_trust *t = NULL;
    dmboot_error err;
    if (dmboot_trust_parse(TRUST, strlen(TRUST), &t, &err) != DMBOOT_OK)
        fail_msg("trust: %s", err.message);
    return t;
}

static void test_parse(void **state)
{
    (void)state;
    dmboot_trust *t = trust();
    assert_int_equal(dmboot_trust_count(t), 2);
    assert_string_equal(dmboot_trust_issuer(t, 0), "ACME Devices Ltd");
    assert_string_equal(dmboot_trust_issuer(t, 1), "Globex Corp");
    assert_null(dmboot_trust_issuer(t, 2));
    dmboot_trust_free(t);
    /* CRLF, indentation, comments and spaces around values are fine */
    static const char LOOSE[] = "  # comment\r\n"
                                "issuer:   Initech  \r\n"
                                "\tpublic-key: ed25519 " PK1 "\r\n"
                                "key-ids: ini-1\r\n"
                                "devid-ranges: ESN:8F*\r\n";
    dmboot_error err;
    assert_int_equal(dmboot_trust_parse(LOOSE, strlen(LOOSE), &t, &err), DMBOOT_OK);
    assert_string_equal(dmboot_trust_issuer(t, 0), "Initech");
    dmboot_trust_free(t);
}

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t line;
        const char *words;
    } cases[] = {
        {"", 1, "names no issuer"},
        {"# only a comment\n", 1, "names no issuer"},
        {"public-key: ed25519 " PK1 "\n", 1, "before any 'issuer:' line"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\n", 1,
         "issuer 'A' has no devid-ranges line"},
        {"issuer: A\nkey-ids: a\ndevid-ranges: x*\nissuer: B\n", 1,
         "issuer 'A' has no public-key line"},
        {"issuer: A\nbogus: 1\n", 2, "unknown key 'bogus'"},
        {"issuer: A\nno colon here\n", 2, "expected 'key: value'"},
        {"issuer: A\nkey-ids:\n", 2, "'key-ids' has no value"},
        {"issuer: A\npublic-key: rsa AAAA\n", 2, "public-key must be 'ed25519"},
        {"issuer: A\npublic-key: ed25519 AAAA\n", 2, "public-key must be 'ed25519"},
        {"issuer: A\nkey-ids: a b a\n", 2, "key-id 'a' is listed twice"},
        {"issuer: A\nkey-ids: a/b\n", 2, "key-id 'a/b' is not"},
        {"issuer: A\nkey-ids: a\nkey-ids: b\n", 3, "a second 'key-ids' line for issuer 'A'"},
        {"issuer: A\ndevid-ranges: IMEI:35*12\n", 2, "may hold '*' only at its end"},
        {"issuer: A\ndevid-ranges: caf\xc3\xa9*\n", 2, "printable ASCII"},
        {"issuer: A\tB\n", 1, "an issuer name is 1 to 128 bytes of UTF-8"},
        {"issuer: \xff\n", 1, "an issuer name"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: x*\n"
         "issuer: A\n",
         5, "issuer 'A' is already named on line 1"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: x*\n"
         "issuer: B\npublic-key: ed25519 " PK1 "\n",
         6, "this public key is already issuer 'A''s (line 1)"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: x*\n"
         "issuer: B\npublic-key: ed25519 " PK2 "\nkey-ids: b a\n",
         7, "key-id 'a' is already issuer 'A''s (line 1)"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: IMEI:3520*\n"
         "issuer: B\npublic-key: ed25519 " PK2 "\nkey-ids: b\ndevid-ranges: IMEI:35209911*\n",
         8, "devid-range 'IMEI:35209911*' meets issuer 'A''s 'IMEI:3520*' (line 1)"},
        /* an opaque-looking range that matches other spellings of another
         * issuer's typed DevIDs (the bare digits, a lowercase prefix, a
         * separator: the imei normalizer reads them as IMEI:...) meets it
         * too, in either order: otherwise the first of the two to import a
         * descriptor would keep the other's out (registry overlap, §5.1) */
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: IMEI:35209911*\n"
         "issuer: B\npublic-key: ed25519 " PK2 "\nkey-ids: b\ndevid-ranges: gx-* 35209911*\n",
         8, "devid-range '35209911*' meets issuer 'A''s 'IMEI:35209911*' (line 1)"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: IMEI:35209911*\n"
         "issuer: B\npublic-key: ed25519 " PK2 "\nkey-ids: b\ndevid-ranges: 3*\n",
         8, "devid-range '3*' meets issuer 'A''s 'IMEI:35209911*' (line 1)"},
        {"issuer: B\npublic-key: ed25519 " PK2 "\nkey-ids: b\ndevid-ranges: imei:*\n"
         "issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: IMEI:35209911*\n",
         8, "devid-range 'IMEI:35209911*' meets issuer 'B''s 'imei:*' (line 1)"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: MEID:A00000*\n"
         "issuer: B\npublic-key: ed25519 " PK2 "\nkey-ids: b\ndevid-ranges: a0*\n",
         8, "devid-range 'a0*' meets issuer 'A''s 'MEID:A00000*' (line 1)"},
        {"issuer: A\npublic-key: ed25519 " PK1 "\nkey-ids: a\ndevid-ranges: IMEI:352099110000003\n"
         "issuer: B\npublic-key: ed25519 " PK2 "\nkey-ids: b\ndevid-ranges: IMEI:-*\n",
         8, "devid-range 'IMEI:-*' meets issuer 'A''s 'IMEI:352099110000003' (line 1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dmboot_trust *t = NULL;
        dmboot_error err;
        dmboot_status st = dmboot_trust_parse(cases[i].text, strlen(cases[i].text), &t, &err);
        if (st != DMBOOT_ERR_SYNTAX || err.line != cases[i].line ||
            strstr(err.message, cases[i].words) == NULL)
            fail_msg("case %zu: status %d line %zu '%s' (want line %zu, '%s')", i, (int)st,
                     err.line, err.message, cases[i].line, cases[i].words);
        assert_null(t);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %zu: ", cases[i].line);
        expect_message(&err, prefix);
    }
    /* a file: the message names it */
    char path[] = "/tmp/dmboot-trust-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("issuer: A\nbogus: 1\n", f);
    fclose(f);
    dmboot_trust *t = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_trust_load(path, &t, &err), DMBOOT_ERR_SYNTAX);
    expect_message(&err, "trust file ");
    expect_message(&err, ": line 2: unknown key 'bogus'");
    assert_int_equal(err.line, 2);
    remove(path);
}

/* Signed (key-check, mac, signature) descriptor text. */
static dmboot_descriptor *make(const char *id, const char *type, const char *match,
                               const char *key_id, const uint8_t *key, const char *sk_pem)
{
    char text[2048], kid[96] = "";
    if (key_id != NULL)
        snprintf(kid, sizeof kid, "key-id: %s\n", key_id);
    snprintf(text, sizeof text,
             "dmboot-descriptor: 1\nid: %s\nissuer: T\ndevid-type: %s\ndevid-match: %s\n%s"
             "server-id: dm.op.example\nserver-addr: https://dm.op.example/\n"
             "client-secret: derive bytes 16 hex\n",
             id, type, match, kid);
    dmboot_descriptor *d = NULL, *s = NULL;
    dmboot_signing_key *sk = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(text, strlen(text), &d, &err), DMBOOT_OK);
    if (sk_pem != NULL)
        assert_int_equal(dmboot_signing_key_from_pem(sk_pem, strlen(sk_pem), &sk, &err),
                         DMBOOT_OK);
    char out[4096];
    size_t len = 0;
    if (dmboot_descriptor_sign(d, key, key ? 32 : 0, DMBOOT_KEY_MASTER, sk,
                               key ? DMBOOT_SIGN_KEY_CHECK : 0u, out, sizeof out, &len,
                               &err) != DMBOOT_OK)
        fail_msg("sign %s: %s", id, err.message);
    assert_int_equal(dmboot_descriptor_parse(out, len, &s, &err), DMBOOT_OK);
    dmboot_signing_key_free(sk);
    dmboot_descriptor_free(d);
    return s;
}

static dmboot_verifier *verifier(const dmboot_trust *t, const uint8_t *key)
{
    dmboot_verifier *v = NULL;
    assert_int_equal(dmboot_verifier_new(&v, NULL), DMBOOT_OK);
    if (key != NULL)
        assert_int_equal(dmboot_verifier_set_key(v, key, 32, DMBOOT_KEY_MASTER, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_trust(v, t, NULL), DMBOOT_OK);
    dmboot_verifier_set_time(v, 1780272000);
    return v;
}

static void expect_scope(const dmboot_descriptor *d, const dmboot_verifier *v,
                         const char *words)
{
    dmboot_error err;
    dmboot_verify_report r;
    dmboot_status st = dmboot_descriptor_verify_report(d, v, &r, &err);
    if (st != DMBOOT_ERR_SCOPE || strstr(err.message, words) == NULL)
        fail_msg("status %d '%s' (want scope, '%s')", (int)st, err.message, words);
    assert_true(r.failed & DMBOOT_CHECKED_SCOPE);
    assert_true(strncmp(r.scope, "FAILED: ", 8) == 0);
}

static void test_scope(void **state)
{
    (void)state;
    dmboot_trust *t = trust();
    dmboot_verifier *v = verifier(t, NULL); /* signatures by the trust file's keys */
    dmboot_error err;
    dmboot_verify_report r;

    /* within scope: accepted, and the report names the issuer */
    dmboot_descriptor *ok = make("acme-x1", "imei", "IMEI:35209911* IMEI:352099130000009",
                                 "acme-2026", NULL, SK1_PEM);
    assert_int_equal(dmboot_descriptor_verify_report(ok, v, &r, &err), DMBOOT_OK);
    assert_string_equal(r.signature, "ok (trusted issuer 'ACME Devices Ltd')");
    assert_string_equal(r.scope, "ok (issuer 'ACME Devices Ltd', key-id acme-2026)");
    assert_true(r.checked & DMBOOT_CHECKED_SCOPE);
    dmboot_descriptor *gx = make("globex-g1", "opaque", "gx-12*", "globex-2026", NULL, SK2_PEM);
    assert_int_equal(dmboot_descriptor_verify(gx, v, NULL, &err), DMBOOT_OK);

    /* A claims B's range: named issuer, descriptor and range */
    dmboot_descriptor *claim = make("acme-x2", "imei", "IMEI:35209912*", "acme-2026", NULL,
                                    SK1_PEM);
    expect_scope(claim, v,
                 "scope check failed for descriptor 'acme-x2': issuer 'ACME Devices Ltd' may "
                 "not claim devid-match 'IMEI:35209912*', outside its devid-ranges "
                 "(IMEI:35209911* IMEI:35209913*)");
    /* a wider prefix than its range, and a typed '*' (the whole type) */
    dmboot_descriptor *wide = make("acme-x3", "imei", "IMEI:3520991*", "acme-2026", NULL,
                                   SK1_PEM);
    expect_scope(wide, v, "may not claim devid-match 'IMEI:3520991*'");
    dmboot_descriptor *all = make("acme-x4", "imei", "*", "acme-2026", NULL, SK1_PEM);
    expect_scope(all, v, "may not claim devid-match '*'");
    /* A uses B's key-id */
    dmboot_descriptor *kid = make("acme-x5", "imei", "IMEI:35209911*", "globex-2026", NULL,
                                  SK1_PEM);
    expect_scope(kid, v, "issuer 'ACME Devices Ltd' uses key-id 'globex-2026', which is "
                         "issuer 'Globex Corp''s");
    dmboot_descriptor *nokid = make("acme-x6", "imei", "IMEI:35209911*", NULL, NULL, SK1_PEM);
    expect_scope(nokid, v, "issuer 'ACME Devices Ltd' signed it without a key-id line");
    dmboot_descriptor *other = make("acme-x7", "imei", "IMEI:35209911*", "acme-9", NULL,
                                    SK1_PEM);
    expect_scope(other, v, "uses key-id 'acme-9', which is not one of its key-ids");

    /* whatever was imported before: a registry refuses it with or without
     * Globex's descriptors in it */
    dmboot_registry *reg = NULL;
    assert_int_equal(dmboot_registry_new(&reg, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(reg, claim, v, &err), DMBOOT_ERR_SCOPE);
    assert_int_equal(dmboot_registry_add(reg, ok, v, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(reg, claim, v, &err), DMBOOT_ERR_SCOPE);
    assert_int_equal(dmboot_registry_add(reg, kid, v, &err), DMBOOT_ERR_SCOPE);
    assert_int_equal(dmboot_registry_count(reg), 1);
    dmboot_registry_free(reg);

    /* MAC only (no signature): the key-id names the issuer */
    dmboot_verifier *vm = verifier(t, ACME_KEY);
    dmboot_descriptor *mac_ok = make("acme-m1", "imei", "IMEI:35209913*", "acme-2027", ACME_KEY,
                                     NULL);
    assert_int_equal(dmboot_descriptor_verify(mac_ok, vm, NULL, &err), DMBOOT_OK);
    dmboot_descriptor *mac_out = make("acme-m2", "meid", "MEID:A0000012*", "acme-2027",
                                      ACME_KEY, NULL);
    expect_scope(mac_out, vm, "issuer 'ACME Devices Ltd' may not claim devid-match "
                              "'MEID:A0000012*'");
    dmboot_descriptor *mac_nokid = make("acme-m3", "imei", "IMEI:35209911*", NULL, ACME_KEY,
                                        NULL);
    expect_scope(mac_nokid, vm, "no trusted issuer signed it and it has no key-id");
    dmboot_verifier_free(vm);

    /* a signature by an issuer key that the trust file does not scope */
    dmboot_verifier *vx = verifier(t, NULL);
    static const char PK3_PEM[] = "-----BEGIN PUBLIC KEY-----\n"
                                  "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                                  "-----END PUBLIC KEY-----\n";
    assert_int_equal(dmboot_verifier_add_issuer_key(vx, PK3_PEM, strlen(PK3_PEM), NULL),
                     DMBOOT_OK);
    /* PK3 is ACME's key given again: it is still ACME, scoped */
    assert_int_equal(dmboot_descriptor_verify(ok, vx, NULL, &err), DMBOOT_OK);
    expect_scope(claim, vx, "may not claim");
    dmboot_verifier_free(vx);
    dmboot_signing_key *sk3 = NULL;
    assert_int_equal(dmboot_signing_key_generate(&sk3, NULL), DMBOOT_OK);
    char pem[DMBOOT_PEM_MAX];
    size_t pem_len = 0;
    assert_int_equal(dmboot_signing_key_public_pem(sk3, pem, sizeof pem, &pem_len, NULL),
                     DMBOOT_OK);
    dmboot_verifier *vy = verifier(t, NULL);
    assert_int_equal(dmboot_verifier_add_issuer_key(vy, pem, pem_len, NULL), DMBOOT_OK);
    char sk3_pem[DMBOOT_PEM_MAX];
    size_t sk3_len = 0;
    assert_int_equal(dmboot_signing_key_private_pem(sk3, sk3_pem, sizeof sk3_pem - 1, &sk3_len,
                                                    NULL),
                     DMBOOT_OK);
    sk3_pem[sk3_len] = '\0';
    dmboot_descriptor *stranger = make("x-1", "imei", "IMEI:35209911*", "acme-2026", NULL,
                                       sk3_pem);
    expect_scope(stranger, vy, "the trust file names no issuer with that key");
    dmboot_verifier_free(vy);
    dmboot_signing_key_free(sk3);
    dmboot_descriptor_free(stranger);

    /* without a trust file the scope is not checked */
    dmboot_verifier *vn = NULL;
    assert_int_equal(dmboot_verifier_new(&vn, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_flags(vn, DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED |
                                                       DMBOOT_VERIFY_IGNORE_VALIDITY,
                                               NULL),
                     DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_verify_report(claim, vn, &r, &err), DMBOOT_OK);
    assert_string_equal(r.scope, "not checked (no trust file given)");
    assert_string_equal(dmboot_check_name(DMBOOT_CHECK_SCOPE), "scope");
    dmboot_verifier_free(vn);

    dmboot_descriptor *ds[] = {ok, gx, claim, wide, all, kid, nokid, other,
                               mac_ok, mac_out, mac_nokid};
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++)
        dmboot_descriptor_free(ds[i]);
    dmboot_verifier_free(v);
    dmboot_trust_free(t);
}

int main(void)
{
    for (int i = 0; i < 32; i++) {
        ACME_KEY[i] = (uint8_t)(0x40 + i);
        GLOBEX_KEY[i] = (uint8_t)(0x90 + i);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
