/*
 * The KDF layer: published vectors (RFC 5869, NIST SP 800-108) through the
 * code paths the derivation uses, and the field streams checked against
 * OpenSSL's own EVP_KDF and one-shot HMAC, computed another way.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "derive/derive.h"
#include "test_util.h"

/* RFC 5869 A.1-A.3: Extract (EVP_KDF, as the batch key) then Expand (the
 * field stream's framing). */
static void test_rfc5869(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("published.json");
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "rfc5869");
    int count = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        size_t ikm_len, salt_len, info_len, prk_len, okm_len;
        uint8_t *ikm = tu_unhex(tu_str(c, "ikm"), &ikm_len);
        uint8_t *salt = tu_unhex(tu_str(c, "salt"), &salt_len);
        uint8_t *info = tu_unhex(tu_str(c, "info"), &info_len);
        uint8_t *prk = tu_unhex(tu_str(c, "prk"), &prk_len);
        uint8_t *okm = tu_unhex(tu_str(c, "okm"), &okm_len);
        size_t l = (size_t)cJSON_GetObjectItemCaseSensitive(c, "l")->valueint;
        assert_int_equal(l, okm_len);
        uint8_t got_prk[32], got[256];
        dmboot_error err;
        assert_int_equal(dmb_hkdf_extract(salt, salt_len, ikm, ikm_len, got_prk, &err),
                         DMBOOT_OK);
        tu_assert_bytes(got_prk, 32, prk, prk_len, "RFC 5869 PRK");
        assert_int_equal(dmb_hkdf_expand(prk, prk_len, info, info_len, got, l, &err),
                         DMBOOT_OK);
        tu_assert_bytes(got, l, okm, okm_len, "RFC 5869 OKM");
        free(ikm), free(salt), free(info), free(prk), free(okm);
        count++;
    }
    assert_true(count >= 3);
    cJSON_Delete(root);
}

/* SP 800-108 counter mode, HMAC-SHA256, 32-bit counter before the fixed
 * input data (CAVP KDFCTR): the field stream's KBKDF framing. */
static void test_sp800_108(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("published.json");
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(root, "sp800_108_counter_hmac_sha256");
    int count = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases)
    {
        size_t ki_len, fixed_len, ko_len;
        uint8_t *ki = tu_unhex(tu_str(c, "ki"), &ki_len);
        uint8_t *fixed = tu_unhex(tu_str(c, "fixed"), &fixed_len);
        uint8_t *ko = tu_unhex(tu_str(c, "ko"), &ko_len);
        size_t l_bits = (size_t)cJSON_GetObjectItemCaseSensitive(c, "l_bits")->valueint;
        assert_int_equal(l_bits, 8 * ko_len);
        uint8_t got[512];
        dmboot_error err;
        assert_int_equal(dmb_kbkdf_counter(ki, ki_len, fixed, fixed_len, got, ko_len, &err),
                         DMBOOT_OK);
        tu_assert_bytes(got, ko_len, ko, ko_len, "SP 800-108 KO");
        free(ki), free(fixed), free(ko);
        count++;
    }
    assert_true(count >= 2);
    cJSON_Delete(root);
}

/* OpenSSL's EVP_KDF over the same inputs: an independent computation of
 * each stream. */
static void evp_hkdf_expand(const uint8_t *prk, const uint8_t *info, size_t info_len,
                            uint8_t *out, size_t n)
{
    char digest[] = "SHA256";
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)prk, 32),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(uintptr_t)info,
                                          info_len),
        OSSL_PARAM_END};
    EVP_KDF *k = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(k);
    assert_int_equal(EVP_KDF_derive(ctx, out, n, p), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(k);
}

/* KBKDF with OpenSSL's L switched off and [65280]_32 appended to the
 * context by hand: L must not follow the requested length. */
static void evp_kbkdf_stream(const uint8_t *key, const char *label, const uint8_t *context,
                             size_t context_len, uint8_t *out, size_t n)
{
    char digest[] = "SHA256", mac[] = "HMAC", mode[] = "counter";
    int use_l = 0;
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, mac, 0),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, mode, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(uintptr_t)key, 32),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)(uintptr_t)label,
                                          strlen(label)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)(uintptr_t)context,
                                          context_len),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &use_l),
        OSSL_PARAM_END};
    EVP_KDF *k = EVP_KDF_fetch(NULL, "KBKDF", NULL);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(k);
    assert_int_equal(EVP_KDF_derive(ctx, out, n, p), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(k);
}

static void test_streams_match_evp_kdf(void **state)
{
    (void)state;
    static const size_t lengths[] = {1, 16, 31, 32, 33, 64, 100, 255, 1000, DMBOOT_STREAM_MAX};
    static const char *const labels[] = {"client-secret", "key-check", "x"};
    static uint8_t ours[DMBOOT_STREAM_MAX], theirs[DMBOOT_STREAM_MAX], full[DMBOOT_STREAM_MAX];
    uint8_t bk[32];
    const char sid[] = "dm.operator.example";
    const char dev[] = "IMEI:490154203237518";
    for (int kdf = 0; kdf < 2; kdf++) {
        for (size_t li = 0; li < 3; li++) {
            assert_int_equal(RAND_bytes(bk, sizeof bk), 1);
            const char *label = labels[li];
            const char *d = li == 1 ? "" : dev; /* key-check uses DEV = "" */
            /* LABEL || 0 || SID || 0 || DEV, and the KBKDF context */
            uint8_t info[128], context[128];
            size_t info_len = 0, ctx_len = 0;
            memcpy(info, label, strlen(label) + 1);
            info_len = strlen(label) + 1;
            memcpy(info + info_len, sid, sizeof sid);
            info_len += sizeof sid;
            memcpy(info + info_len, d, strlen(d));
            info_len += strlen(d);
            memcpy(context, sid, sizeof sid);
            ctx_len = sizeof sid;
            memcpy(context + ctx_len, d, strlen(d));
            ctx_len += strlen(d);
            memcpy(context + ctx_len, "\x00\x00\xff\x00", 4); /* [65280]_32 */
            ctx_len += 4;

            dmboot_error err;
            assert_int_equal(dmboot_kdf_stream((dmboot_kdf)kdf, bk, label, strlen(label), sid,
                                               strlen(sid), d, strlen(d), full,
                                               DMBOOT_STREAM_MAX, &err),
                             DMBOOT_OK);
            for (size_t i = 0; i < sizeof lengths / sizeof *lengths; i++) {
                size_t n = lengths[i];
                assert_int_equal(dmboot_kdf_stream((dmboot_kdf)kdf, bk, label, strlen(label),
                                                   sid, strlen(sid), d, strlen(d), ours, n,
                                                   &err),
                                 DMBOOT_OK);
                if (kdf == DMBOOT_KDF_HKDF_SHA256)
                    evp_hkdf_expand(bk, info, info_len, theirs, n);
                else
                    evp_kbkdf_stream(bk, label, context, ctx_len, theirs, n);
                tu_assert_bytes(ours, n, theirs, n, "stream vs EVP_KDF");
                /* a shorter read is a prefix of the longest */
                tu_assert_bytes(ours, n, full, n, "stream prefix");
            }
        }
    }
}

/* The batch key against one-shot HMAC (EVP_Q_mac), composed by hand from
 * spec §2.2. */
static void test_batch_key_matches_hmac(void **state)
{
    (void)state;
    static const size_t key_lens[] = {16, 32, 64};
    const char id[] = "acme-x1-2026w48";
    for (size_t i = 0; i < 3; i++) {
        uint8_t k[64], bk[32], want[32], msg[128];
        size_t want_len = 0;
        assert_int_equal(RAND_bytes(k, (int)key_lens[i]), 1);
        dmboot_error err;

        /* hkdf-sha256: HMAC(key = "dmboot/1" 0x00 ID, msg = K) */
        memcpy(msg, "dmboot/1\0", 9);
        memcpy(msg + 9, id, strlen(id));
        assert_int_equal(dmboot_kdf_batch_key(DMBOOT_KDF_HKDF_SHA256, k, key_lens[i], id,
                                              strlen(id), bk, &err),
                         DMBOOT_OK);
        assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, msg, 9 + strlen(id), k,
                                  key_lens[i], want, sizeof want, &want_len));
        tu_assert_bytes(bk, 32, want, want_len, "hkdf batch key");

        /* kbkdf: HMAC(K, [1]_32 "dmboot/1" 0x00 ID [256]_32) */
        size_t n = 0;
        memcpy(msg, "\x00\x00\x00\x01" "dmboot/1\0", 13);
        n = 13;
        memcpy(msg + n, id, strlen(id));
        n += strlen(id);
        memcpy(msg + n, "\x00\x00\x01\x00", 4);
        n += 4;
        assert_int_equal(dmboot_kdf_batch_key(DMBOOT_KDF_KBKDF_HMAC_SHA256, k, key_lens[i], id,
                                              strlen(id), bk, &err),
                         DMBOOT_OK);
        assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k, key_lens[i], msg, n,
                                  want, sizeof want, &want_len));
        tu_assert_bytes(bk, 32, want, want_len, "kbkdf batch key");
    }
}

static void test_kdf_errors(void **state)
{
    (void)state;
    uint8_t k[65] = {0}, bk[32], out[16];
    dmboot_error err;
    assert_int_equal(dmboot_kdf_batch_key(DMBOOT_KDF_HKDF_SHA256, k, 15, "a", 1, bk, &err),
                     DMBOOT_ERR_KEY);
    assert_non_null(strstr(err.message, "16 to 64 bytes"));
    assert_int_equal(dmboot_kdf_batch_key(DMBOOT_KDF_HKDF_SHA256, k, 65, "a", 1, bk, &err),
                     DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_kdf_batch_key((dmboot_kdf)7, k, 32, "a", 1, bk, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_kdf_batch_key(DMBOOT_KDF_HKDF_SHA256, NULL, 32, "a", 1, bk, NULL),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_kdf_stream(DMBOOT_KDF_HKDF_SHA256, bk, "x", 1, "s", 1, "d", 1,
                                       out, DMBOOT_STREAM_MAX + 1, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_kdf_stream((dmboot_kdf)2, bk, "x", 1, "s", 1, "d", 1, out, 16, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc5869),
        cmocka_unit_test(test_sp800_108),
        cmocka_unit_test(test_streams_match_evp_kdf),
        cmocka_unit_test(test_batch_key_matches_hmac),
        cmocka_unit_test(test_kdf_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
