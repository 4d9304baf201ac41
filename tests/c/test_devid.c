/* DevID normalization: every case of tests/vectors/devids.json, and the API's
 * argument checks. */
#include <string.h>

#include "internal.h"
#include "test_util.h"

static void test_vectors(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("devids.json");
    const cJSON *c;
    int ok = 0, bad = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "cases"))
    {
        const char *type = tu_str(c, "type"), *in = tu_str(c, "input");
        const char *want = tu_str(c, "normalized");
        char out[DMBOOT_DEVID_MAX + 1];
        size_t n = 0;
        dmboot_error err;
        size_t in_len = strlen(in);
        dmboot_status st = dmboot_devid_normalize(type, in, in_len, out, sizeof out, &n, &err);
        if (want != NULL) {
            if (st != DMBOOT_OK)
                fail_msg("%s '%s' failed: %s", type, in, err.message);
            assert_string_equal(out, want);
            assert_int_equal(n, strlen(want));
            ok++;
        } else {
            const char *m = tu_str(c, "message_contains");
            if (st != DMBOOT_ERR_DEVID || strstr(err.message, m) == NULL)
                fail_msg("%s '%s': status %d '%s', expected DMBOOT_ERR_DEVID and '%s'", type, in,
                         (int)st, err.message, m);
            assert_int_equal(err.line, 0);
            bad++;
        }
    }
    assert_true(ok >= 20 && bad >= 20);
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
    /* too small: says how much is needed, writes nothing */
    memset(out, 'z', sizeof out);
    assert_int_equal(dmboot_devid_normalize("imei", "490154203237518", 15, out, 20, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 20);
    assert_int_equal(out[0], 'z');
    assert_int_equal(dmboot_devid_normalize("imei", "490154203237518", 15, out, 21, &n, &err),
                     DMBOOT_OK);
    assert_string_equal(out, "IMEI:490154203237518");
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_vectors),
                                       cmocka_unit_test(test_arguments)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
