/* Field encodings (spec §2.5) and the base64/hex codecs, on fixed streams. */
#include <string.h>

#include "omadm/omadm.h"
#include "test_util.h"

static dmb_rule bytes_rule(size_t n, dmb_encoding e)
{
    dmb_rule r;
    memset(&r, 0, sizeof r);
    r.kind = DMB_RULE_BYTES;
    r.count = n;
    r.encoding = e;
    return r;
}

static dmb_rule chars_rule(size_t n, const char *alphabet)
{
    dmb_rule r;
    memset(&r, 0, sizeof r);
    r.kind = DMB_RULE_CHARS;
    r.count = n;
    r.alphabet_len = strlen(alphabet);
    memcpy(r.alphabet, alphabet, r.alphabet_len + 1);
    return r;
}

static void test_bytes_encodings(void **state)
{
    (void)state;
    const uint8_t s[] = {0xfb, 0xff, 0x00, 0x10, 0x83, 0x3e, 0x7f};
    uint8_t out[64];
    size_t len, used;
    dmb_rule r = bytes_rule(5, DMB_ENC_HEX);
    assert_int_equal(dmb_encode_field(&r, s, sizeof s, out, sizeof out, &len, &used), DMBOOT_OK);
    assert_string_equal((char *)out, "fbff001083");
    assert_int_equal(used, 5);
    r = bytes_rule(5, DMB_ENC_BASE64);
    assert_int_equal(dmb_encode_field(&r, s, sizeof s, out, sizeof out, &len, &used), DMBOOT_OK);
    assert_string_equal((char *)out, "+/8AEIM="); /* both '+' and '/' */
    r = bytes_rule(5, DMB_ENC_BASE64URL);
    assert_int_equal(dmb_encode_field(&r, s, sizeof s, out, sizeof out, &len, &used), DMBOOT_OK);
    assert_string_equal((char *)out, "-_8AEIM"); /* no padding */
    assert_int_equal(len, 7);
    r = bytes_rule(3, DMB_ENC_RAW);
    assert_int_equal(dmb_encode_field(&r, s, sizeof s, out, sizeof out, &len, &used), DMBOOT_OK);
    assert_int_equal(len, 3);
    assert_memory_equal(out, s, 3);
    r = bytes_rule(8, DMB_ENC_HEX);
    assert_int_equal(dmb_encode_field(&r, s, sizeof s, out, sizeof out, &len, &used),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
}

static void test_chars_rejection(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t len, used;
    /* digits: m = 10, keep b < 250 */
    const uint8_t s1[] = {249, 250, 255, 0, 9, 10, 123};
    dmb_rule r = chars_rule(5, "0123456789");
    assert_int_equal(dmb_encode_field(&r, s1, sizeof s1, out, sizeof out, &len, &used),
                     DMBOOT_OK);
    assert_string_equal((char *)out, "90903");
    assert_int_equal(used, 7);
    /* alnum: m = 62, keep b < 248 */
    const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const uint8_t s2[] = {247, 248, 61, 62, 36, 10};
    r = chars_rule(4, alnum);
    assert_int_equal(dmb_encode_field(&r, s2, sizeof s2, out, sizeof out, &len, &used),
                     DMBOOT_OK);
    assert_string_equal((char *)out, "zz0a"); /* 247%62=61 'z', 61 'z', 62%62=0 '0', 36 'a' */
    assert_int_equal(used, 5);
    /* m = 94: keep b < 188 */
    char all[95];
    for (int i = 0; i < 94; i++)
        all[i] = (char)(0x21 + i);
    all[94] = '\0';
    const uint8_t s3[] = {188, 187, 93, 94, 0};
    r = chars_rule(3, all);
    assert_int_equal(dmb_encode_field(&r, s3, sizeof s3, out, sizeof out, &len, &used),
                     DMBOOT_OK);
    assert_string_equal((char *)out, "~~!"); /* 187%94=93 '~', 93 '~', 94%94=0 '!' */
    /* m = 2: nothing is rejected */
    const uint8_t s4[] = {255, 254, 0};
    r = chars_rule(3, "ab");
    assert_int_equal(dmb_encode_field(&r, s4, sizeof s4, out, sizeof out, &len, &used),
                     DMBOOT_OK);
    assert_string_equal((char *)out, "baa"); /* 255%2=1, 254%2=0, 0 */
    /* m = 3: keep b < 255 */
    const uint8_t s5[] = {255, 254};
    r = chars_rule(1, "xyz");
    assert_int_equal(dmb_encode_field(&r, s5, sizeof s5, out, sizeof out, &len, &used),
                     DMBOOT_OK);
    assert_string_equal((char *)out, "z"); /* 254%3=2 */
    /* running out of stream */
    const uint8_t s6[] = {250, 251, 1};
    r = chars_rule(2, "0123456789");
    assert_int_equal(dmb_encode_field(&r, s6, sizeof s6, out, sizeof out, &len, &used),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
}

/* RFC 4648 §10 test vectors. */
static void test_base64_rfc4648(void **state)
{
    (void)state;
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        uint8_t back[16];
        size_t n = strlen(in[i]), m = 0;
        assert_int_equal(dmb_base64_encode((const uint8_t *)in[i], n, false, out),
                         strlen(std[i]));
        assert_string_equal(out, std[i]);
        assert_int_equal(dmb_base64_len(n, false), strlen(std[i]));
        assert_int_equal(dmb_base64_encode((const uint8_t *)in[i], n, true, out),
                         strlen(url[i]));
        assert_string_equal(out, url[i]);
        assert_int_equal(dmb_base64_len(n, true), strlen(url[i]));
        assert_true(dmb_base64_decode(std[i], strlen(std[i]), back, sizeof back, &m));
        assert_int_equal(m, n);
        assert_memory_equal(back, in[i], n);
    }
}

static void test_base64_strict(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n;
    assert_false(dmb_base64_decode("Zg=", 3, out, sizeof out, &n));   /* length */
    assert_false(dmb_base64_decode("Zh==", 4, out, sizeof out, &n));  /* trailing bits */
    assert_false(dmb_base64_decode("Zm9=", 4, out, sizeof out, &n));  /* trailing bits */
    assert_false(dmb_base64_decode("Z===", 4, out, sizeof out, &n));  /* too much padding */
    assert_false(dmb_base64_decode("Zg==Zg==", 8, out, sizeof out, &n)); /* inner padding */
    assert_false(dmb_base64_decode("Zm-v", 4, out, sizeof out, &n));  /* url alphabet */
    assert_false(dmb_base64_decode("Zm9 ", 4, out, sizeof out, &n));  /* space */
    assert_false(dmb_base64_decode("Zm9vYmFy", 8, out, 5, &n));       /* capacity */
    assert_true(dmb_base64_decode("Zm9vYmFy", 8, out, 6, &n));
}

/* The public form: the same decoder, with the API's errors. */
static void test_base64_public(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n = 0;
    dmboot_error err;
    assert_int_equal(dmboot_base64_decode("bm9uY2UtMg==", 12, out, sizeof out, &n, &err),
                     DMBOOT_OK);
    assert_int_equal(n, 7);
    assert_memory_equal(out, "nonce-2", 7);
    assert_int_equal(dmboot_base64_decode("", 0, out, sizeof out, &n, &err), DMBOOT_OK);
    assert_int_equal(n, 0);
    assert_int_equal(dmboot_base64_decode("Zm9vYmFy", 8, out, 5, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 6);
    assert_int_equal(dmboot_base64_decode("Zg=", 3, out, sizeof out, &n, &err), DMBOOT_ERR_SYNTAX);
    assert_non_null(strstr(err.message, "multiple of 4"));
    assert_int_equal(dmboot_base64_decode("Zm-v", 4, out, sizeof out, &n, &err),
                     DMBOOT_ERR_SYNTAX);
    assert_int_equal(dmboot_base64_decode("Zh==", 4, out, sizeof out, &n, &err),
                     DMBOOT_ERR_SYNTAX);
    assert_int_equal(dmboot_base64_decode(NULL, 4, out, sizeof out, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
}

static void test_hex(void **state)
{
    (void)state;
    const uint8_t in[] = {0x00, 0xab, 0xff, 0x10};
    char out[9];
    dmb_hex_encode(in, sizeof in, out);
    assert_string_equal(out, "00abff10");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_encodings), cmocka_unit_test(test_chars_rejection),
        cmocka_unit_test(test_base64_rfc4648),  cmocka_unit_test(test_base64_strict),
        cmocka_unit_test(test_base64_public),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
