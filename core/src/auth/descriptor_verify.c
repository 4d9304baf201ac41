/*
 * Verification of a parsed descriptor (docs/authentication.md §3): the
 * signature, the scope (with a trust file), the key check, the MAC and the
 * validity period, in that order, then the policy (what must have been
 * checked). Every check runs
 * and is reported; the result is the first failure in that order.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/verifier.h"

static const char *const CHECK_NAME[DMBOOT_CHECK_COUNT] = {"signature", "key-check", "mac",
                                                           "validity", "scope"};

const char *dmboot_check_name(dmboot_check check)
{
    return (unsigned)check < DMBOOT_CHECK_COUNT ? CHECK_NAME[check] : NULL;
}

static char *note_of(dmboot_verify_report *r, dmboot_check c)
{
    switch (c) {
    case DMBOOT_CHECK_SIGNATURE: return r->signature;
    case DMBOOT_CHECK_KEY_CHECK: return r->key_check;
    case DMBOOT_CHECK_MAC: return r->mac;
    case DMBOOT_CHECK_VALIDITY: return r->validity;
    case DMBOOT_CHECK_SCOPE: return r->scope;
    }
    return r->validity;
}

const char *dmboot_verify_report_note(const dmboot_verify_report *r, dmboot_check check)
{
    if (r == NULL || (unsigned)check >= DMBOOT_CHECK_COUNT)
        return NULL;
    return note_of((dmboot_verify_report *)(uintptr_t)r, check);
}

/* Running state: the report, and the first failure (its status and the
 * message that goes to err). */
typedef struct run {
    const dmboot_descriptor *d;
    const dmboot_verifier *v;
    dmboot_verify_report *r;
    dmboot_status first;
    char first_msg[DMBOOT_ERROR_MESSAGE_MAX];
    const dmb_trust_issuer *signer; /* the trust file's issuer whose key verified it */
} run;

static void DMBOOT_PRINTF(3, 4) skipped(run *x, dmboot_check c, const char *fmt, ...)
{
    char *note = note_of(x->r, c);
    int n = snprintf(note, DMBOOT_ERROR_MESSAGE_MAX, "not checked (");
    va_list ap;
    va_start(ap, fmt);
    dmb_vformat(note + n, DMBOOT_ERROR_MESSAGE_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = strlen(note);
    if (len + 1 < DMBOOT_ERROR_MESSAGE_MAX) {
        note[len] = ')';
        note[len + 1] = '\0';
    }
}

static void DMBOOT_PRINTF(3, 4) passed(run *x, dmboot_check c, const char *fmt, ...)
{
    char *note = note_of(x->r, c);
    va_list ap;
    va_start(ap, fmt);
    dmb_vformat(note, DMBOOT_ERROR_MESSAGE_MAX, fmt, ap);
    va_end(ap);
    x->r->checked |= 1u << c;
}

/* Reasons are short enough that the check name and descriptor id fit. */
#define DMB_REASON_MAX 224

/* A failed check: "FAILED: reason" in the report; the first one becomes the
 * result, as "<check> check failed for descriptor '<id>': reason". */
static void DMBOOT_PRINTF(4, 5)
    failed(run *x, dmboot_check c, dmboot_status st, const char *fmt, ...)
{
    char reason[DMB_REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    dmb_vformat(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(note_of(x->r, c), DMBOOT_ERROR_MESSAGE_MAX, "FAILED: %s", reason);
    x->r->failed |= 1u << c;
    if (x->first == DMBOOT_OK) {
        x->first = st;
        snprintf(x->first_msg, sizeof x->first_msg, "%s check failed for descriptor '%s': %s",
                 CHECK_NAME[c], x->d->id, reason);
    }
}

static void check_scope(run *x);

static void check_signature(run *x)
{
    const dmboot_verifier *v = x->v;
    if (!x->d->has_signature) {
        skipped(x, DMBOOT_CHECK_SIGNATURE, "the descriptor has no signature line");
        return;
    }
    size_t trusted = v->trust != NULL ? v->trust->count : 0;
    if (v->issuer_count == 0 && trusted == 0) {
        skipped(x, DMBOOT_CHECK_SIGNATURE, "no issuer key given");
        return;
    }
    for (size_t i = 0; i < v->issuer_count; i++) {
        if (dmb_ed25519_verify(v->issuers[i], x->d->text, x->d->signed_len,
                               x->d->signature)) {
            x->r->issuer_key = i + 1;
            x->signer = dmb_trust_by_key(v->trust, v->issuers[i]);
            passed(x, DMBOOT_CHECK_SIGNATURE, "ok (issuer key %zu)", i + 1);
            return;
        }
    }
    for (size_t i = 0; i < trusted; i++) {
        const dmb_trust_issuer *is = &v->trust->items[i];
        if (dmb_ed25519_verify(is->pk, x->d->text, x->d->signed_len, x->d->signature)) {
            x->signer = is;
            passed(x, DMBOOT_CHECK_SIGNATURE, "ok (trusted issuer '%.64s')", is->name);
            return;
        }
    }
    failed(x, DMBOOT_CHECK_SIGNATURE, DMBOOT_ERR_BAD_SIGNATURE,
           "the signature does not verify with %s (the descriptor was changed after it was "
           "signed, or another key signed it)",
           v->issuer_count + trusted == 1 ? "the issuer key" : "any of the issuer keys");
}

/* The key check and the MAC share one stream keyed for the descriptor. */
static dmboot_status check_key_and_mac(run *x, dmboot_error *err)
{
    const dmboot_descriptor *d = x->d;
    const dmboot_verifier *v = x->v;
    const uint8_t *key = v->key;
    size_t key_len = v->key_len;
    dmboot_key_kind kind = v->kind;
    const char *key_id = dmboot_descriptor_get(d, "key-id");
    if (v->keyring != NULL) {
        /* the keyring: the descriptor's key-id selects its master key */
        key = key_id != NULL ? dmb_keyring_lookup(v->keyring, key_id, strlen(key_id), &key_len)
                             : NULL;
        kind = DMBOOT_KEY_MASTER;
        if (key == NULL) {
            char ids[160];
            dmb_keyring_list(v->keyring, ids, sizeof ids);
            if (key_id == NULL)
                failed(x, DMBOOT_CHECK_KEY_CHECK, DMBOOT_ERR_UNKNOWN_KEY,
                       "it has no key-id line, so no key of the keyring is its key "
                       "(keyring: %s)",
                       ids);
            else
                failed(x, DMBOOT_CHECK_KEY_CHECK, DMBOOT_ERR_UNKNOWN_KEY,
                       "its key-id '%.64s' is not in the keyring (keyring: %s)", key_id, ids);
            if (d->has_mac)
                skipped(x, DMBOOT_CHECK_MAC, "no key for its key-id");
            else
                skipped(x, DMBOOT_CHECK_MAC, "the descriptor has no mac line");
            return DMBOOT_OK;
        }
    } else if (!v->has_key) {
        skipped(x, DMBOOT_CHECK_KEY_CHECK, "no key given");
        if (d->has_mac)
            skipped(x, DMBOOT_CHECK_MAC, "no key given");
        else
            skipped(x, DMBOOT_CHECK_MAC, "the descriptor has no mac line");
        return DMBOOT_OK;
    }
    const char *which = kind == DMBOOT_KEY_BATCH ? "batch" : "master";
    dmb_stream *s = NULL;
    dmboot_status st = dmb_key_stream(d, key, key_len, kind, &s, err);
    if (st != DMBOOT_OK)
        return st;

    bool key_ok = true;
    if (!d->has_key_check) {
        skipped(x, DMBOOT_CHECK_KEY_CHECK, "the descriptor has no key-check line");
    } else {
        char kc[9];
        st = dmb_key_check_with(d, s, kc, err);
        if (st != DMBOOT_OK)
            goto out;
        key_ok = dmb_equal(kc, d->key_check, 8);
        if (key_ok && v->keyring != NULL)
            passed(x, DMBOOT_CHECK_KEY_CHECK, "ok (%s, key-id %.64s)", kc, key_id);
        else if (key_ok)
            passed(x, DMBOOT_CHECK_KEY_CHECK, "ok (%s)", kc);
        else
            failed(x, DMBOOT_CHECK_KEY_CHECK, DMBOOT_ERR_KEY_MISMATCH,
                   "the %s key%s%.64s%s gives key check %s, the descriptor says %s (wrong "
                   "key%s, or the key-check line was changed)",
                   which, v->keyring != NULL ? " of key-id '" : "",
                   v->keyring != NULL ? key_id : "", v->keyring != NULL ? "'" : "", kc,
                   d->key_check,
                   v->keyring != NULL ? ": the key-id names another issuer's key"
                   : kind == DMBOOT_KEY_BATCH ? ", or the batch key of another descriptor"
                                              : ", or a batch key given as a master key");
    }

    if (!d->has_mac) {
        skipped(x, DMBOOT_CHECK_MAC, "the descriptor has no mac line");
    } else if (!key_ok) {
        /* spec §2.6: a key that fails key-check is not used */
        skipped(x, DMBOOT_CHECK_MAC, "the key failed key-check");
    } else if (kind == DMBOOT_KEY_BATCH) {
        /* the MAC key comes from the master key: a factory's batch key
           neither makes nor checks a MAC (authentication.md §1.2) */
        skipped(x, DMBOOT_CHECK_MAC, "a batch key cannot check a MAC: its key comes from "
                                     "the master key");
    } else {
        uint8_t mk[DMB_MAC_LEN], mac[DMB_MAC_LEN];
        st = dmb_mac_key(d, key, key_len, kind, mk, err);
        if (st == DMBOOT_OK)
            st = dmb_hmac(mk, d->text, d->signed_len, mac, err);
        OPENSSL_cleanse(mk, sizeof mk);
        if (st == DMBOOT_OK) {
            if (dmb_equal(mac, d->mac, DMB_MAC_LEN))
                passed(x, DMBOOT_CHECK_MAC, "ok");
            else if (d->has_key_check)
                /* the key is right, so the bytes are not */
                failed(x, DMBOOT_CHECK_MAC, DMBOOT_ERR_BAD_MAC,
                       "the MAC does not match; the %s key passes key-check, so the "
                       "descriptor was changed after the MAC was made",
                       which);
            else
                failed(x, DMBOOT_CHECK_MAC, DMBOOT_ERR_BAD_MAC,
                       "the MAC does not match (wrong %s key, or the descriptor was changed "
                       "after the MAC was made)",
                       which);
        }
        OPENSSL_cleanse(mac, sizeof mac);
    }
out:
    dmb_stream_free(s);
    return st;
}

/* A bound as the file writes it, for messages. */
static const char *bound_text(const dmboot_descriptor *d, const char *key)
{
    const char *t = dmboot_descriptor_get(d, key);
    return t != NULL ? t : "(none)";
}

static void check_validity(run *x)
{
    const dmboot_descriptor *d = x->d;
    const dmboot_verifier *v = x->v;
    if (v->flags & DMBOOT_VERIFY_IGNORE_VALIDITY) {
        skipped(x, DMBOOT_CHECK_VALIDITY, "validity ignored on request");
        return;
    }
    /* The clock is read here and only here (derivation never reads it). */
    int64_t now = v->has_time ? v->time : (int64_t)time(NULL);
    x->r->at = now;
    char at[DMB_TIME_TEXT_MAX];
    dmb_time_format(now, at);
    const char *nb = bound_text(d, "not-before"), *na = bound_text(d, "not-after");
    if (now < d->not_before)
        failed(x, DMBOOT_CHECK_VALIDITY, DMBOOT_ERR_NOT_VALID_NOW,
               "not valid yet: not-before is %s (from 00:00:00 UTC), the time is %s", nb, at);
    else if (now > d->not_after)
        failed(x, DMBOOT_CHECK_VALIDITY, DMBOOT_ERR_NOT_VALID_NOW,
               "expired: not-after was %s (until 23:59:59 UTC), the time is %s", na, at);
    else if (d->not_before == INT64_MIN && d->not_after == INT64_MAX)
        passed(x, DMBOOT_CHECK_VALIDITY, "ok (no not-before or not-after)");
    else if (d->not_before == INT64_MIN)
        passed(x, DMBOOT_CHECK_VALIDITY, "ok (until %s)", na);
    else if (d->not_after == INT64_MAX)
        passed(x, DMBOOT_CHECK_VALIDITY, "ok (from %s)", nb);
    else
        passed(x, DMBOOT_CHECK_VALIDITY, "ok (%s .. %s)", nb, na);
}

/* The scope check (authentication.md §6): the issuer, identified by the
 * key that verified the signature or else by the key-id, must list the
 * key-id and hold every devid-match pattern in one of its ranges. */
static void check_scope(run *x)
{
    const dmboot_descriptor *d = x->d;
    const dmboot_verifier *v = x->v;
    if (v->trust == NULL) {
        skipped(x, DMBOOT_CHECK_SCOPE, "no trust file given");
        return;
    }
    const char *key_id = dmboot_descriptor_get(d, "key-id");
    const dmb_trust_issuer *owner = dmb_trust_by_key_id(v->trust, key_id);
    const dmb_trust_issuer *is = x->signer != NULL ? x->signer : owner;
    if (x->r->checked & DMBOOT_CHECKED_SIGNATURE && x->signer == NULL) {
        failed(x, DMBOOT_CHECK_SCOPE, DMBOOT_ERR_SCOPE,
               "issuer key %zu verified its signature, but the trust file names no issuer "
               "with that key, so nothing bounds what it may claim",
               x->r->issuer_key);
        return;
    }
    if (is == NULL) {
        if (key_id == NULL)
            failed(x, DMBOOT_CHECK_SCOPE, DMBOOT_ERR_SCOPE,
                   "no trusted issuer signed it and it has no key-id, so the trust file "
                   "cannot say whose it is");
        else
            failed(x, DMBOOT_CHECK_SCOPE, DMBOOT_ERR_SCOPE,
                   "no trusted issuer signed it and its key-id '%.64s' is no trusted issuer's",
                   key_id);
        return;
    }
    if (key_id == NULL) {
        failed(x, DMBOOT_CHECK_SCOPE, DMBOOT_ERR_SCOPE,
               "issuer '%.64s' signed it without a key-id line (the trust file binds each "
               "issuer to its key-ids)",
               is->name);
        return;
    }
    if (owner != is) {
        if (owner != NULL)
            failed(x, DMBOOT_CHECK_SCOPE, DMBOOT_ERR_SCOPE,
                   "issuer '%.64s' uses key-id '%.64s', which is issuer '%.64s''s", is->name,
                   key_id, owner->name);
        else
            failed(x, DMBOOT_CHECK_SCOPE, DMBOOT_ERR_SCOPE,
                   "issuer '%.64s' uses key-id '%.64s', which is not one of its key-ids",
                   is->name, key_id);
        return;
    }
    size_t type_prefix = dmb_devid_prefix_len(d->devid_type);
    for (size_t i = 0; i < d->pattern_count; i++) {
        const dmb_pattern *p = &d->patterns[i];
        const char *text = p->text;
        size_t len = p->len;
        /* a typed prefix shorter than its type prefix ("*", "IM*") claims
         * every DevID of the type (as for overlap, §5.1) */
        if (p->prefix && len < type_prefix && (unsigned)d->devid_type < 4) {
            text = dmb_devid_prefix(d->devid_type);
            len = type_prefix;
        }
        bool inside = false;
        for (size_t j = 0; j < is->range_count && !inside; j++)
            inside = dmb_range_contains(&is->ranges[j], text, len, p->prefix);
        if (!inside) {
            char ranges[96];
            dmb_trust_ranges_text(is, ranges, sizeof ranges);
            failed(x, DMBOOT_CHECK_SCOPE, DMBOOT_ERR_SCOPE,
                   "issuer '%.64s' may not claim devid-match '%.*s%s', outside its "
                   "devid-ranges (%s)",
                   is->name, (int)(p->len > 40 ? 40 : p->len), p->text, p->prefix ? "*" : "",
                   ranges);
            return;
        }
    }
    passed(x, DMBOOT_CHECK_SCOPE, "ok (issuer '%.64s', key-id %.64s)", is->name, key_id);
}

/* Why an authentication line present in the file was not checked. */
static void unchecked_reasons(const run *x, char *buf, size_t cap)
{
    const dmboot_descriptor *d = x->d;
    if (!d->has_mac && !d->has_signature) {
        snprintf(buf, cap, "it has neither a mac nor a signature line (add them with "
                           "dmboot sign)");
        return;
    }
    size_t n = 0;
    buf[0] = '\0';
    if (d->has_mac && !(x->r->checked & DMBOOT_CHECKED_MAC))
        n += (size_t)snprintf(buf + n, cap - n, "its mac line was %s",
                              !x->v->has_key && x->v->keyring == NULL
                                  ? "not checked: no key given"
                              : x->v->kind == DMBOOT_KEY_BATCH
                                  ? "not checked: a batch key cannot check a MAC"
                                  : "not checked");
    if (d->has_signature && !(x->r->checked & DMBOOT_CHECKED_SIGNATURE) && n < cap)
        snprintf(buf + n, cap - n, "%sits signature line was %s", n ? "; " : "",
                 x->v->issuer_count ? "not checked"
                                    : "not checked: no issuer key given");
}

static void check_policy(run *x)
{
    if (x->first != DMBOOT_OK)
        return;
    const dmboot_descriptor *d = x->d;
    unsigned flags = x->v->flags, ok = x->r->checked;
    const char *id = d->id;
    char why[200];
    if ((flags & DMBOOT_VERIFY_REQUIRE_SIGNATURE) && !(ok & DMBOOT_CHECKED_SIGNATURE)) {
        x->first = DMBOOT_ERR_UNAUTHENTICATED;
        snprintf(x->first_msg, sizeof x->first_msg,
                 "descriptor '%s' is not authenticated: a signature is required, but %s", id,
                 !d->has_signature ? "it has no signature line" : "no issuer key was given");
    } else if ((flags & DMBOOT_VERIFY_REQUIRE_MAC) && !(ok & DMBOOT_CHECKED_MAC)) {
        x->first = DMBOOT_ERR_UNAUTHENTICATED;
        snprintf(x->first_msg, sizeof x->first_msg,
                 "descriptor '%s' is not authenticated: a MAC is required, but %s", id,
                 !d->has_mac                         ? "it has no mac line"
                 : !x->v->has_key && x->v->keyring == NULL ? "no key was given"
                 : x->v->kind == DMBOOT_KEY_BATCH ? "a batch key cannot check a MAC (the "
                                                     "master key is needed)"
                                                   : "the key failed key-check");
    } else if (!(flags & DMBOOT_VERIFY_ALLOW_UNAUTHENTICATED) &&
               !(ok & (DMBOOT_CHECKED_MAC | DMBOOT_CHECKED_SIGNATURE))) {
        unchecked_reasons(x, why, sizeof why);
        x->first = DMBOOT_ERR_UNAUTHENTICATED;
        snprintf(x->first_msg, sizeof x->first_msg,
                 "descriptor '%s' is not authenticated: %s", id, why);
    }
}

dmboot_status dmboot_descriptor_verify_report(const dmboot_descriptor *d,
                                              const dmboot_verifier *v,
                                              dmboot_verify_report *report, dmboot_error *err)
{
    if (d == NULL || v == NULL || report == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    memset(report, 0, sizeof *report);
    run x = {.d = d, .v = v, .r = report, .first = DMBOOT_OK};
    check_signature(&x);
    /* the scope needs no secret either: who may claim what is settled
     * before any key is used (a key-id of another issuer is named as such,
     * not as a key mismatch) */
    check_scope(&x);
    dmboot_status st = check_key_and_mac(&x, err);
    if (st != DMBOOT_OK) {
        /* OpenSSL failed: nothing was decided */
        report->checked = 0;
        return st;
    }
    check_validity(&x);
    check_policy(&x);
    if (x.first != DMBOOT_OK)
        return dmb_fail(err, x.first, 0, "%s", x.first_msg);
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmboot_descriptor_verify(const dmboot_descriptor *d, const dmboot_verifier *v,
                                       unsigned *checked, dmboot_error *err)
{
    dmboot_verify_report r;
    memset(&r, 0, sizeof r);
    dmboot_status st = dmboot_descriptor_verify_report(d, v, &r, err);
    if (checked != NULL)
        *checked = r.checked; /* 0 when nothing was decided */
    return st;
}
