/*
 * Dates and times for validity: calendar arithmetic checked day by day
 * against a counter, fixed points, and the accepted and refused shapes of
 * `--at` times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"
#include "test_util.h"

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Walk every day from 1970-01-01 to 2400-12-31 with a plain counter: the
 * formula must agree on each, and parsing each date must too. */
static void test_days_from_civil_every_day(void **state)
{
    (void)state;
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t n = 0;
    for (int y = 1970; y <= 2400; y++) {
        for (int m = 1; m <= 12; m++) {
            int days = dim[m - 1] + (m == 2 && leap(y));
            for (int d = 1; d <= days; d++, n++) {
                assert_int_equal(dmb_days_from_civil(y, (unsigned)m, (unsigned)d), n);
                char text[48];
                snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
                int64_t t = -1;
                assert_true(dmb_date_parse(text, 10, &t));
                assert_int_equal(t, n * 86400);
            }
            /* the day after the last is not a date */
            char text[48];
            snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, days + 1);
            int64_t t;
            assert_false(dmb_date_parse(text, 10, &t));
        }
    }
    /* and backwards from 1970 */
    n = 0;
    for (int y = 1969; y >= 1600; y--)
        for (int m = 12; m >= 1; m--)
            for (int d = dim[m - 1] + (m == 2 && leap(y)); d >= 1; d--)
                assert_int_equal(dmb_days_from_civil(y, (unsigned)m, (unsigned)d), --n);
}

static void test_fixed_points(void **state)
{
    (void)state;
    /* values from `date -u -d ... +%s` */
    static const struct {
        const char *text;
        int64_t t;
    } cases[] = {
        {"1970-01-01", 0},
        {"2000-02-29", 951782400},
        {"2026-11-01", 1793491200},
        {"2031-10-31", 1951171200},
        {"2038-01-19T03:14:08Z", 2147483648},
        {"2026-11-01T00:00:00Z", 1793491200},
        {"2026-11-01T02:00:00+02:00", 1793491200},
        {"2026-10-31T19:30:00-04:30", 1793491200},
        {"2026-11-01t00:00:00z", 1793491200},
        {"2026-11-01 00:00:00Z", 1793491200},
        {"2026-11-01T00:00:00.999999Z", 1793491200},
        {"2031-10-31T23:59:59Z", 1951257599},
        {"2016-12-31T23:59:60Z", 1483228800}, /* leap second: the next second */
        {"1969-12-31T23:59:59Z", -1},
        {"9999-12-31T23:59:59Z", 253402300799},
        {"0000-01-01", -62167219200},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = 0;
        dmboot_error err;
        dmboot_status st = dmboot_time_parse(cases[i].text, strlen(cases[i].text), &t, &err);
        if (st != DMBOOT_OK)
            fail_msg("%s: %s", cases[i].text, err.message);
        if (t != cases[i].t)
            fail_msg("%s: got %lld, want %lld", cases[i].text, (long long)t,
                     (long long)cases[i].t);
    }
    char out[DMB_TIME_TEXT_MAX];
    dmb_time_format(1793491200, out);
    assert_string_equal(out, "2026-11-01T00:00:00Z");
    dmb_time_format(1951257599, out);
    assert_string_equal(out, "2031-10-31T23:59:59Z");
    dmb_time_format(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    dmb_time_format(-62167219200, out);
    assert_string_equal(out, "0000-01-01T00:00:00Z");
    /* the extremes format without overflow (a verifier may be set to them) */
    dmb_time_format(INT64_MIN, out);
    assert_string_equal(out, "-292277022657-01-27T08:29:52Z");
    dmb_time_format(INT64_MAX, out);
    assert_string_equal(out, "292277026596-12-04T15:30:07Z");
}

static void test_refused_times(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "2026",
        "2026-1-01",
        "2026-13-01",
        "2026-00-10",
        "2026-02-29",
        "2100-02-29",
        "2026-04-31",
        "2026-11-01T",
        "2026-11-01T00:00Z",
        "2026-11-01T24:00:00Z",
        "2026-11-01T23:60:00Z",
        "2026-11-01T23:59:61Z",
        "2026-11-01T00:00:00",
        "2026-11-01T00:00:00+0200",
        "2026-11-01T00:00:00+24:00",
        "2026-11-01T00:00:00.Z",
        "2026-11-01T00:00:00Zjunk",
        "2026-11-01X00:00:00Z",
        " 2026-11-01",
        "2026-11-01 ",
        "+2026-11-01",
        "2026/11/01",
        "now",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 12345;
        dmboot_error err;
        if (dmboot_time_parse(bad[i], strlen(bad[i]), &t, &err) != DMBOOT_ERR_SYNTAX)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(t, 12345); /* untouched */
        assert_non_null(strstr(err.message, "expected"));
    }
    /* a date with a NUL inside is not a date */
    int64_t t;
    assert_int_equal(dmboot_time_parse("2026-11-01\0", 11, &t, NULL), DMBOOT_ERR_SYNTAX);
    assert_int_equal(dmboot_time_parse(NULL, 0, &t, NULL), DMBOOT_ERR_SYNTAX);
    assert_int_equal(dmboot_time_parse("2026-11-01", 10, NULL, NULL),
                     DMBOOT_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil_every_day),
        cmocka_unit_test(test_fixed_points),
        cmocka_unit_test(test_refused_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
