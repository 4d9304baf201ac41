/* OMA DM credentials (tests/vectors/credentials.json), nonces, and the
 * x-syncml-hmac header's writer and reader. */
#include <stdlib.h>
#include <string.h>

#include "omadm/omadm.h"
#include "test_util.h"

static uint8_t *unb64(const char *s, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *out = malloc(n + 1);
    assert_non_null(out);
    assert_true(dmb_base64_decode(s, n, out, n + 1, len));
    return out;
}

static dmboot_cred_type type_of(const char *t)
{
    if (strcmp(t, "basic") == 0)
        return DMBOOT_CRED_BASIC;
    if (strcmp(t, "md5") == 0)
        return DMBOOT_CRED_MD5;
    assert_string_equal(t, "hmac");
    return DMBOOT_CRED_HMAC;
}

static void test_vectors(void **state)
{
    (void)state;
    cJSON *json = tu_load_vectors("credentials.json");
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(json, "cases");
    assert_true(cJSON_GetArraySize(cases) >= 15);
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        const char *label = tu_str(c, "case");
        dmboot_cred_type t = type_of(tu_str(c, "type"));
        const char *name = tu_str(c, "name"), *secret = tu_str(c, "secret");
        const char *want = tu_str(c, "value");
        assert_non_null(name);
        assert_non_null(secret);
        assert_non_null(want);
        size_t nonce_len = 0, body_len = 0;
        uint8_t *nonce = tu_str(c, "nonce") ? unb64(tu_str(c, "nonce"), &nonce_len) : NULL;
        uint8_t *body = tu_str(c, "body") ? unb64(tu_str(c, "body"), &body_len) : NULL;
        char out[DMBOOT_CRED_MAX + 1];
        size_t n = 0;
        dmboot_error err;
        dmboot_status st = dmboot_auth_compute(t, name, strlen(name), secret, strlen(secret),
                                               nonce, nonce_len, body, body_len, out,
                                               sizeof out, &n, &err);
        if (st != DMBOOT_OK)
            fail_msg("%s: %s", label, err.message);
        if (strcmp(out, want) != 0)
            fail_msg("%s: got %s, want %s", label, out, want);
        assert_int_equal(n, strlen(want));
        /* The per-type functions agree. */
        char one[DMBOOT_CRED_MAX + 1];
        if (t == DMBOOT_CRED_BASIC)
            st = dmboot_auth_basic(name, strlen(name), secret, strlen(secret), one, sizeof one, &n,
                                   &err);
        else if (t == DMBOOT_CRED_MD5)
            st = dmboot_auth_md5(name, strlen(name), secret, strlen(secret), nonce, nonce_len,
                                 one, sizeof one, &n, &err);
        else
            st = dmboot_auth_hmac(name, strlen(name), secret, strlen(secret), nonce, nonce_len,
                                  body, body_len, one, sizeof one, &n, &err);
        assert_int_equal(st, DMBOOT_OK);
        assert_string_equal(one, want);
        /* Verify accepts it, and rejects any one character changed. */
        assert_int_equal(dmboot_auth_verify(t, name, strlen(name), secret, strlen(secret), nonce,
                                            nonce_len, body, body_len, want, strlen(want), &err),
                         DMBOOT_OK);
        char bad[DMBOOT_CRED_MAX + 1];
        strcpy(bad, want);
        bad[0] = bad[0] == 'A' ? 'B' : 'A';
        assert_int_equal(dmboot_auth_verify(t, name, strlen(name), secret, strlen(secret), nonce,
                                            nonce_len, body, body_len, bad, strlen(bad), &err),
                         DMBOOT_ERR_AUTH_FAILED);
        assert_non_null(strstr(err.message, "does not match"));
        /* A shorter value (a prefix) is rejected too. */
        assert_int_equal(dmboot_auth_verify(t, name, strlen(name), secret, strlen(secret), nonce,
                                            nonce_len, body, body_len, want, strlen(want) - 1,
                                            &err),
                         DMBOOT_ERR_AUTH_FAILED);
        free(nonce);
        free(body);
    }
    cJSON_Delete(json);
}

/* Each input of md5 and HMAC matters: secret, name, nonce, body. */
static void test_inputs_matter(void **state)
{
    (void)state;
    const uint8_t nonce[] = {0, 1, 2, 3};
    const uint8_t body[] = "<SyncML/>";
    char ref[32], v[32];
    size_t n;
    assert_int_equal(dmboot_auth_hmac("dev", 3, "secret", 6, nonce, 4, body, 9, ref, sizeof ref,
                                      &n, NULL),
                     DMBOOT_OK);
    assert_int_equal(n, DMBOOT_CRED_MD5_LEN);
    dmboot_auth_hmac("dev", 3, "secreT", 6, nonce, 4, body, 9, v, sizeof v, &n, NULL);
    assert_string_not_equal(ref, v);
    dmboot_auth_hmac("deV", 3, "secret", 6, nonce, 4, body, 9, v, sizeof v, &n, NULL);
    assert_string_not_equal(ref, v);
    dmboot_auth_hmac("dev", 3, "secret", 6, nonce, 3, body, 9, v, sizeof v, &n, NULL);
    assert_string_not_equal(ref, v);
    dmboot_auth_hmac("dev", 3, "secret", 6, nonce, 4, body, 8, v, sizeof v, &n, NULL);
    assert_string_not_equal(ref, v);
    /* md5 ignores the body; basic ignores nonce and body. */
    char a[32], b[32];
    dmboot_auth_compute(DMBOOT_CRED_MD5, "dev", 3, "secret", 6, nonce, 4, body, 9, a, sizeof a,
                        &n, NULL);
    dmboot_auth_compute(DMBOOT_CRED_MD5, "dev", 3, "secret", 6, nonce, 4, NULL, 0, b, sizeof b,
                        &n, NULL);
    assert_string_equal(a, b);
}

static void test_buffers_and_arguments(void **state)
{
    (void)state;
    char out[64];
    size_t n = 0;
    dmboot_error err;
    /* Too small: nothing written, the length needed reported. */
    memset(out, 'x', sizeof out);
    assert_int_equal(dmboot_auth_md5("a", 1, "b", 1, NULL, 0, out, 24, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 24);
    assert_int_equal(out[0], 'x');
    assert_int_equal(dmboot_auth_md5("a", 1, "b", 1, NULL, 0, out, 25, &n, &err), DMBOOT_OK);
    assert_int_equal(dmboot_auth_basic("a", 1, "b", 1, NULL, 0, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 4);
    /* Limits and NULLs. */
    char *big = malloc(DMBOOT_AUTH_TEXT_MAX + 1);
    assert_non_null(big);
    memset(big, 's', DMBOOT_AUTH_TEXT_MAX + 1);
    assert_int_equal(dmboot_auth_basic("a", 1, big, DMBOOT_AUTH_TEXT_MAX + 1, out, sizeof out, &n,
                                       &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "secret"));
    /* The longest name and secret fit DMBOOT_CRED_MAX exactly. */
    char *cred = malloc(DMBOOT_CRED_MAX + 1);
    assert_non_null(cred);
    assert_int_equal(dmboot_auth_basic(big, DMBOOT_AUTH_TEXT_MAX, big, DMBOOT_AUTH_TEXT_MAX, cred,
                                       DMBOOT_CRED_MAX + 1, &n, &err),
                     DMBOOT_OK);
    assert_int_equal(n, DMBOOT_CRED_MAX);
    free(cred);
    free(big);
    assert_int_equal(dmboot_auth_md5(NULL, 1, "b", 1, NULL, 0, out, sizeof out, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_auth_md5("a", 1, "b", 1, NULL, 3, out, sizeof out, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_auth_compute((dmboot_cred_type)7, "a", 1, "b", 1, NULL, 0, NULL, 0,
                                         out, sizeof out, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
}

static void test_cred_type_names(void **state)
{
    (void)state;
    dmboot_cred_type t;
    assert_int_equal(dmboot_cred_type_parse("syncml:auth-md5", 15, &t, NULL), DMBOOT_OK);
    assert_int_equal(t, DMBOOT_CRED_MD5);
    assert_int_equal(dmboot_cred_type_parse("SYNCML:AUTH-BASIC", 17, &t, NULL), DMBOOT_OK);
    assert_int_equal(t, DMBOOT_CRED_BASIC);
    assert_int_equal(dmboot_cred_type_parse("syncml:auth-mac", 15, &t, NULL), DMBOOT_OK);
    assert_int_equal(t, DMBOOT_CRED_HMAC);
    dmboot_error err;
    assert_int_equal(dmboot_cred_type_parse("syncml:auth-X509", 16, &t, &err),
                     DMBOOT_ERR_UNSUPPORTED);
    assert_non_null(strstr(err.message, "syncml:auth-X509"));
    assert_int_equal(dmboot_cred_type_parse("syncml:auth-md5x", 15, &t, NULL), DMBOOT_OK);
    assert_string_equal(dmboot_cred_type_name(DMBOOT_CRED_HMAC), "syncml:auth-MAC");
    assert_null(dmboot_cred_type_name((dmboot_cred_type)9));
}

static void test_nonce(void **state)
{
    (void)state;
    uint8_t a[16], b[16];
    assert_int_equal(dmboot_nonce_generate(a, sizeof a, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_nonce_generate(b, sizeof b, NULL), DMBOOT_OK);
    assert_memory_not_equal(a, b, sizeof a);
    dmboot_error err;
    assert_int_equal(dmboot_nonce_generate(a, 4, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "8 to 255"));
    char t[400];
    size_t n;
    assert_int_equal(dmboot_nonce_generate_b64(16, t, sizeof t, &n, NULL), DMBOOT_OK);
    assert_int_equal(n, 24);
    assert_int_equal(t[22], '=');
    assert_int_equal(dmboot_nonce_generate_b64(255, t, sizeof t, &n, NULL), DMBOOT_OK);
    assert_int_equal(n, 340);
    assert_int_equal(dmboot_nonce_generate_b64(16, t, 24, &n, NULL), DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 24);
}

/* ---- x-syncml-hmac header ------------------------------------------- */

static void parse_ok(const char *text, const char *user, const char *mac)
{
    dmboot_hmac_header h;
    dmboot_error err;
    dmboot_status st = dmboot_hmac_header_parse(text, strlen(text), &h, &err);
    if (st != DMBOOT_OK)
        fail_msg("'%s': %s", text, err.message);
    assert_string_equal(h.algorithm, "MD5");
    assert_string_equal(h.username, user);
    assert_int_equal(h.username_len, strlen(user));
    assert_string_equal(h.mac, mac);
    assert_int_equal(h.mac_len, strlen(mac));
}

static void parse_bad(const char *text, size_t len, const char *expect)
{
    dmboot_hmac_header h;
    dmboot_error err;
    dmboot_status st = dmboot_hmac_header_parse(text, len, &h, &err);
    if (st != DMBOOT_ERR_SYNTAX)
        fail_msg("'%s': status %d, want a syntax error", text, st);
    if (strstr(err.message, expect) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", text, err.message, expect);
    assert_int_equal(h.username_len, 0); /* nothing half-filled */
}

static void test_header_parse(void **state)
{
    (void)state;
    const char *mac = "NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk=";
    parse_ok("algorithm=MD5, username=\"user\", mac=NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk=",
             "user", mac);
    /* spacing, case, order, quoting */
    parse_ok("  Algorithm = md5 ,USERNAME=user,\tMAC = \"NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJl"
             "Mzk=\"  ",
             "user", mac);
    parse_ok("mac=abc,username=\"IMEI:490154203237518\"", "IMEI:490154203237518", "abc");
    /* algorithm absent: MD5 */
    parse_ok("username=u, mac=m", "u", "m");
    /* unknown parameters (bare and quoted), empty list elements */
    parse_ok(",, username=u ,, realm=\"x, y=z\", nonce=abc, mac=m,", "u", "m");
    /* escapes in quoted strings; UTF-8 */
    parse_ok("username=\"a\\\"b\\\\c d\", mac=m", "a\"b\\c d", "m");
    parse_ok("username=\"Zo\xc3\xab\", mac=m", "Zo\xc3\xab", "m");
    parse_ok("username=\"\", mac=m", "", "m");
    /* a whole header line with its field name and CRLF */
    parse_ok("x-syncml-hmac: algorithm=MD5, username=\"u\", mac=m\r\n", "u", "m");
    parse_ok("X-SyncML-HMAC:username=u,mac=m", "u", "m");

    parse_bad("algorithm=MD5, mac=m", 20, "no username");
    parse_bad("username=u", 10, "no mac");
    parse_bad("username=u, mac=\"\"", 18, "mac is empty");
    parse_bad("", 0, "no username");
    parse_bad("username=u, username=v, mac=m", 29, "'username' is given twice");
    parse_bad("username=u, mac=m, MAC=n", 24, "'mac' is given twice");
    parse_bad("algorithm=MD5, algorithm=MD5, username=u, mac=m", 46, "'algorithm' is given twice");
    parse_bad("algorithm=SHA-256, username=u, mac=m", 36, "unsupported algorithm 'SHA-256'");
    parse_bad("algorithm=\"\", username=u, mac=m", 31, "unsupported algorithm ''");
    parse_bad("username=\"u, mac=m", 18, "unterminated quoted value");
    parse_bad("username=u mac=m", 16, "expected ',' between parameters at position 12");
    parse_bad("username u, mac=m", 17, "expected '=' after a parameter name");
    parse_bad("username=, mac=m", 16, "missing value");
    parse_bad("=u, mac=m", 9, "expected a parameter name at position 1");
    parse_bad("username=u, mac=m\r\nx-evil: 1", 28, "byte 0x0d");
    parse_bad("username=\"a\nb\", mac=m", 21, "control character");
    parse_bad("username=u, mac=m\0x", 19, "byte 0x00");
    parse_bad("username=u, mac=\"m\"junk", 23, "expected ','");
    /* lengths */
    char *text = malloc(4096);
    assert_non_null(text);
    strcpy(text, "username=u, mac=");
    memset(text + 16, 'A', DMBOOT_HMAC_MAC_MAX + 1);
    text[16 + DMBOOT_HMAC_MAC_MAX + 1] = '\0';
    parse_bad(text, strlen(text), "longer than 128");
    text[16 + DMBOOT_HMAC_MAC_MAX] = '\0';
    parse_ok(text, "u", text + 16);
    strcpy(text, "mac=m, username=");
    memset(text + 16, 'u', DMBOOT_AUTH_TEXT_MAX + 1);
    text[16 + DMBOOT_AUTH_TEXT_MAX + 1] = '\0';
    parse_bad(text, strlen(text), "longer than 1024");
    free(text);
    assert_int_equal(dmboot_hmac_header_parse(NULL, 0, NULL, NULL), DMBOOT_ERR_INVALID_ARGUMENT);
}

static void test_header_round_trip(void **state)
{
    (void)state;
    const char *names[] = {"IMEI:490154203237518", "a\"b\\c", "Zo\xc3\xab M\xc3\xbcller", "",
                           "x, mac=forged"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char v[DMBOOT_HMAC_HEADER_MAX + 1];
        size_t n = 0;
        assert_int_equal(dmboot_hmac_header_format(names[i], strlen(names[i]),
                                                   "Zz6EivR3yeaaENcRN6lpAQ==", 24, v, sizeof v, &n,
                                                   NULL),
                         DMBOOT_OK);
        assert_int_equal(n, strlen(v));
        parse_ok(v, names[i], "Zz6EivR3yeaaENcRN6lpAQ==");
    }
    char v[128];
    size_t n;
    assert_int_equal(dmboot_hmac_header_format("u", 1, "m", 1, v, sizeof v, &n, NULL), DMBOOT_OK);
    assert_string_equal(v, "algorithm=MD5, username=\"u\", mac=m");
    dmboot_error err;
    assert_int_equal(dmboot_hmac_header_format("u\r\nx-evil: 1", 12, "m", 1, v, sizeof v, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "control character"));
    assert_int_equal(dmboot_hmac_header_format("u", 1, "a,b", 3, v, sizeof v, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_hmac_header_format("u", 1, "", 0, v, sizeof v, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_hmac_header_format("u", 1, "m", 1, v, 34, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 34);
    /* The bound holds for the longest, most escaped name. */
    char *name = malloc(DMBOOT_AUTH_TEXT_MAX);
    char *mac = malloc(DMBOOT_HMAC_MAC_MAX);
    char *out = malloc(DMBOOT_HMAC_HEADER_MAX + 1);
    assert_true(name && mac && out);
    memset(name, '"', DMBOOT_AUTH_TEXT_MAX);
    memset(mac, 'A', DMBOOT_HMAC_MAC_MAX);
    assert_int_equal(dmboot_hmac_header_format(name, DMBOOT_AUTH_TEXT_MAX, mac,
                                               DMBOOT_HMAC_MAC_MAX, out,
                                               DMBOOT_HMAC_HEADER_MAX + 1, &n, NULL),
                     DMBOOT_OK);
    assert_int_equal(n, DMBOOT_HMAC_HEADER_MAX);
    free(name);
    free(mac);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_inputs_matter),
        cmocka_unit_test(test_buffers_and_arguments),
        cmocka_unit_test(test_cred_type_names),
        cmocka_unit_test(test_nonce),
        cmocka_unit_test(test_header_parse),
        cmocka_unit_test(test_header_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
