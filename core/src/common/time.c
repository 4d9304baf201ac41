/*
 * Calendar dates and RFC 3339 times as Unix seconds (UTC), by arithmetic:
 * timegm() is not portable and mktime() depends on TZ, and validity must
 * not change with the machine's time zone.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/common.h"

/* The build's _TIME_BITS=64 (top-level CMakeLists.txt): time(NULL) must not
 * wrap in 2038 on 32-bit targets. */
_Static_assert(sizeof(time_t) == 8, "time_t must be 64 bits (_TIME_BITS=64)");

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); exact for every year of 0000..9999. */
int64_t dmb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse, for messages. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

bool dmb_date_parse(const char *s, size_t len, int64_t *day_start)
{
    unsigned y, m, d;
    if (len != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
        !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d))
        return false;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *day_start = dmb_days_from_civil(y, m, d) * 86400;
    return true;
}

void dmb_time_format(int64_t t, char out[DMB_TIME_TEXT_MAX])
{
    /* floor division without negating t (INT64_MIN has no negation) */
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        days--;
        secs += 86400;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, DMB_TIME_TEXT_MAX, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
             (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

dmboot_status dmboot_time_parse(const char *text, size_t text_len, int64_t *unix_seconds,
                                dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || unix_seconds == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    const char *s = text != NULL ? text : "";
    size_t n = text_len;
    int64_t day;
    if (n < 10 || !dmb_date_parse(s, 10, &day))
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "'%.*s' is not a date: expected YYYY-MM-DD or an RFC 3339 time "
                        "such as 2027-01-31T12:00:00Z",
                        (int)(n > 64 ? 64 : n), s);
    if (n == 10) {
        *unix_seconds = day;
        dmb_ok(err);
        return DMBOOT_OK;
    }
    /* RFC 3339 date-time: "T" (or "t" or a space) HH:MM:SS[.frac] then
     * "Z" or +HH:MM / -HH:MM. A fraction is dropped: validity is per second. */
    unsigned hh, mm, ss, oh = 0, om = 0;
    size_t i = 19;
    bool ok = n >= 20 && (s[10] == 'T' || s[10] == 't' || s[10] == ' ') && s[13] == ':' &&
              s[16] == ':' && digits(s + 11, 2, &hh) && digits(s + 14, 2, &mm) &&
              digits(s + 17, 2, &ss) && hh <= 23 && mm <= 59 && ss <= 60;
    if (ok && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        ok = i > start;
    }
    int sign = 0;
    if (ok && i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
        sign = 0;
    } else if (ok && i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
               digits(s + i + 1, 2, &oh) && digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
        sign = s[i] == '+' ? 1 : -1;
    } else {
        ok = false;
    }
    if (!ok)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "'%.*s' is not an RFC 3339 time: expected e.g. 2027-01-31T12:00:00Z "
                        "or 2027-01-31T14:00:00+02:00 (or a date YYYY-MM-DD)",
                        (int)(n > 64 ? 64 : n), s);
    /* A leap second (:60) counts as the first second of the next minute. */
    int64_t t = day + (int64_t)hh * 3600 + (int64_t)mm * 60 + (int64_t)ss;
    t -= sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
    *unix_seconds = t;
    dmb_ok(err);
    return DMBOOT_OK;
}
