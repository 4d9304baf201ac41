/*
 * Ed25519 keys and signatures: RFC 8032 known answers through the PEM
 * readers and the signing/verifying code paths, PEM formats as OpenSSL's
 * tools write them, every kind of wrong key file, the file checks of key
 * files (no symlink, nothing for group or others), and the verifier's
 * argument checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/auth.h"
#include "test_util.h"

/* RFC 8032 §7.1 TEST 1 as `openssl genpkey` / `openssl pkey -pubout` write it. */
static const char RFC1_PRIVATE_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char RFC1_PUBLIC_PEM[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
    "-----END PUBLIC KEY-----\n";

typedef struct rfc8032 {
    const char *secret, *public_, *message, *signature;
} rfc8032;

static const rfc8032 RFC8032[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc6"
     "1e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e45"
     "8f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
};

/* PKCS#8 PEM of a raw Ed25519 secret, written by OpenSSL itself. */
static char *pem_of_secret(const uint8_t *secret, size_t *len)
{
    EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, secret, 32);
    assert_non_null(pk);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *out = malloc((size_t)n + 1);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    *len = (size_t)n;
    BIO_free(bio);
    EVP_PKEY_free(pk);
    return out;
}

static void test_rfc8032_known_answers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RFC8032 / sizeof RFC8032[0]; i++) {
        size_t sk_len, pk_len, msg_len, sig_len, pem_len;
        uint8_t *sk = tu_unhex(RFC8032[i].secret, &sk_len);
        uint8_t *pk = tu_unhex(RFC8032[i].public_, &pk_len);
        uint8_t *msg = tu_unhex(RFC8032[i].message, &msg_len);
        uint8_t *want = tu_unhex(RFC8032[i].signature, &sig_len);
        char *pem = pem_of_secret(sk, &pem_len);
        dmboot_signing_key *k = NULL;
        dmboot_public_key *pub = NULL;
        dmboot_error err;
        assert_int_equal(dmboot_signing_key_from_pem(pem, pem_len, &k, &err), DMBOOT_OK);
        assert_int_equal(dmboot_signing_key_public(k, &pub, &err), DMBOOT_OK);
        uint8_t raw[32], sig[64];
        assert_int_equal(dmboot_public_key_raw(pub, raw, &err), DMBOOT_OK);
        tu_assert_bytes(raw, 32, pk, pk_len, "RFC 8032 public key");
        assert_int_equal(dmb_ed25519_sign(k, msg, msg_len, sig, &err), DMBOOT_OK);
        tu_assert_bytes(sig, 64, want, sig_len, "RFC 8032 signature");
        assert_true(dmb_ed25519_verify(pub, msg, msg_len, sig));
        /* one flipped bit anywhere in the signature fails */
        for (size_t b = 0; b < 64 * 8; b += 7) {
            sig[b / 8] ^= (uint8_t)(1u << (b % 8));
            assert_false(dmb_ed25519_verify(pub, msg, msg_len, sig));
            sig[b / 8] ^= (uint8_t)(1u << (b % 8));
        }
        /* another message fails */
        uint8_t other[2] = {0x72, 0x00};
        assert_false(dmb_ed25519_verify(pub, other, msg_len == 0 ? 1 : 2, sig));
        dmboot_public_key_free(pub);
        dmboot_signing_key_free(k);
        free(sk), free(pk), free(msg), free(want), free(pem);
    }
}

/* dmboot reads and writes the exact PEM that OpenSSL's tools do. */
static void test_pem_formats_match_openssl_tools(void **state)
{
    (void)state;
    dmboot_signing_key *k = NULL;
    dmboot_public_key *pub = NULL;
    dmboot_error err;
    char out[DMBOOT_PEM_MAX];
    size_t len = 0;
    assert_int_equal(
        dmboot_signing_key_from_pem(RFC1_PRIVATE_PEM, strlen(RFC1_PRIVATE_PEM), &k, &err),
        DMBOOT_OK);
    assert_int_equal(dmboot_signing_key_private_pem(k, out, sizeof out, &len, &err), DMBOOT_OK);
    assert_int_equal(len, strlen(RFC1_PRIVATE_PEM));
    assert_string_equal(out, RFC1_PRIVATE_PEM);
    assert_int_equal(dmboot_signing_key_public_pem(k, out, sizeof out, &len, &err), DMBOOT_OK);
    assert_string_equal(out, RFC1_PUBLIC_PEM);
    assert_int_equal(
        dmboot_public_key_from_pem(RFC1_PUBLIC_PEM, strlen(RFC1_PUBLIC_PEM), &pub, &err),
        DMBOOT_OK);
    assert_int_equal(dmboot_public_key_pem(pub, out, sizeof out, &len, &err), DMBOOT_OK);
    assert_string_equal(out, RFC1_PUBLIC_PEM);

    /* too small a buffer: the length needed, nothing written */
    char small[16];
    memset(small, 'x', sizeof small);
    len = 0;
    assert_int_equal(dmboot_public_key_pem(pub, small, sizeof small, &len, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, strlen(RFC1_PUBLIC_PEM));
    for (size_t i = 0; i < sizeof small; i++)
        assert_int_equal(small[i], 'x');
    assert_int_equal(dmboot_signing_key_private_pem(k, small, sizeof small, &len, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, strlen(RFC1_PRIVATE_PEM));

    /* blanks after the block, CRLF line ends: still one key */
    char crlf[512];
    snprintf(crlf, sizeof crlf, "%s\n\n  \n", RFC1_PUBLIC_PEM);
    dmboot_public_key *p2 = NULL;
    assert_int_equal(dmboot_public_key_from_pem(crlf, strlen(crlf), &p2, &err), DMBOOT_OK);
    dmboot_public_key_free(p2);
    dmboot_public_key_free(pub);
    dmboot_signing_key_free(k);
}

static void test_generate_round_trip(void **state)
{
    (void)state;
    dmboot_signing_key *a = NULL, *b = NULL, *c = NULL;
    dmboot_error err;
    char pem[DMBOOT_PEM_MAX], pa[DMBOOT_PEM_MAX], pb[DMBOOT_PEM_MAX], pc[DMBOOT_PEM_MAX];
    size_t len, la, lb, lc;
    assert_int_equal(dmboot_signing_key_generate(&a, &err), DMBOOT_OK);
    assert_int_equal(dmboot_signing_key_generate(&c, &err), DMBOOT_OK);
    assert_int_equal(dmboot_signing_key_private_pem(a, pem, sizeof pem, &len, &err), DMBOOT_OK);
    assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    assert_int_equal(dmboot_signing_key_from_pem(pem, len, &b, &err), DMBOOT_OK);
    assert_int_equal(dmboot_signing_key_public_pem(a, pa, sizeof pa, &la, &err), DMBOOT_OK);
    assert_int_equal(dmboot_signing_key_public_pem(b, pb, sizeof pb, &lb, &err), DMBOOT_OK);
    assert_int_equal(dmboot_signing_key_public_pem(c, pc, sizeof pc, &lc, &err), DMBOOT_OK);
    assert_string_equal(pa, pb);
    assert_string_not_equal(pa, pc); /* two fresh keys differ */
    /* a's signature verifies with a's public key, not with c's */
    dmboot_public_key *pub_a = NULL, *pub_c = NULL;
    assert_int_equal(dmboot_public_key_from_pem(pa, la, &pub_a, &err), DMBOOT_OK);
    assert_int_equal(dmboot_public_key_from_pem(pc, lc, &pub_c, &err), DMBOOT_OK);
    uint8_t sig[64];
    assert_int_equal(dmb_ed25519_sign(b, "abc", 3, sig, &err), DMBOOT_OK);
    assert_true(dmb_ed25519_verify(pub_a, "abc", 3, sig));
    assert_false(dmb_ed25519_verify(pub_c, "abc", 3, sig));
    dmboot_public_key_free(pub_a);
    dmboot_public_key_free(pub_c);
    dmboot_signing_key_free(a);
    dmboot_signing_key_free(b);
    dmboot_signing_key_free(c);
}

static void expect_signing_key_error(const char *pem, const char *fragment)
{
    dmboot_signing_key *k = (dmboot_signing_key *)(uintptr_t)1;
    dmboot_error err;
    assert_int_equal(dmboot_signing_key_from_pem(pem, strlen(pem), &k, &err), DMBOOT_ERR_KEY);
    assert_null(k);
    if (strstr(err.message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

static void expect_public_key_error(const char *pem, const char *fragment)
{
    dmboot_public_key *k = (dmboot_public_key *)(uintptr_t)1;
    dmboot_error err;
    assert_int_equal(dmboot_public_key_from_pem(pem, strlen(pem), &k, &err), DMBOOT_ERR_KEY);
    assert_null(k);
    if (strstr(err.message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, fragment);
}

/* An encrypted PKCS#8 key and an Ed448 key, written by OpenSSL. */
static char *other_pem(bool encrypted, bool public_, const char *alg)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, alg);
    assert_non_null(pk);
    BIO *bio = BIO_new(BIO_s_mem());
    if (public_)
        assert_int_equal(PEM_write_bio_PUBKEY(bio, pk), 1);
    else if (encrypted)
        assert_int_equal(PEM_write_bio_PKCS8PrivateKey(bio, pk, EVP_aes_128_cbc(), "pw", 2,
                                                       NULL, NULL),
                         1);
    else
        assert_int_equal(PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *out = malloc((size_t)n + 1);
    memcpy(out, data, (size_t)n);
    out[n] = '\0';
    BIO_free(bio);
    EVP_PKEY_free(pk);
    return out;
}

static void test_wrong_key_files(void **state)
{
    (void)state;
    expect_signing_key_error(RFC1_PUBLIC_PEM, "public key");
    expect_public_key_error(RFC1_PRIVATE_PEM, "private key");
    expect_signing_key_error("", "not a PEM key");
    expect_signing_key_error("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60\n",
                             "not a PEM key");
    expect_public_key_error("hello", "not a PEM public key");
    expect_signing_key_error("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH "
                             "PRIVATE KEY-----\n",
                             "not a PKCS#8 private key");
    char *enc = other_pem(true, false, "ED25519");
    expect_signing_key_error(enc, "encrypted");
    expect_public_key_error(enc, "private key");
    free(enc);
    char *ed448 = other_pem(false, false, "ED448");
    expect_signing_key_error(ed448, "not Ed25519");
    free(ed448);
    char *ed448_pub = other_pem(false, true, "ED448");
    expect_public_key_error(ed448_pub, "not Ed25519");
    free(ed448_pub);
    /* damaged base64 */
    char bad[256];
    snprintf(bad, sizeof bad, "%s", RFC1_PUBLIC_PEM);
    char *p = strstr(bad, "MCow");
    p[10] = '!';
    expect_public_key_error(bad, "malformed");
    /* truncated DER */
    expect_signing_key_error("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v\n"
                             "-----END PRIVATE KEY-----\n",
                             "malformed");
    /* two keys in one file: refused, not half used */
    char two[512];
    snprintf(two, sizeof two, "%s%s", RFC1_PUBLIC_PEM, RFC1_PUBLIC_PEM);
    expect_public_key_error(two, "more than one");
    snprintf(two, sizeof two, "%s%s", RFC1_PRIVATE_PEM, RFC1_PRIVATE_PEM);
    expect_signing_key_error(two, "more than one");
    snprintf(two, sizeof two, "%sjunk\n", RFC1_PUBLIC_PEM);
    expect_public_key_error(two, "more than one");
}

/* Key files, master/batch and signing alike, as OpenSSH treats a private
 * key (issue 14.11): a symbolic link, a file group or others may access,
 * and something that is not a regular file are refused, naming the file. */
static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void expect_refused(dmboot_status st, const dmboot_error *err, dmboot_status want,
                           const char *path, const char *fragment)
{
    assert_int_equal(st, want);
    if (strstr(err->message, path) == NULL || strstr(err->message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s' or '%s'", err->message, path, fragment);
}

static void test_key_file_checks(void **state)
{
    (void)state;
    char dir[] = "/tmp/dmboot-keyfile-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char key[128], link_[128], sk[128], sk_link[128];
    snprintf(key, sizeof key, "%s/master.key", dir);
    snprintf(link_, sizeof link_, "%s/link.key", dir);
    snprintf(sk, sizeof sk, "%s/issuer.key", dir);
    snprintf(sk_link, sizeof sk_link, "%s/issuer-link.key", dir);
    static const char HEX[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
    uint8_t k[64];
    size_t kl = 0;
    dmboot_error err;
    dmboot_signing_key *s = NULL;

    /* private files are read */
    write_file(key, HEX, 0600);
    write_file(sk, RFC1_PRIVATE_PEM, 0400);
    assert_int_equal(dmboot_key_load(key, k, sizeof k, &kl, &err), DMBOOT_OK);
    assert_int_equal(kl, 32);
    assert_int_equal(dmboot_signing_key_load(sk, &s, &err), DMBOOT_OK);
    dmboot_signing_key_free(s);
    s = NULL;

    /* any bit for group or others is refused, and the mode is named */
    static const mode_t OPEN[] = {0644, 0640, 0604, 0660, 0602, 0610, 0601, 0666};
    for (size_t i = 0; i < sizeof OPEN / sizeof OPEN[0]; i++) {
        char mode[16];
        snprintf(mode, sizeof mode, "(mode %04o)", (unsigned)OPEN[i]);
        assert_int_equal(chmod(key, OPEN[i]), 0);
        expect_refused(dmboot_key_load(key, k, sizeof k, &kl, &err), &err, DMBOOT_ERR_KEY, key,
                       mode);
        expect_refused(dmboot_key_load(key, k, sizeof k, &kl, &err), &err, DMBOOT_ERR_KEY, key,
                       "chmod 600");
        assert_int_equal(chmod(sk, OPEN[i]), 0);
        expect_refused(dmboot_signing_key_load(sk, &s, &err), &err, DMBOOT_ERR_KEY, sk, mode);
        assert_null(s);
    }
    assert_int_equal(chmod(key, 0600), 0);
    assert_int_equal(chmod(sk, 0600), 0);

    /* a symbolic link to a private file is refused, naming the link */
    assert_int_equal(symlink(key, link_), 0);
    assert_int_equal(symlink(sk, sk_link), 0);
    expect_refused(dmboot_key_load(link_, k, sizeof k, &kl, &err), &err, DMBOOT_ERR_KEY, link_,
                   "is a symbolic link");
    expect_refused(dmboot_signing_key_load(sk_link, &s, &err), &err, DMBOOT_ERR_KEY, sk_link,
                   "is a symbolic link");
    assert_null(s);
    /* a directory, a missing file */
    expect_refused(dmboot_key_load(dir, k, sizeof k, &kl, &err), &err, DMBOOT_ERR_IO, dir,
                   "not a regular file");
    unlink(key);
    expect_refused(dmboot_key_load(key, k, sizeof k, &kl, &err), &err, DMBOOT_ERR_IO, key,
                   "cannot open");
    /* a public key in a signing key file: named with the file */
    write_file(sk, RFC1_PUBLIC_PEM, 0600);
    expect_refused(dmboot_signing_key_load(sk, &s, &err), &err, DMBOOT_ERR_KEY, sk, "public");

    unlink(link_);
    unlink(sk_link);
    unlink(sk);
    assert_int_equal(rmdir(dir), 0);
}

static void test_verifier_arguments(void **state)
{
    (void)state;
    dmboot_verifier *v = NULL;
    dmboot_error err;
    uint8_t key[65] = {0};
    assert_int_equal(dmboot_verifier_new(&v, &err), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_key(v, key, 15, DMBOOT_KEY_MASTER, &err),
                     DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_verifier_set_key(v, key, 65, DMBOOT_KEY_MASTER, &err),
                     DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_verifier_set_key(v, key, 31, DMBOOT_KEY_BATCH, &err),
                     DMBOOT_ERR_KEY);
    assert_non_null(strstr(err.message, "batch key"));
    assert_int_equal(dmboot_verifier_set_key(v, key, 16, DMBOOT_KEY_MASTER, &err), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_key(v, key, 32, DMBOOT_KEY_BATCH, &err), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_key(v, NULL, 0, DMBOOT_KEY_MASTER, &err), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_flags(v, 0x10u, &err), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_verifier_set_flags(v, DMBOOT_VERIFY_ALL_FLAGS, &err), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_flags(v), DMBOOT_VERIFY_ALL_FLAGS);
    assert_int_equal(dmboot_verifier_add_issuer_key(v, RFC1_PRIVATE_PEM,
                                                    strlen(RFC1_PRIVATE_PEM), &err),
                     DMBOOT_ERR_KEY);
    assert_int_equal(dmboot_verifier_issuer_key_count(v), 0);
    assert_int_equal(
        dmboot_verifier_add_issuer_key(v, RFC1_PUBLIC_PEM, strlen(RFC1_PUBLIC_PEM), &err),
        DMBOOT_OK);
    for (int i = 0; i < 9; i++) /* grows past its first allocation */
        assert_int_equal(
            dmboot_verifier_add_issuer_key(v, RFC1_PUBLIC_PEM, strlen(RFC1_PUBLIC_PEM), &err),
            DMBOOT_OK);
    assert_int_equal(dmboot_verifier_issuer_key_count(v), 10);
    dmboot_verifier_free(v);
    dmboot_verifier_free(NULL);
    dmboot_signing_key_free(NULL);
    dmboot_public_key_free(NULL);
    assert_int_equal(dmboot_verifier_new(NULL, &err), DMBOOT_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8032_known_answers),
        cmocka_unit_test(test_pem_formats_match_openssl_tools),
        cmocka_unit_test(test_generate_round_trip),
        cmocka_unit_test(test_wrong_key_files),
        cmocka_unit_test(test_key_file_checks),
        cmocka_unit_test(test_verifier_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
