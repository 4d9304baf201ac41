/*
 * Descriptor authentication end to end: the vectors file, sign then
 * verify, every tamper case (every byte, every region, removed and
 * reordered lines, wrong keys, validity bounds), the policy, key-check on
 * every use of a key, and signing's rules for lines it keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "test_util.h"

/* Not in the examples or any other test: a descriptor of this file's own. */
static const char BODY[] =
    "# Authentication test batch: line 1 is a comment\n"
    "dmboot-descriptor: 1\n"
    "id: test-auth-001\n"
    "issuer: Test Issuer Ltd\n"
    "not-before: 2026-01-01\n"
    "not-after: 2027-12-31\n"
    "devid-type: imei\n"
    "devid-match: IMEI:35000011* IMEI:490154203237518\n"
    "kdf: hkdf-sha256\n"
    "key-id: test-key-1\n"
    "server-id: dm.test.example\n"
    "\n"
    "server-name: Test DM\n"
    "server-addr: https://dm.test.example/dm\n"
    "auth-pref: HMAC\n"
    "name: devid\n"
    "client-secret: derive bytes 16 base64url\n"
    "server-secret: derive chars 20 alnum\n"
    "client-nonce: derive bytes 16\n"
    "server-nonce: derive bytes 16\n"
    "x-note: trailing entry\n";

/* RFC 8032 §7.1 TEST 1 and TEST 2 keys. */
static const char SK1_PEM[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                              "-----END PRIVATE KEY-----\n";
static const char PK1_PEM[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
                              "-----END PUBLIC KEY-----\n";
static const char PK2_PEM[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\n"
                              "-----END PUBLIC KEY-----\n";

static uint8_t MASTER[32], OTHER[32];
#define IN_RANGE 1780272000 /* 2026-06-01T00:00:00Z */

static dmboot_signing_key *sk1(void)
{
    dmboot_signing_key *k = NULL;
    assert_int_equal(dmboot_signing_key_from_pem(SK1_PEM, strlen(SK1_PEM), &k, NULL),
                     DMBOOT_OK);
    return k;
}

static dmboot_descriptor *parse_ok(const char *text, size_t len)
{
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    if (dmboot_descriptor_parse(text, len, &d, &err) != DMBOOT_OK)
        fail_msg("parse: %s", err.message);
    return d;
}

/* Signed text (malloc'd) of `text` under the given keys. */
static char *sign_text(const char *text, size_t len, const uint8_t *key, size_t key_len,
                       dmboot_key_kind kind, const dmboot_signing_key *sk, unsigned flags,
                       size_t *out_len)
{
    dmboot_descriptor *d = parse_ok(text, len);
    dmboot_error err;
    size_t need = 0;
    assert_int_equal(dmboot_descriptor_sign(d, key, key_len, kind, sk, flags, NULL, 0, &need,
                                            &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    char *out = malloc(need + 1);
    if (dmboot_descriptor_sign(d, key, key_len, kind, sk, flags, out, need + 1, out_len,
                               &err) != DMBOOT_OK)
        fail_msg("sign: %s", err.message);
    assert_int_equal(*out_len, need);
    dmboot_descriptor_free(d);
    return out;
}

/* A verifier with the master key and/or issuer keys, at IN_RANGE. */
static dmboot_verifier *verifier(const uint8_t *key, dmboot_key_kind kind, const char *pem1,
                                 const char *pem2, unsigned flags)
{
    dmboot_verifier *v = NULL;
    assert_int_equal(dmboot_verifier_new(&v, NULL), DMBOOT_OK);
    if (key != NULL)
        assert_int_equal(dmboot_verifier_set_key(v, key, 32, kind, NULL), DMBOOT_OK);
    if (pem1 != NULL)
        assert_int_equal(dmboot_verifier_add_issuer_key(v, pem1, strlen(pem1), NULL),
                         DMBOOT_OK);
    if (pem2 != NULL)
        assert_int_equal(dmboot_verifier_add_issuer_key(v, pem2, strlen(pem2), NULL),
                         DMBOOT_OK);
    dmboot_verifier_set_time(v, IN_RANGE);
    assert_int_equal(dmboot_verifier_set_flags(v, flags, NULL), DMBOOT_OK);
    return v;
}

/* Parse and verify; a parse failure is DMBOOT_ERR_DESCRIPTOR. */
static dmboot_status verify_text(const char *text, size_t len, const dmboot_verifier *v,
                                 unsigned *checked, dmboot_error *err)
{
    dmboot_descriptor *d = NULL;
    dmboot_status st = dmboot_descriptor_parse(text, len, &d, err);
    if (st != DMBOOT_OK)
        return st;
    st = dmboot_descriptor_verify(d, v, checked, err);
    dmboot_descriptor_free(d);
    return st;
}

static char *fully_signed(size_t *len)
{
    dmboot_signing_key *k = sk1();
    char *t = sign_text(BODY, strlen(BODY), MASTER, 32, DMBOOT_KEY_MASTER, k,
                        DMBOOT_SIGN_KEY_CHECK, len);
    dmboot_signing_key_free(k);
    return t;
}

static void expect_message(const dmboot_error *err, const char *fragment)
{
    if (strstr(err->message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", err->message, fragment);
}

/* ---- vectors ---------------------------------------------------------- */

static void test_vectors(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("authentication.json");
    const cJSON *c;
    int count = 0, with_mac_line = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "cases"))
    {
        const char *name = tu_str(c, "name"), *text = tu_str(c, "descriptor");
        size_t key_len, bk_len, mk_len, mac_len;
        uint8_t *key = tu_unhex(tu_str(c, "key"), &key_len);
        uint8_t *bk = tu_unhex(tu_str(c, "batch_key"), &bk_len);
        uint8_t *mk = tu_unhex(tu_str(c, "mac_key"), &mk_len);
        uint8_t mac_want[64];
        assert_true(dmb_base64_decode(tu_str(c, "mac"), strlen(tu_str(c, "mac")), mac_want,
                                      sizeof mac_want, &mac_len));
        assert_int_equal(mac_len, 32);
        const char *kdf = tu_str(c, "kdf");
        dmboot_descriptor *d = parse_ok(text, strlen(text));
        const char *dkdf = dmboot_descriptor_get(d, "kdf");
        assert_string_equal(kdf, dkdf ? dkdf : "hkdf-sha256");
        dmboot_error err;
        uint8_t got[32];
        char kc[9];
        assert_int_equal(dmboot_descriptor_batch_key(d, key, key_len, got, &err), DMBOOT_OK);
        tu_assert_bytes(got, 32, bk, bk_len, name);
        for (int kind = 0; kind < 2; kind++) {
            const uint8_t *k = kind == DMBOOT_KEY_MASTER ? key : bk;
            size_t kl = kind == DMBOOT_KEY_MASTER ? key_len : bk_len;
            assert_int_equal(dmboot_descriptor_key_check(d, k, kl, (dmboot_key_kind)kind, kc,
                                                         &err),
                             DMBOOT_OK);
            assert_string_equal(kc, tu_str(c, "key_check"));
            /* the MAC key comes from the master key only (spec §2.7) */
            dmboot_status want = kind == DMBOOT_KEY_MASTER ? DMBOOT_OK : DMBOOT_ERR_KEY;
            assert_int_equal(dmboot_descriptor_mac_key(d, k, kl, (dmboot_key_kind)kind, got,
                                                       &err),
                             want);
            if (want == DMBOOT_OK)
                tu_assert_bytes(got, 32, mk, mk_len, name);
            else
                expect_message(&err, "a batch key cannot make or check the MAC");
            assert_int_equal(dmboot_descriptor_mac(d, k, kl, (dmboot_key_kind)kind, got, &err),
                             want);
            if (want == DMBOOT_OK)
                tu_assert_bytes(got, 32, mac_want, 32, name);
        }
        assert_int_equal(dmboot_kdf_mac_key(d->kdf, key, key_len, d->id, strlen(d->id), got,
                                            &err),
                         DMBOOT_OK);
        tu_assert_bytes(got, 32, mk, mk_len, name);
        /* a descriptor that carries its mac verifies with the master key,
         * unless the case is a tampered one ("valid": false) */
        const cJSON *valid = cJSON_GetObjectItemCaseSensitive(c, "valid");
        bool tampered = cJSON_IsFalse(valid);
        if (d->has_mac) {
            with_mac_line++;
            dmboot_verifier *v = verifier(NULL, DMBOOT_KEY_MASTER, NULL, NULL,
                                          DMBOOT_VERIFY_IGNORE_VALIDITY);
            assert_int_equal(dmboot_verifier_set_key(v, key, key_len, DMBOOT_KEY_MASTER, NULL),
                             DMBOOT_OK);
            unsigned checked = 0;
            if (tampered) {
                assert_memory_not_equal(d->mac, mac_want, 32);
                assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err),
                                 DMBOOT_ERR_BAD_MAC);
            } else {
                tu_assert_bytes(d->mac, 32, mac_want, 32, name);
                assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err), DMBOOT_OK);
                assert_true(checked & DMBOOT_CHECKED_MAC);
            }
            dmboot_verifier_free(v);
        }
        dmboot_descriptor_free(d);
        free(key), free(bk), free(mk);
        count++;
    }
    assert_true(count >= 4);
    assert_true(with_mac_line >= 1);

    int sigs = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "signature"))
    {
        const char *text = tu_str(c, "descriptor"), *priv = tu_str(c, "private_key_pem");
        const char *pub = tu_str(c, "public_key_pem"), *want = tu_str(c, "signature");
        dmboot_descriptor *d = parse_ok(text, strlen(text));
        dmboot_signing_key *k = NULL;
        assert_int_equal(dmboot_signing_key_from_pem(priv, strlen(priv), &k, NULL), DMBOOT_OK);
        uint8_t sig[64], want_sig[64];
        size_t want_len;
        assert_true(dmb_base64_decode(want, strlen(want), want_sig, sizeof want_sig, &want_len));
        assert_int_equal(dmb_ed25519_sign(k, d->text, d->signed_len, sig, NULL), DMBOOT_OK);
        tu_assert_bytes(sig, 64, want_sig, want_len, "Ed25519 signature vector");
        if (d->has_signature) {
            tu_assert_bytes(d->signature, 64, want_sig, 64, "signature line");
            dmboot_verifier *v = verifier(NULL, DMBOOT_KEY_MASTER, pub, NULL,
                                          DMBOOT_VERIFY_IGNORE_VALIDITY);
            unsigned checked = 0;
            assert_int_equal(dmboot_descriptor_verify(d, v, &checked, NULL), DMBOOT_OK);
            assert_int_equal(checked & DMBOOT_CHECKED_SIGNATURE, DMBOOT_CHECKED_SIGNATURE);
            dmboot_verifier_free(v);
        }
        dmboot_signing_key_free(k);
        dmboot_descriptor_free(d);
        sigs++;
    }
    assert_true(sigs >= 1);
    cJSON_Delete(root);
}

/* ---- sign then verify --------------------------------------------------- */

static void test_sign_then_verify(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    /* body unchanged but for the inserted key-check line (after key-id) */
    assert_non_null(strstr(t, "key-id: test-key-1\nkey-check: "));
    assert_true(strncmp(t + len - DMB_SIG_LINE_LEN, "signature: ed25519 ", 19) == 0);
    dmboot_verifier *v = verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    dmboot_verify_report r;
    dmboot_descriptor *d = parse_ok(t, len);
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err), DMBOOT_OK);
    assert_int_equal(r.checked, DMBOOT_CHECKED_SIGNATURE | DMBOOT_CHECKED_KEY_CHECK |
                                    DMBOOT_CHECKED_MAC | DMBOOT_CHECKED_VALIDITY);
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.issuer_key, 1);
    assert_string_equal(r.mac, "ok");
    assert_string_equal(r.validity, "ok (2026-01-01 .. 2027-12-31)");
    assert_string_equal(r.signature, "ok (issuer key 1)");
    assert_true(strncmp(r.key_check, "ok (", 4) == 0);
    assert_int_equal(r.at, IN_RANGE);
    /* signing is deterministic: signing again gives the same bytes */
    dmboot_signing_key *k = sk1();
    size_t len2;
    char *t2 = sign_text(t, len, MASTER, 32, DMBOOT_KEY_MASTER, k, DMBOOT_SIGN_KEY_CHECK, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(t, t2, len);
    /* the batch key cannot make the mac line (spec §2.7) */
    uint8_t bk[32];
    assert_int_equal(dmboot_descriptor_batch_key(d, MASTER, 32, bk, NULL), DMBOOT_OK);
    size_t n3 = 0;
    char *t3 = malloc(DMBOOT_DESCRIPTOR_MAX + 1);
    assert_int_equal(dmboot_descriptor_sign(d, bk, 32, DMBOOT_KEY_BATCH, k, 0, t3,
                                            DMBOOT_DESCRIPTOR_MAX + 1, &n3, &err),
                     DMBOOT_ERR_KEY);
    expect_message(&err, "a batch key cannot make or check the MAC of descriptor");
    dmboot_signing_key_free(k);
    free(t2);
    free(t3);
    dmboot_descriptor_free(d);
    dmboot_verifier_free(v);
    free(t);
}

/* ---- tampering ------------------------------------------------------------ */

/* Does the text still parse with a mac line? A change to the LF before it
 * joins the mac line to the entry above: then the master key alone finds
 * nothing to check, and "not authenticated" is the right refusal. */
static bool has_mac_line(const char *text, size_t len)
{
    dmboot_descriptor *d = NULL;
    if (dmboot_descriptor_parse(text, len, &d, NULL) != DMBOOT_OK)
        return false;
    bool has = d->has_mac;
    dmboot_descriptor_free(d);
    return has;
}

/* Every byte before the authentication lines, changed three ways: the
 * result either does not parse or does not verify, for each verifier. */
static void test_every_byte_flip(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    dmboot_descriptor *d = parse_ok(t, len);
    size_t signed_len = d->signed_len;
    dmboot_descriptor_free(d);
    assert_true(signed_len > 500);
    dmboot_verifier *both = verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    dmboot_verifier *key_only = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    dmboot_verifier *sig_only = verifier(NULL, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    static const uint8_t masks[] = {0x01, 0x20, 0x80};
    size_t parsed = 0, tried = 0;
    for (size_t i = 0; i < signed_len; i++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            t[i] = (char)(t[i] ^ masks[m]);
            tried++;
            dmboot_error err;
            dmboot_status st = verify_text(t, len, both, NULL, &err);
            if (st != DMBOOT_ERR_DESCRIPTOR) {
                parsed++;
                if (st != DMBOOT_ERR_BAD_SIGNATURE)
                    fail_msg("byte %zu ^ 0x%02x: both keys gave %s (%s)", i, masks[m],
                             dmboot_strerror(st), err.message);
                st = verify_text(t, len, sig_only, NULL, &err);
                if (st != DMBOOT_ERR_BAD_SIGNATURE)
                    fail_msg("byte %zu ^ 0x%02x: issuer key gave %s", i, masks[m],
                             dmboot_strerror(st));
                st = verify_text(t, len, key_only, NULL, &err);
                if (st != DMBOOT_ERR_BAD_MAC && st != DMBOOT_ERR_KEY_MISMATCH &&
                    !(st == DMBOOT_ERR_UNAUTHENTICATED && !has_mac_line(t, len)))
                    fail_msg("byte %zu ^ 0x%02x: master key gave %s", i, masks[m],
                             dmboot_strerror(st));
            }
            t[i] = (char)(t[i] ^ masks[m]);
        }
    }
    /* the loop reached verification often, not only parse errors */
    assert_true(parsed > signed_len / 2);
    assert_int_equal(tried, 3 * signed_len);
    /* and the untouched text still verifies */
    assert_int_equal(verify_text(t, len, both, NULL, NULL), DMBOOT_OK);
    dmboot_verifier_free(both);
    dmboot_verifier_free(key_only);
    dmboot_verifier_free(sig_only);
    free(t);
}

/* A byte replaced by a plausible one in each region of each line (comment
 * text, key, separator, value, newline): still fails. Where the change
 * keeps the file well-formed, it is the MAC and the signature that fail. */
static void test_each_region(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    dmboot_descriptor *d = parse_ok(t, len);
    size_t signed_len = d->signed_len;
    dmboot_descriptor_free(d);
    dmboot_verifier *key_only = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    dmboot_verifier *sig_only = verifier(NULL, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    size_t regions = 0, auth_failures = 0, value_auth_failures = 0;
    for (size_t start = 0; start < signed_len;) {
        size_t end = start;
        while (t[end] != '\n')
            end++;
        size_t colon = start;
        while (colon < end && t[colon] != ':')
            colon++;
        /* region starts: whole line for blank/comment; else key, ": ", value */
        size_t at[4];
        size_t n = 0;
        if (end == start || t[start] == '#') {
            if (end > start + 2)
                at[n++] = start + 2; /* comment text */
        } else {
            at[n++] = start;          /* key */
            at[n++] = colon;          /* separator ':' */
            at[n++] = colon + 1;      /* separator ' ' */
            at[n++] = end - 1;        /* value (last byte) */
        }
        for (size_t r = 0; r <= n; r++) {
            size_t i = r < n ? at[r] : end; /* r == n: the newline */
            char old = t[i];
            char c = old;
            if (c >= 'a' && c <= 'y')
                c++;
            else if (c >= 'A' && c <= 'Y')
                c++;
            else if (c >= '0' && c <= '8')
                c++;
            else if (c == '\n')
                c = ' ';
            else
                c = c == 'z' ? 'a' : c == 'Z' ? 'A' : c == '9' ? '0' : 'x';
            t[i] = c;
            dmboot_error err;
            dmboot_status a = verify_text(t, len, key_only, NULL, &err);
            dmboot_status b = verify_text(t, len, sig_only, NULL, &err);
            regions++;
            if (a == DMBOOT_ERR_DESCRIPTOR) {
                assert_int_equal(b, DMBOOT_ERR_DESCRIPTOR);
            } else {
                if ((a != DMBOOT_ERR_BAD_MAC && a != DMBOOT_ERR_KEY_MISMATCH &&
                     !(a == DMBOOT_ERR_UNAUTHENTICATED && !has_mac_line(t, len))) ||
                    b != DMBOOT_ERR_BAD_SIGNATURE)
                    fail_msg("byte %zu '%c'->'%c': %s / %s", i, old, c, dmboot_strerror(a),
                             dmboot_strerror(b));
                auth_failures++;
                if (r == n - 1 && n == 4)
                    value_auth_failures++;
            }
            t[i] = old;
        }
        start = end + 1;
    }
    assert_true(regions > 80);
    /* most values take a plausible change and parse: the MAC caught it */
    assert_true(value_auth_failures >= 10);
    assert_true(auth_failures >= value_auth_failures);
    dmboot_verifier_free(key_only);
    dmboot_verifier_free(sig_only);
    free(t);
}

/* Remove each line of the signed bytes in turn. */
static void test_removed_lines(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    dmboot_descriptor *d = parse_ok(t, len);
    size_t signed_len = d->signed_len;
    dmboot_descriptor_free(d);
    dmboot_verifier *key_only = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    dmboot_verifier *sig_only = verifier(NULL, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    char *buf = malloc(len);
    size_t lines = 0, reached = 0;
    for (size_t start = 0; start < signed_len;) {
        size_t end = start;
        while (t[end] != '\n')
            end++;
        size_t n = 0;
        memcpy(buf, t, start);
        n = start;
        memcpy(buf + n, t + end + 1, len - end - 1);
        n += len - end - 1;
        dmboot_status a = verify_text(buf, n, key_only, NULL, NULL);
        dmboot_status b = verify_text(buf, n, sig_only, NULL, NULL);
        if (a != DMBOOT_ERR_DESCRIPTOR) {
            reached++;
            assert_true(a == DMBOOT_ERR_BAD_MAC || a == DMBOOT_ERR_KEY_MISMATCH);
            assert_int_equal(b, DMBOOT_ERR_BAD_SIGNATURE);
        }
        lines++;
        start = end + 1;
    }
    assert_true(lines >= 20);
    assert_true(reached >= 8); /* optional lines: comment, blank, not-before, ... */

    /* The authentication lines are independent of each other: without its
     * mac line the signature still holds, and the reverse; a policy that
     * requires the removed one refuses. */
    const char *mac_line = strstr(t, "\nmac: ") + 1;
    const char *sig_line = strstr(t, "\nsignature: ") + 1;
    size_t n = (size_t)(mac_line - t);
    memcpy(buf, t, n);
    memcpy(buf + n, sig_line, len - (size_t)(sig_line - t));
    n += len - (size_t)(sig_line - t);
    dmboot_verifier *both = verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    dmboot_verifier *need_mac =
        verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL, DMBOOT_VERIFY_REQUIRE_MAC);
    dmboot_error err;
    assert_int_equal(verify_text(buf, n, both, NULL, NULL), DMBOOT_OK);
    assert_int_equal(verify_text(buf, n, need_mac, NULL, &err), DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "a MAC is required, but it has no mac line");
    assert_int_equal(verify_text(buf, n, key_only, NULL, &err), DMBOOT_ERR_UNAUTHENTICATED);
    n = (size_t)(sig_line - t);
    dmboot_verifier *need_sig =
        verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL, DMBOOT_VERIFY_REQUIRE_SIGNATURE);
    assert_int_equal(verify_text(t, n, both, NULL, NULL), DMBOOT_OK);
    assert_int_equal(verify_text(t, n, need_sig, NULL, &err), DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "a signature is required, but it has no signature line");
    dmboot_verifier_free(both);
    dmboot_verifier_free(need_mac);
    dmboot_verifier_free(need_sig);
    dmboot_verifier_free(key_only);
    dmboot_verifier_free(sig_only);
    free(buf);
    free(t);
}

/* Authentication lines out of order, or followed by anything, do not parse. */
static void test_reordered_auth_lines(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    const char *mac_line = strstr(t, "\nmac: ") + 1;
    const char *sig_line = strstr(t, "\nsignature: ") + 1;
    size_t body = (size_t)(mac_line - t), mac_len = (size_t)(sig_line - mac_line);
    size_t sig_len = len - (size_t)(sig_line - t);
    char *buf = malloc(len + 64);
    memcpy(buf, t, body);
    memcpy(buf + body, sig_line, sig_len);
    memcpy(buf + body + sig_len, mac_line, mac_len);
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(buf, len, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    /* an entry after the authentication lines */
    memcpy(buf, t, len);
    memcpy(buf + len, "x-late: 1\n", 10);
    assert_int_equal(dmboot_descriptor_parse(buf, len + 10, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    /* the last entry moved below the mac line */
    const char *last = strstr(t, "x-note: trailing entry\n");
    size_t last_len = strlen("x-note: trailing entry\n");
    size_t n = (size_t)(last - t);
    memcpy(buf, t, n);
    memcpy(buf + n, mac_line, mac_len);
    memcpy(buf + n + mac_len, last, last_len);
    memcpy(buf + n + mac_len + last_len, sig_line, sig_len);
    assert_int_equal(dmboot_descriptor_parse(buf, len, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    assert_null(d);
    free(buf);
    free(t);
}

static void test_wrong_keys(void **state)
{
    (void)state;
    dmboot_signing_key *k = sk1();
    size_t len, len2;
    char *t = fully_signed(&len);
    /* mac and signature only, no key-check */
    char *nokc = sign_text(BODY, strlen(BODY), MASTER, 32, DMBOOT_KEY_MASTER, k, 0, &len2);
    dmboot_error err;
    dmboot_verify_report r;

    /* another master key: key-check names it, and the MAC is not computed */
    dmboot_verifier *v = verifier(OTHER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    dmboot_descriptor *d = parse_ok(t, len);
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err), DMBOOT_ERR_KEY_MISMATCH);
    expect_message(&err, "key-check check failed for descriptor 'test-auth-001'");
    expect_message(&err, "wrong key");
    assert_string_equal(r.mac, "not checked (the key failed key-check)");
    assert_int_equal(r.failed, DMBOOT_CHECKED_KEY_CHECK);
    /* without key-check in the file, the MAC catches it */
    dmboot_descriptor *e = parse_ok(nokc, len2);
    assert_int_equal(dmboot_descriptor_verify_report(e, v, &r, &err), DMBOOT_ERR_BAD_MAC);
    expect_message(&err, "mac check failed");
    assert_string_equal(r.key_check, "not checked (the descriptor has no key-check line)");
    dmboot_verifier_free(v);

    /* the batch key of another descriptor (same body, other id) */
    char other_body[sizeof BODY];
    memcpy(other_body, BODY, sizeof BODY);
    memcpy(strstr(other_body, "test-auth-001"), "test-auth-002", 13);
    dmboot_descriptor *o = parse_ok(other_body, strlen(other_body));
    uint8_t bk_other[32], bk[32];
    assert_int_equal(dmboot_descriptor_batch_key(o, MASTER, 32, bk_other, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_batch_key(d, MASTER, 32, bk, NULL), DMBOOT_OK);
    assert_memory_not_equal(bk, bk_other, 32);
    v = verifier(bk_other, DMBOOT_KEY_BATCH, NULL, NULL, 0);
    assert_int_equal(dmboot_descriptor_verify(d, v, NULL, &err), DMBOOT_ERR_KEY_MISMATCH);
    expect_message(&err, "batch key");
    /* a batch key does not check a MAC at all: not authenticated */
    assert_int_equal(dmboot_descriptor_verify(e, v, NULL, &err), DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "a batch key cannot check a MAC");
    dmboot_verifier_free(v);
    /* a master key given as a batch key (same length): caught */
    v = verifier(MASTER, DMBOOT_KEY_BATCH, NULL, NULL, 0);
    assert_int_equal(dmboot_descriptor_verify(d, v, NULL, &err), DMBOOT_ERR_KEY_MISMATCH);
    dmboot_verifier_free(v);
    /* the right batch key passes key-check, but cannot check the MAC: on
     * its own it authenticates nothing (a factory holds it) */
    v = verifier(bk, DMBOOT_KEY_BATCH, NULL, NULL, 0);
    unsigned checked = 0;
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err),
                     DMBOOT_ERR_UNAUTHENTICATED);
    assert_int_equal(r.checked, DMBOOT_CHECKED_KEY_CHECK | DMBOOT_CHECKED_VALIDITY);
    assert_string_equal(r.mac, "not checked (a batch key cannot check a MAC: its key comes "
                               "from the master key)");
    expect_message(&err, "its mac line was not checked: a batch key cannot check a MAC");
    dmboot_verifier_free(v);
    v = verifier(bk, DMBOOT_KEY_BATCH, NULL, NULL, DMBOOT_VERIFY_REQUIRE_MAC);
    assert_int_equal(dmboot_descriptor_verify(d, v, NULL, &err), DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "a MAC is required, but a batch key cannot check a MAC");
    dmboot_verifier_free(v);
    /* the master key verifies */
    v = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err), DMBOOT_OK);
    assert_int_equal(checked, DMBOOT_CHECKED_KEY_CHECK | DMBOOT_CHECKED_MAC |
                                  DMBOOT_CHECKED_VALIDITY);
    dmboot_verifier_free(v);

    /* wrong issuer key; the right one second in the list */
    v = verifier(NULL, DMBOOT_KEY_MASTER, PK2_PEM, NULL, 0);
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err),
                     DMBOOT_ERR_BAD_SIGNATURE);
    expect_message(&err, "signature check failed");
    assert_int_equal(r.issuer_key, 0);
    dmboot_verifier_free(v);
    v = verifier(NULL, DMBOOT_KEY_MASTER, PK2_PEM, PK1_PEM, 0);
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err), DMBOOT_OK);
    assert_int_equal(r.issuer_key, 2);
    dmboot_verifier_free(v);

    dmboot_descriptor_free(o);
    dmboot_descriptor_free(e);
    dmboot_descriptor_free(d);
    dmboot_signing_key_free(k);
    free(nokc);
    free(t);
}

/* A well-formed mac or signature line with another value. */
static void test_other_values(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    char *mac_value = strstr(t, "\nmac: hmac-sha256 ") + 18;
    char saved[44];
    memcpy(saved, mac_value, 44);
    memcpy(mac_value, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 44);
    dmboot_verifier *both = verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    dmboot_verifier *allow = verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL,
                                      DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED |
                                          DMBOOT_VERIFY_IGNORE_VALIDITY);
    dmboot_error err;
    assert_int_equal(verify_text(t, len, both, NULL, &err), DMBOOT_ERR_BAD_MAC);
    expect_message(&err, "passes key-check, so the descriptor was changed");
    /* no flag excuses a line that is present and fails */
    assert_int_equal(verify_text(t, len, allow, NULL, &err), DMBOOT_ERR_BAD_MAC);
    memcpy(mac_value, saved, 44);
    assert_int_equal(verify_text(t, len, both, NULL, NULL), DMBOOT_OK);

    /* a signature by another key over the same bytes */
    dmboot_signing_key *other = NULL;
    assert_int_equal(dmboot_signing_key_generate(&other, NULL), DMBOOT_OK);
    char *resigned = sign_text(t, len, NULL, 0, DMBOOT_KEY_MASTER, other, 0, &len);
    assert_int_equal(verify_text(resigned, len, both, NULL, &err), DMBOOT_ERR_BAD_SIGNATURE);
    assert_int_equal(verify_text(resigned, len, allow, NULL, &err), DMBOOT_ERR_BAD_SIGNATURE);
    dmboot_signing_key_free(other);
    dmboot_verifier_free(both);
    dmboot_verifier_free(allow);
    free(resigned);
    free(t);
}

/* not-before starts at 00:00:00 UTC, not-after ends at 23:59:59 UTC. */
static void test_validity_bounds(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    dmboot_descriptor *d = parse_ok(t, len);
    dmboot_verifier *v = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    const int64_t nb = 1767225600;     /* 2026-01-01T00:00:00Z */
    const int64_t na = 1830297599;     /* 2027-12-31T23:59:59Z */
    dmboot_error err;
    dmboot_verify_report r;
    dmboot_verifier_set_time(v, nb - 1);
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err), DMBOOT_ERR_NOT_VALID_NOW);
    expect_message(&err, "validity check failed for descriptor 'test-auth-001': not valid yet");
    expect_message(&err, "2025-12-31T23:59:59Z");
    assert_int_equal(r.checked, DMBOOT_CHECKED_KEY_CHECK | DMBOOT_CHECKED_MAC);
    dmboot_verifier_set_time(v, nb);
    assert_int_equal(dmboot_descriptor_verify(d, v, NULL, &err), DMBOOT_OK);
    dmboot_verifier_set_time(v, na);
    assert_int_equal(dmboot_descriptor_verify(d, v, NULL, &err), DMBOOT_OK);
    dmboot_verifier_set_time(v, na + 1);
    assert_int_equal(dmboot_descriptor_verify(d, v, NULL, &err), DMBOOT_ERR_NOT_VALID_NOW);
    expect_message(&err, "expired: not-after was 2027-12-31");
    /* ignoring validity */
    assert_int_equal(dmboot_verifier_set_flags(v, DMBOOT_VERIFY_IGNORE_VALIDITY, NULL),
                     DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err), DMBOOT_OK);
    assert_string_equal(r.validity, "not checked (validity ignored on request)");
    assert_false(r.checked & DMBOOT_CHECKED_VALIDITY);
    /* the clock, read at verification: this descriptor expires in 2027, so
     * only check that it is read at all (the time lands in the report) */
    assert_int_equal(dmboot_verifier_set_flags(v, 0, NULL), DMBOOT_OK);
    dmboot_verifier_use_clock(v);
    (void)dmboot_descriptor_verify_report(d, v, &r, &err);
    assert_true(r.at > 1700000000);
    dmboot_verifier_free(v);
    dmboot_descriptor_free(d);

    /* one bound only, and none */
    const char *open_end = "dmboot-descriptor: 1\nid: v1\nissuer: I\nnot-before: 2026-01-01\n"
                           "devid-type: opaque\ndevid-match: *\nserver-id: s\n"
                           "server-addr: https://s/\n";
    const char *no_bounds = "dmboot-descriptor: 1\nid: v2\nissuer: I\n"
                            "devid-type: opaque\ndevid-match: *\nserver-id: s\n"
                            "server-addr: https://s/\n";
    v = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    char *s1 = sign_text(open_end, strlen(open_end), MASTER, 32, DMBOOT_KEY_MASTER, NULL, 0,
                         &len);
    d = parse_ok(s1, len);
    dmboot_verifier_set_time(v, INT64_MAX);
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err), DMBOOT_OK);
    assert_string_equal(r.validity, "ok (from 2026-01-01)");
    dmboot_descriptor_free(d);
    char *s2 = sign_text(no_bounds, strlen(no_bounds), MASTER, 32, DMBOOT_KEY_MASTER, NULL, 0,
                         &len);
    d = parse_ok(s2, len);
    dmboot_verifier_set_time(v, INT64_MIN);
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err), DMBOOT_OK);
    assert_string_equal(r.validity, "ok (no not-before or not-after)");
    dmboot_descriptor_free(d);
    dmboot_verifier_free(v);
    free(s1);
    free(s2);
    free(t);
}

static void test_policy(void **state)
{
    (void)state;
    dmboot_error err;
    dmboot_verify_report r;
    dmboot_descriptor *plain = parse_ok(BODY, strlen(BODY));
    dmboot_verifier *v = verifier(MASTER, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    /* no authentication line at all */
    assert_int_equal(dmboot_descriptor_verify_report(plain, v, &r, &err),
                     DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "descriptor 'test-auth-001' is not authenticated: it has neither a "
                         "mac nor a signature line");
    assert_string_equal(r.mac, "not checked (the descriptor has no mac line)");
    assert_string_equal(r.signature, "not checked (the descriptor has no signature line)");
    assert_int_equal(dmboot_verifier_set_flags(v, DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED, NULL),
                     DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_verify(plain, v, NULL, &err), DMBOOT_OK);
    dmboot_verifier_free(v);

    /* lines present, but nothing to check them with */
    size_t len;
    char *t = fully_signed(&len);
    dmboot_descriptor *d = parse_ok(t, len);
    v = verifier(NULL, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    unsigned checked = 99;
    assert_int_equal(dmboot_descriptor_verify_report(d, v, &r, &err),
                     DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "its mac line was not checked: no key given; its signature line was "
                         "not checked: no issuer key given");
    assert_string_equal(r.key_check, "not checked (no key given)");
    assert_string_equal(r.mac, "not checked (no key given)");
    assert_string_equal(r.signature, "not checked (no issuer key given)");
    assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err),
                     DMBOOT_ERR_UNAUTHENTICATED);
    assert_int_equal(checked, DMBOOT_CHECKED_VALIDITY);
    dmboot_verifier_free(v);
    /* the signature alone is enough by default; requiring the mac is not met */
    v = verifier(NULL, DMBOOT_KEY_MASTER, PK1_PEM, NULL, 0);
    assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err), DMBOOT_OK);
    assert_int_equal(checked, DMBOOT_CHECKED_SIGNATURE | DMBOOT_CHECKED_VALIDITY);
    assert_int_equal(dmboot_verifier_set_flags(v, DMBOOT_VERIFY_REQUIRE_MAC, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err),
                     DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "a MAC is required, but no key was given");
    dmboot_verifier_free(v);
    /* the mac alone likewise; requiring the signature is not met */
    v = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, DMBOOT_VERIFY_REQUIRE_SIGNATURE);
    assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err),
                     DMBOOT_ERR_UNAUTHENTICATED);
    expect_message(&err, "a signature is required, but no issuer key was given");
    dmboot_verifier_free(v);
    /* a failure comes before the policy */
    v = verifier(OTHER, DMBOOT_KEY_MASTER, NULL, NULL, DMBOOT_VERIFY_REQUIRE_SIGNATURE);
    assert_int_equal(dmboot_descriptor_verify(d, v, &checked, &err), DMBOOT_ERR_KEY_MISMATCH);
    dmboot_verifier_free(v);
    assert_int_equal(dmboot_descriptor_verify(NULL, NULL, &checked, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(checked, 0);
    dmboot_descriptor_free(d);
    dmboot_descriptor_free(plain);
    free(t);
}

/* ---- key-check on every use of a key --------------------------------------- */

static void test_key_check_guards_every_use(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    dmboot_descriptor *d = parse_ok(t, len);
    dmboot_error err;
    uint8_t out[32];
    memset(out, 0xaa, sizeof out);
    assert_int_equal(dmboot_descriptor_batch_key(d, OTHER, 32, out, &err),
                     DMBOOT_ERR_KEY_MISMATCH);
    expect_message(&err, "does not match key-check");
    uint8_t zero[32] = {0};
    assert_memory_equal(out, zero, 32); /* no batch key handed out */
    assert_int_equal(dmboot_descriptor_mac(d, OTHER, 32, DMBOOT_KEY_MASTER, out, &err),
                     DMBOOT_ERR_KEY_MISMATCH);
    assert_int_equal(dmboot_descriptor_mac_key(d, OTHER, 32, DMBOOT_KEY_MASTER, out, &err),
                     DMBOOT_ERR_KEY_MISMATCH);
    dmboot_deriver *dv = NULL;
    assert_int_equal(dmboot_deriver_new(d, OTHER, 32, DMBOOT_KEY_MASTER, &dv, &err),
                     DMBOOT_ERR_KEY_MISMATCH);
    assert_null(dv);
    size_t n = 0;
    assert_int_equal(dmboot_descriptor_sign(d, OTHER, 32, DMBOOT_KEY_MASTER, NULL, 0, NULL, 0,
                                            &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL); /* size first */
    char *buf = malloc(n + 1);
    assert_int_equal(dmboot_descriptor_sign(d, OTHER, 32, DMBOOT_KEY_MASTER, NULL, 0, buf,
                                            n + 1, &n, &err),
                     DMBOOT_ERR_KEY_MISMATCH);
    expect_message(&err, "sign with key-check");
    /* computing the key check itself never compares */
    char kc[9];
    assert_int_equal(dmboot_descriptor_key_check(d, OTHER, 32, DMBOOT_KEY_MASTER, kc, &err),
                     DMBOOT_OK);
    assert_string_not_equal(kc, d->key_check);
    /* with the right key all of them work */
    assert_int_equal(dmboot_descriptor_batch_key(d, MASTER, 32, out, &err), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_mac(d, out, 32, DMBOOT_KEY_BATCH, out, &err),
                     DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_descriptor_mac(d, MASTER, 32, DMBOOT_KEY_MASTER, out, &err),
                     DMBOOT_OK);
    assert_memory_equal(out, d->mac, 32);
    free(buf);
    dmboot_descriptor_free(d);
    free(t);
}

/* Issue 14.3: a factory holds the batch key. Under the old rule (MAC key =
 * the descriptor-mac stream of BK) a worker could rewrite a descriptor and
 * make a MAC that the operator's master key accepted. The MAC key now comes
 * from the master key: such a MAC fails with the master key, whatever the
 * policy, and the registry's default policy refuses it. */
static void test_batch_key_forged_mac(void **state)
{
    (void)state;
    size_t len;
    char *t = sign_text(BODY, strlen(BODY), MASTER, 32, DMBOOT_KEY_MASTER, NULL,
                        DMBOOT_SIGN_KEY_CHECK, &len);
    dmboot_descriptor *d = parse_ok(t, len);
    uint8_t bk[32];
    assert_int_equal(dmboot_descriptor_batch_key(d, MASTER, 32, bk, NULL), DMBOOT_OK);
    /* the worker's rewrite: another server address, the same key-check */
    char *body = malloc(DMBOOT_DESCRIPTOR_MAX + 1);
    size_t n = d->signed_len;
    memcpy(body, t, n);
    body[n] = '\0';
    char *addr = strstr(body, "https://dm.test.example/dm\n");
    assert_non_null(addr);
    memcpy(addr, "https://evil.test.exampl/", 25);
    /* the old rule's MAC key, from the batch key alone */
    uint8_t mk[32], mac[32];
    assert_int_equal(dmboot_kdf_stream(DMBOOT_KDF_HKDF_SHA256, bk, "descriptor-mac", 14,
                                       "dm.test.example", 15, "", 0, mk, 32, NULL),
                     DMBOOT_OK);
    assert_int_equal(dmb_hmac(mk, body, n, mac, NULL), DMBOOT_OK);
    memcpy(body + n, "mac: hmac-sha256 ", 17);
    n += 17;
    n += dmb_base64_encode(mac, 32, false, body + n);
    body[n++] = '\n';
    body[n] = '\0';
    dmboot_descriptor *f = parse_ok(body, n);
    dmboot_error err;
    static const unsigned policies[] = {0, DMBOOT_VERIFY_REQUIRE_MAC,
                                        DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED};
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        dmboot_verifier *v = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, policies[i]);
        dmboot_verify_report r;
        assert_int_equal(dmboot_descriptor_verify_report(f, v, &r, &err), DMBOOT_ERR_BAD_MAC);
        expect_message(&err, "mac check failed for descriptor 'test-auth-001'");
        assert_true(r.checked & DMBOOT_CHECKED_KEY_CHECK); /* the batch key is genuine */
        dmboot_verifier_free(v);
    }
    /* the registry's default policy */
    dmboot_verifier *v = verifier(MASTER, DMBOOT_KEY_MASTER, NULL, NULL, 0);
    dmboot_registry *reg = NULL;
    assert_int_equal(dmboot_registry_new(&reg, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(reg, f, v, &err), DMBOOT_ERR_BAD_MAC);
    assert_int_equal(dmboot_registry_count(reg), 0);
    /* the genuine descriptor is accepted */
    assert_int_equal(dmboot_registry_add(reg, d, v, &err), DMBOOT_OK);
    /* and the batch key cannot make a MAC through the API either */
    assert_int_equal(dmboot_descriptor_mac(f, bk, 32, DMBOOT_KEY_BATCH, mac, &err),
                     DMBOOT_ERR_KEY);
    expect_message(&err, "give the master key");
    dmboot_registry_free(reg);
    dmboot_verifier_free(v);
    OPENSSL_cleanse(mk, sizeof mk);
    dmboot_descriptor_free(f);
    dmboot_descriptor_free(d);
    free(body);
    free(t);
}

/* Derivation with the batch key gives exactly the master key's accounts. */
static void test_batch_key_derives_the_same(void **state)
{
    (void)state;
    size_t len;
    char *t = fully_signed(&len);
    dmboot_descriptor *d = parse_ok(t, len);
    uint8_t bk[32];
    assert_int_equal(dmboot_descriptor_batch_key(d, MASTER, 32, bk, NULL), DMBOOT_OK);
    dmboot_deriver *dm = NULL, *db = NULL;
    dmboot_account *am = NULL, *ab = NULL;
    assert_int_equal(dmboot_deriver_new(d, MASTER, 32, DMBOOT_KEY_MASTER, &dm, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_deriver_new(d, bk, 32, DMBOOT_KEY_BATCH, &db, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_account_new(&am, NULL), DMBOOT_OK);
    assert_int_equal(dmboot_account_new(&ab, NULL), DMBOOT_OK);
    static const char *const devids[] = {"490154203237518", "IMEI:350000110000003",
                                         "35-000011-999999-9", "IMEI:351234560000000"};
    int derived = 0;
    for (size_t i = 0; i < sizeof devids / sizeof devids[0]; i++) {
        dmboot_error err;
        dmboot_status s1 = dmboot_derive(dm, devids[i], strlen(devids[i]), am, &err);
        dmboot_status s2 = dmboot_derive(db, devids[i], strlen(devids[i]), ab, &err);
        assert_int_equal(s1, s2);
        if (s1 != DMBOOT_OK)
            continue;
        derived++;
        char rm[DMBOOT_ROW_MAX], rb[DMBOOT_ROW_MAX];
        size_t lm, lb;
        assert_int_equal(dmboot_account_format(am, DMBOOT_FORMAT_JSON, rm, sizeof rm, &lm, NULL),
                         DMBOOT_OK);
        assert_int_equal(dmboot_account_format(ab, DMBOOT_FORMAT_JSON, rb, sizeof rb, &lb, NULL),
                         DMBOOT_OK);
        assert_string_equal(rm, rb);
    }
    assert_true(derived >= 2);
    dmboot_account_free(am);
    dmboot_account_free(ab);
    dmboot_deriver_free(dm);
    dmboot_deriver_free(db);
    dmboot_descriptor_free(d);
    free(t);
}

/* ---- signing's rules --------------------------------------------------------- */

static void test_sign_rules(void **state)
{
    (void)state;
    dmboot_signing_key *k = sk1();
    dmboot_error err;
    size_t len, len2, n;
    /* mac only, then a signature added: the mac line is kept byte for byte */
    char *m = sign_text(BODY, strlen(BODY), MASTER, 32, DMBOOT_KEY_MASTER, NULL, 0, &len);
    assert_int_equal(len, strlen(BODY) + DMB_MAC_LINE_LEN);
    assert_memory_equal(m, BODY, strlen(BODY));
    char *ms = sign_text(m, len, NULL, 0, DMBOOT_KEY_MASTER, k, 0, &len2);
    assert_int_equal(len2, len + DMB_SIG_LINE_LEN);
    assert_memory_equal(ms, m, len);

    /* key-check set on a signed file without the signing key: refused */
    dmboot_descriptor *d = parse_ok(ms, len2);
    char *buf = malloc(DMBOOT_DESCRIPTOR_MAX + 1);
    assert_int_equal(dmboot_descriptor_sign(d, MASTER, 32, DMBOOT_KEY_MASTER, NULL,
                                            DMBOOT_SIGN_KEY_CHECK, buf, DMBOOT_DESCRIPTOR_MAX + 1,
                                            &n, &err),
                     DMBOOT_ERR_BAD_SIGNATURE);
    expect_message(&err, "would no longer verify");
    dmboot_descriptor_free(d);

    /* key-check present and right: the flag changes nothing, so the kept
     * signature stays valid */
    char *full = fully_signed(&len);
    d = parse_ok(full, len);
    assert_int_equal(dmboot_descriptor_sign(d, MASTER, 32, DMBOOT_KEY_MASTER, NULL,
                                            DMBOOT_SIGN_KEY_CHECK, buf, DMBOOT_DESCRIPTOR_MAX + 1,
                                            &n, &err),
                     DMBOOT_OK);
    assert_int_equal(n, len);
    assert_memory_equal(buf, full, len);
    dmboot_descriptor_free(d);

    /* key-check wrong (another key): updated in place with the flag, and
     * nothing else moves */
    char *other = sign_text(BODY, strlen(BODY), OTHER, 32, DMBOOT_KEY_MASTER, NULL,
                            DMBOOT_SIGN_KEY_CHECK, &len2);
    char *moved = sign_text(other, len2, MASTER, 32, DMBOOT_KEY_MASTER, k,
                            DMBOOT_SIGN_KEY_CHECK, &n);
    assert_int_equal(n, len);
    assert_memory_equal(moved, full, len);
    /* the flag without the key, nothing to sign with, unknown flags */
    d = parse_ok(BODY, strlen(BODY));
    assert_int_equal(dmboot_descriptor_sign(d, NULL, 0, DMBOOT_KEY_MASTER, k,
                                            DMBOOT_SIGN_KEY_CHECK, buf, 100000, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_descriptor_sign(d, NULL, 0, DMBOOT_KEY_MASTER, NULL, 0, buf,
                                            100000, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    expect_message(&err, "nothing to sign with");
    assert_int_equal(dmboot_descriptor_sign(d, MASTER, 32, DMBOOT_KEY_MASTER, NULL, 0x80,
                                            buf, 100000, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    /* too small a buffer: the length needed, nothing written */
    memset(buf, 'z', 64);
    assert_int_equal(dmboot_descriptor_sign(d, MASTER, 32, DMBOOT_KEY_MASTER, k, 0, buf, 64,
                                            &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, strlen(BODY) + DMB_MAC_LINE_LEN + DMB_SIG_LINE_LEN);
    for (int i = 0; i < 64; i++)
        assert_int_equal(buf[i], 'z');
    dmboot_descriptor_free(d);

    /* without key-id, key-check goes after the last entry, before
     * trailing comments */
    const char *nokid = "dmboot-descriptor: 1\nid: kc\nissuer: I\n"
                        "devid-type: opaque\ndevid-match: dev-*\nserver-id: s\n"
                        "server-addr: https://s/\n# trailing comment\n\n";
    char *kc = sign_text(nokid, strlen(nokid), MASTER, 32, DMBOOT_KEY_MASTER, NULL,
                         DMBOOT_SIGN_KEY_CHECK, &n);
    assert_non_null(strstr(kc, "server-addr: https://s/\nkey-check: "));
    assert_non_null(strstr(kc, "\n# trailing comment\n\nmac: hmac-sha256 "));

    /* a result over the size limit is refused */
    size_t big_len = DMBOOT_DESCRIPTOR_MAX - 100; /* + the two lines > the limit */
    char *big = malloc(big_len + 1);
    size_t o = (size_t)snprintf(big, big_len, "%s", BODY);
    while (o < big_len) {
        size_t line = big_len - o > 1000 ? 1000 : big_len - o; /* LF included */
        big[o] = '#';
        memset(big + o + 1, 'c', line - 2);
        big[o + line - 1] = '\n';
        o += line;
    }
    assert_int_equal(o, big_len);
    d = parse_ok(big, o);
    assert_int_equal(dmboot_descriptor_sign(d, MASTER, 32, DMBOOT_KEY_MASTER, k, 0, buf,
                                            DMBOOT_DESCRIPTOR_MAX + 1, &n, &err),
                     DMBOOT_ERR_DESCRIPTOR);
    expect_message(&err, "more than 65536");
    dmboot_descriptor_free(d);

    free(big);
    free(kc);
    free(moved);
    free(other);
    free(full);
    free(buf);
    free(m);
    free(ms);
    dmboot_signing_key_free(k);
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 32; i++) {
        MASTER[i] = (uint8_t)i;
        OTHER[i] = (uint8_t)(0xa0 + i);
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_sign_then_verify),
        cmocka_unit_test(test_every_byte_flip),
        cmocka_unit_test(test_each_region),
        cmocka_unit_test(test_removed_lines),
        cmocka_unit_test(test_reordered_auth_lines),
        cmocka_unit_test(test_wrong_keys),
        cmocka_unit_test(test_other_values),
        cmocka_unit_test(test_validity_bounds),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_key_check_guards_every_use),
        cmocka_unit_test(test_batch_key_forged_mac),
        cmocka_unit_test(test_batch_key_derives_the_same),
        cmocka_unit_test(test_sign_rules),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
