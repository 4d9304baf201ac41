/*
 * Overlap of two descriptors' devid-match (spec §4.4): could one DevID
 * match a pattern of each? Patterns are compared as normalized strings.
 * A typed descriptor's DevIDs all start with its type prefix ("IMEI:"), so
 * a prefix pattern shorter than that ("*", "IM*") is read as the type
 * prefix: an imei "*" and a meid "*" do not overlap, while an opaque
 * "IM*" still overlaps an imei "*" (an opaque DevID may be "IMEI:...").
 */
#include <string.h>

#include "auth/auth.h"

static const char *const TYPE_PREFIX[] = {"IMEI:", "MEID:", "ESN:", ""};

typedef struct span {
    const char *p;
    size_t n;
} span;

static span effective(const dmboot_descriptor *d, const dmb_pattern *p)
{
    const char *tp = TYPE_PREFIX[d->devid_type];
    size_t tn = strlen(tp);
    if (p->prefix && p->len < tn)
        return (span){tp, tn};
    return (span){p->text, p->len};
}

static bool starts_with(span s, span prefix)
{
    return s.n >= prefix.n && memcmp(s.p, prefix.p, prefix.n) == 0;
}

static bool patterns_overlap(const dmboot_descriptor *a, const dmb_pattern *pa,
                             const dmboot_descriptor *b, const dmb_pattern *pb)
{
    span x = effective(a, pa), y = effective(b, pb);
    if (!pa->prefix && !pb->prefix)
        return x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
    if (!pa->prefix)
        return starts_with(x, y);
    if (!pb->prefix)
        return starts_with(y, x);
    return starts_with(x, y) || starts_with(y, x);
}

dmboot_status dmboot_descriptor_check_overlap(const dmboot_descriptor *a,
                                              const dmboot_descriptor *b, dmboot_error *err)
{
    if (a == NULL || b == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    for (size_t i = 0; i < a->pattern_count; i++) {
        for (size_t j = 0; j < b->pattern_count; j++) {
            const dmb_pattern *pa = &a->patterns[i], *pb = &b->patterns[j];
            if (patterns_overlap(a, pa, b, pb))
                return dmb_fail(err, DMBOOT_ERR_OVERLAP, 0,
                                "descriptor '%s' overlaps descriptor '%s': devid-match "
                                "'%.*s%s' of '%s' and '%.*s%s' of '%s' can match the same "
                                "DevID",
                                a->id, b->id, (int)pa->len, pa->text, pa->prefix ? "*" : "",
                                a->id, (int)pb->len, pb->text, pb->prefix ? "*" : "", b->id);
        }
    }
    dmb_ok(err);
    return DMBOOT_OK;
}
