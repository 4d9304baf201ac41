/* DevID normalization: every case of tests/vectors/devids.json, the API's
 * argument checks, the type names, the Luhn check digit and the character
 * classes of each type, byte by byte. */
#include <stdio.h>
#include <string.h>

#include "derive/derive.h"
#include "test_util.h"

static dmboot_status normalize(const char *type, const char *in, size_t len, char *out,
                               dmboot_error *err)
{
    size_t n = 0;
    dmboot_status st = dmboot_devid_normalize(type, in, len, out, DMBOOT_DEVID_MAX + 1, &n, err);
    if (st == DMBOOT_OK)
        assert_int_equal(n, strlen(out));
    return st;
}

static void assert_printable(const char *msg)
{
    for (const char *c = msg; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            fail_msg("message has byte 0x%02X: %s", (unsigned char)*c, msg);
}

static void test_vectors(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("devids.json");
    const cJSON *c;
    int ok = 0, bad = 0;
    bool types[4] = {false};
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "cases"))
    {
        const char *type = tu_str(c, "type"), *in = tu_str(c, "input");
        const char *want = tu_str(c, "normalized");
        char out[DMBOOT_DEVID_MAX + 1];
        dmboot_error err;
        dmb_devid_type t;
        assert_true(dmb_devid_type_parse(type, &t));
        types[t] = true;
        dmboot_status st = normalize(type, in, strlen(in), out, &err);
        if (want != NULL) {
            if (st != DMBOOT_OK)
                fail_msg("%s '%s' failed: %s", type, in, err.message);
            assert_string_equal(out, want);
            /* a normalized DevID is its own normal form */
            char again[DMBOOT_DEVID_MAX + 1];
            assert_int_equal(normalize(type, out, strlen(out), again, &err), DMBOOT_OK);
            assert_string_equal(again, out);
            ok++;
        } else {
            const char *m = tu_str(c, "message_contains");
            if (st != DMBOOT_ERR_DEVID || strstr(err.message, m) == NULL)
                fail_msg("%s '%s': status %d '%s', expected DMBOOT_ERR_DEVID and '%s'", type, in,
                         (int)st, err.message, m);
            assert_int_equal(err.line, 0);
            assert_printable(err.message);
            bad++;
        }
    }
    assert_true(ok >= 20 && bad >= 20);
    assert_true(types[0] && types[1] && types[2] && types[3]);
    cJSON_Delete(root);
}

static void test_arguments(void **state)
{
    (void)state;
    char out[32];
    size_t n = 0;
    dmboot_error err;
    assert_int_equal(dmboot_devid_normalize("iccid", "1", 1, out, sizeof out, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "iccid"));
    assert_int_equal(dmboot_devid_normalize(NULL, "1", 1, out, sizeof out, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_devid_normalize("imei", NULL, 3, out, sizeof out, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_devid_normalize("imei", "1", 1, out, sizeof out, NULL, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_devid_normalize("imei", "1", 1, NULL, 5, &n, &err),
                     DMBOOT_ERR_INVALID_ARGUMENT);
    /* NULL text of length 0 is the empty DevID */
    assert_int_equal(dmboot_devid_normalize("opaque", NULL, 0, out, sizeof out, &n, &err),
                     DMBOOT_ERR_DEVID);
    assert_non_null(strstr(err.message, "empty"));
    /* too small: says how much is needed, writes nothing */
    memset(out, 'z', sizeof out);
    assert_int_equal(dmboot_devid_normalize("imei", "490154203237518", 15, out, 20, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 20);
    assert_int_equal(out[0], 'z');
    assert_int_equal(dmboot_devid_normalize("imei", "490154203237518", 15, NULL, 0, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 20);
    assert_int_equal(dmboot_devid_normalize("imei", "490154203237518", 15, out, 21, &n, &err),
                     DMBOOT_OK);
    assert_string_equal(out, "IMEI:490154203237518");
    assert_int_equal(err.status, DMBOOT_OK);
    /* NULL err is fine */
    assert_int_equal(dmboot_devid_normalize("imei", "4", 1, out, sizeof out, &n, NULL),
                     DMBOOT_ERR_DEVID);
    /* the input is taken by length: bytes after it do not count */
    assert_int_equal(dmboot_devid_normalize("esn", "12ABCDEFXYZ", 8, out, sizeof out, &n, &err),
                     DMBOOT_OK);
    assert_string_equal(out, "ESN:12ABCDEF");
    /* a NUL inside the given length is a character like any other */
    assert_int_equal(dmboot_devid_normalize("opaque", "ab\0c", 4, out, sizeof out, &n, &err),
                     DMBOOT_ERR_DEVID);
    assert_non_null(strstr(err.message, "\\x00 at position 3"));
    assert_int_equal(dmboot_devid_normalize("imei", "49015420\0" "323751", 15, out, sizeof out, &n,
                                            &err),
                     DMBOOT_ERR_DEVID);
    assert_non_null(strstr(err.message, "\\x00 at position 9"));
}

static void test_types(void **state)
{
    (void)state;
    static const char *const names[] = {"imei", "meid", "esn", "opaque"};
    static const size_t prefix[] = {5, 5, 4, 0};
    for (int i = 0; i < 4; i++) {
        dmb_devid_type t = DMB_DEVID_OPAQUE;
        assert_true(dmb_devid_type_parse(names[i], &t));
        assert_int_equal(t, i);
        assert_string_equal(dmb_devid_type_name(t), names[i]);
        assert_int_equal(dmb_devid_prefix_len(t), prefix[i]);
    }
    dmb_devid_type t = DMB_DEVID_ESN;
    assert_false(dmb_devid_type_parse("IMEI", &t));
    assert_false(dmb_devid_type_parse("", &t));
    assert_false(dmb_devid_type_parse("imei ", &t));
    assert_false(dmb_devid_type_parse(NULL, &t));
    assert_int_equal(t, DMB_DEVID_ESN); /* untouched */
    assert_string_equal(dmb_devid_type_name((dmb_devid_type)4), "?");
    assert_int_equal(dmb_devid_prefix_len((dmb_devid_type)4), 0);
}

/* Luhn as a validator (sum of all 15 digits, every second from the right
 * doubled, is a multiple of 10): another formulation than the code's. */
static bool luhn_valid(const char *d15)
{
    int sum = 0;
    for (int i = 0; i < 15; i++) {
        int v = d15[14 - i] - '0';
        if (i % 2 == 1)
            v = v * 2 % 10 + v * 2 / 10;
        sum += v;
    }
    return sum % 10 == 0;
}

static void test_luhn(void **state)
{
    (void)state;
    /* the design brief's example */
    assert_int_equal(dmb_imei_check_digit("35209900176148"), 1);
    assert_true(dmb_imei_check_digit_ok("352099001761481"));
    assert_int_equal(dmb_imei_check_digit("49015420323751"), 8);
    assert_int_equal(dmb_imei_check_digit("00000000000000"), 0);
    /* pseudo-random payloads: the digit makes a valid number, and only it */
    uint32_t x = 12345;
    for (int k = 0; k < 2000; k++) {
        char d[16];
        for (int i = 0; i < 14; i++) {
            x = x * 1103515245u + 12345u;
            d[i] = (char)('0' + (x >> 16) % 10);
        }
        int cd = dmb_imei_check_digit(d);
        assert_true(cd >= 0 && cd <= 9);
        for (int c = 0; c < 10; c++) {
            d[14] = (char)('0' + c);
            d[15] = '\0';
            assert_int_equal(luhn_valid(d), c == cd);
            assert_int_equal(dmb_imei_check_digit_ok(d), c == cd);
        }
    }
}

/* Each wrong check digit is refused, naming it and the right one. */
static void test_wrong_check_digits(void **state)
{
    (void)state;
    char in[16] = "35209900176148", out[DMBOOT_DEVID_MAX + 1], want[64];
    dmboot_error err;
    for (int c = 0; c < 10; c++) {
        in[14] = (char)('0' + c);
        dmboot_status st = normalize("imei", in, 15, out, &err);
        if (c == 1) {
            assert_int_equal(st, DMBOOT_OK);
            continue;
        }
        assert_int_equal(st, DMBOOT_ERR_DEVID);
        snprintf(want, sizeof want, "IMEI check digit is %d; expected 1", c);
        assert_non_null(strstr(err.message, want));
    }
}

/* Only 15 digits make an IMEI; the count is in the message. */
static void test_imei_lengths(void **state)
{
    (void)state;
    char in[40], out[DMBOOT_DEVID_MAX + 1], want[64];
    dmboot_error err;
    for (size_t n = 1; n < sizeof in; n++) {
        memset(in, '0', n);
        dmboot_status st = normalize("imei", in, n, out, &err);
        if (n == 15) {
            assert_int_equal(st, DMBOOT_OK);
            continue;
        }
        assert_int_equal(st, DMBOOT_ERR_DEVID);
        snprintf(want, sizeof want, "IMEI has %zu digit%s; expected 15", n, n == 1 ? "" : "s");
        assert_non_null(strstr(err.message, want));
    }
}

/* Every byte value in the middle of each type's DevID: accepted exactly
 * when the type allows it, and named with its position otherwise. */
static void test_characters(void **state)
{
    (void)state;
    char out[DMBOOT_DEVID_MAX + 1], pos[32];
    dmboot_error err;
    for (int b = 0; b < 256; b++) {
        char c = (char)b;
        bool digit = b >= '0' && b <= '9';
        bool hex = digit || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
        char imei[] = "4901542x03237518", meid[] = "A000001x2345678", esn[] = "12AxBCDE",
             opq[] = "abxc";
        imei[7] = meid[7] = esn[3] = opq[2] = c;

        dmboot_status st = normalize("imei", imei, 16, out, &err);
        bool sep = b == '-' || b == ' ';
        assert_int_equal(st == DMBOOT_OK, sep);
        if (!sep && !digit) {
            snprintf(pos, sizeof pos, "at position 8");
            assert_non_null(strstr(err.message, pos));
        }
        st = normalize("meid", meid, 15, out, &err);
        assert_int_equal(st, DMBOOT_ERR_DEVID); /* 15 characters: bad char or 15 digits */
        if (!hex)
            assert_non_null(strstr(err.message, "at position 8"));
        else
            assert_non_null(strstr(err.message, "found 15"));
        st = normalize("esn", esn, 8, out, &err);
        assert_int_equal(st == DMBOOT_OK, hex);
        if (hex)
            assert_int_equal(out[7], b >= 'a' ? b - 'a' + 'A' : b);
        st = normalize("opaque", opq, 4, out, &err);
        assert_int_equal(st == DMBOOT_OK, b >= 0x21 && b <= 0x7e);
        if (st != DMBOOT_OK)
            assert_non_null(strstr(err.message, "position 3"));
        assert_printable(err.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),      cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_types),        cmocka_unit_test(test_luhn),
        cmocka_unit_test(test_wrong_check_digits), cmocka_unit_test(test_imei_lengths),
        cmocka_unit_test(test_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
