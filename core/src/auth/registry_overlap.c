/*
 * Overlap of two descriptors' devid-match (spec §4.4): could one DevID
 * match a pattern of each? Patterns are compared as normalized strings.
 * A typed descriptor's DevIDs all start with its type prefix ("IMEI:"), so
 * a prefix pattern shorter than that ("*", "IM*") is read as the type
 * prefix: an imei "*" and a meid "*" do not overlap, while an opaque
 * "IM*" still overlaps an imei "*" (an opaque DevID may be "IMEI:...").
 * An opaque pattern also overlaps a typed descriptor when it matches
 * another spelling of one of its DevIDs (see check_spellings).
 */
#include <string.h>

#include "auth/auth.h"

typedef struct span {
    const char *p;
    size_t n;
} span;

static span effective(const dmboot_descriptor *d, const dmb_pattern *p)
{
    const char *tp = dmb_devid_prefix(d->devid_type);
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

/* ---- other spellings of a typed DevID ------------------------------------
 * A typed descriptor covers DevIDs as its normalizer reads them (spec §3):
 * "imei:35-209911-000000-3", "352099110000003" and "IMEI:-352099110000003"
 * all read as IMEI:352099110000003; an opaque descriptor reads each as it
 * is. An opaque pattern matching such a spelling of a DevID that a typed
 * descriptor covers makes that device's lookup depend on how it writes its
 * DevID (issue 14, item 5: "0*", "i*", "IMEI:-*" shadowed typed devices),
 * so it overlaps too. Spellings the opaque normalizer refuses (a space,
 * over 128 characters) do not count; the rest is exact.
 */
static const size_t DIGITS[] = {15, 14, 8, 0}; /* after the type prefix */

static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool prefix_nocase(const char *s, size_t n, const char *prefix)
{
    for (size_t i = 0; i < n; i++)
        if (upper(s[i]) != prefix[i])
            return false;
    return true;
}

/* Read r (what follows the type prefix, or the whole spelling when bare) as
 * the start of a typed DevID's spelling (open: more may follow) or as all
 * of it. known gets the normalized digits; *still_open says whether more
 * may follow them. False when no spelling of the type reads so. */
static bool read_body(dmb_devid_type t, const char *r, size_t n, bool bare, bool open,
                      char known[16], size_t *klen, bool *still_open)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = upper(r[i]);
        if (t == DMB_DEVID_IMEI && c == '-') {
            if (bare && i == 0)
                return false; /* an IMEI does not start with a separator */
            continue;
        }
        bool ok = (c >= '0' && c <= '9') || (t != DMB_DEVID_IMEI && c >= 'A' && c <= 'F');
        if (!ok || k == DIGITS[t])
            return false;
        known[k++] = c;
    }
    if (!open || k == DIGITS[t]) {
        /* the spelling is r itself (nothing can follow all the digits) */
        if (k != DIGITS[t] || (n > 0 && r[n - 1] == '-'))
            return false;
        if (t == DMB_DEVID_IMEI && !dmb_imei_check_digit_ok(known))
            return false;
        open = false;
    }
    *klen = k;
    *still_open = open;
    return true;
}

/* Does typed pattern q cover a DevID whose normalized digits are known
 * (followed by any, when open)? */
static bool covers_some(dmb_devid_type t, const dmb_pattern *q, const char *known, size_t klen,
                        bool open)
{
    const char *tp = dmb_devid_prefix(t);
    size_t tn = strlen(tp);
    if (q->prefix && q->len <= tn)
        return memcmp(tp, q->text, q->len) == 0; /* every DevID of the type */
    if (q->len < tn || memcmp(q->text, tp, tn) != 0)
        return false;
    const char *qd = q->text + tn;
    size_t qn = q->len - tn;
    if (!open)
        return q->prefix ? qn <= klen && memcmp(qd, known, qn) == 0
                         : qn == klen && memcmp(qd, known, klen) == 0;
    if (!q->prefix) /* a whole DevID (its check digit is right) */
        return klen <= qn && memcmp(qd, known, klen) == 0;
    size_t m = klen < qn ? klen : qn;
    if (memcmp(qd, known, m) != 0)
        return false;
    const char *longer = klen > qn ? known : qd;
    size_t ln = klen > qn ? klen : qn;
    if (ln == DIGITS[t] && t == DMB_DEVID_IMEI)
        return dmb_imei_check_digit_ok(longer);
    return ln <= DIGITS[t];
}

/* Can a string that opaque pattern p matches be read by the type t
 * normalizer as a DevID that one of the typed patterns covers? */
bool dmb_spelling_overlap(dmb_devid_type t, const dmb_pattern *typed, size_t typed_count,
                          const dmb_pattern *p)
{
    if ((unsigned)t >= (unsigned)DMB_DEVID_OPAQUE)
        return false;
    const char *tp = dmb_devid_prefix(t);
    size_t tn = strlen(tp);
    for (int way = 0; way < 3; way++) {
        const char *r = p->text;
        size_t rn = p->len;
        bool bare = false;
        if (way == 0) { /* no type prefix */
            bare = true;
        } else if (way == 1) { /* the type prefix in any case, then the digits */
            if (p->len < tn || !prefix_nocase(p->text, tn, tp))
                continue;
            r += tn;
            rn -= tn;
        } else { /* p is the start of the type prefix, which goes on */
            if (!p->prefix || p->len >= tn || !prefix_nocase(p->text, p->len, tp))
                continue;
            rn = 0;
        }
        char known[16];
        size_t klen;
        bool open;
        if (!read_body(t, r, rn, bare, p->prefix, known, &klen, &open))
            continue;
        for (size_t j = 0; j < typed_count; j++)
            if (covers_some(t, &typed[j], known, klen, open))
                return true;
    }
    return false;
}

static bool spelling_overlap(const dmboot_descriptor *typed, const dmb_pattern *p)
{
    return dmb_spelling_overlap(typed->devid_type, typed->patterns, typed->pattern_count, p);
}

/* An opaque descriptor's pattern that matches other spellings of a typed
 * one's DevIDs: DMBOOT_ERR_OVERLAP naming both (a, b as given). */
static dmboot_status check_spellings(const dmboot_descriptor *a, const dmboot_descriptor *b,
                                     dmboot_error *err)
{
    const dmboot_descriptor *opaque = a->devid_type == DMB_DEVID_OPAQUE ? a : b;
    const dmboot_descriptor *typed = opaque == a ? b : a;
    if (opaque->devid_type != DMB_DEVID_OPAQUE || typed->devid_type == DMB_DEVID_OPAQUE)
        return DMBOOT_OK;
    for (size_t i = 0; i < opaque->pattern_count; i++) {
        const dmb_pattern *p = &opaque->patterns[i];
        if (spelling_overlap(typed, p))
            return dmb_fail(err, DMBOOT_ERR_OVERLAP, 0,
                            "descriptor '%s' overlaps descriptor '%s': opaque devid-match "
                            "'%.*s%s' of '%s' matches DevIDs that the %s normalizer reads as "
                            "ones '%s' covers (another spelling: lowercase prefix, no prefix, "
                            "separators)",
                            a->id, b->id, (int)p->len, p->text, p->prefix ? "*" : "",
                            opaque->id, dmb_devid_type_name(typed->devid_type), typed->id);
    }
    return DMBOOT_OK;
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
    dmboot_status st = check_spellings(a, b, err);
    if (st != DMBOOT_OK)
        return st;
    dmb_ok(err);
    return DMBOOT_OK;
}
