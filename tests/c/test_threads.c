/* Shared immutable objects across threads: one descriptor, one verifier and
 * one registry used by several threads at once, each with its own deriver
 * and account, must give exactly the single-threaded results. (Also run
 * under ThreadSanitizer by hand: see docs/api.md "Threads".) */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test_util.h"
#include "dmboot.h"

#define THREADS 4
#define DEVICES 300

static const char DESC[] = "dmboot-descriptor: 1\nid: threads\nissuer: T\ndevid-type: opaque\n"
                           "devid-match: dev-*\nserver-id: s\nserver-addr: https://h/dm\n"
                           "name: devid\nclient-secret: derive chars 24 alnum\n"
                           "server-secret: derive bytes 16 base64\nclient-nonce: derive bytes 16\n";
static const uint8_t KEY[32] = {9, 8, 7};

typedef struct shared {
    const dmboot_descriptor *d;
    const dmboot_registry *reg;
    const dmboot_verifier *v;
    char want[DEVICES][DMBOOT_ROW_MAX];
} shared;

static shared S;

static void row_for(dmboot_deriver *dv, dmboot_account *acc, int i, char *row)
{
    char devid[32];
    size_t n;
    snprintf(devid, sizeof devid, "dev-%d", i);
    if (dmboot_derive(dv, devid, strlen(devid), acc, NULL) != DMBOOT_OK ||
        dmboot_account_format(acc, DMBOOT_FORMAT_JSON, row, DMBOOT_ROW_MAX, &n, NULL) !=
            DMBOOT_OK)
        row[0] = '\0';
}

static void *worker(void *arg)
{
    long id = (long)arg, bad = 0;
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    if (dmboot_deriver_new(S.d, KEY, sizeof KEY, DMBOOT_KEY_MASTER, &dv, NULL) != DMBOOT_OK ||
        dmboot_account_new(&acc, NULL) != DMBOOT_OK)
        return (void *)1;
    char row[DMBOOT_ROW_MAX];
    for (int k = 0; k < DEVICES; k++) {
        int i = (int)((k + id * 37) % DEVICES); /* each thread in another order */
        row_for(dv, acc, i, row);
        bad += strcmp(row, S.want[i]) != 0;
        if (k % 50 == 0) {
            unsigned checked = 0;
            bad += dmboot_descriptor_verify(S.d, S.v, &checked, NULL) != DMBOOT_OK;
            const dmboot_descriptor *found = NULL;
            bad += dmboot_registry_lookup(S.reg, "dev-7", 5, &found, NULL, 0, NULL, NULL) !=
                   DMBOOT_OK;
        }
    }
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);
    return (void *)bad;
}

static void test_shared_objects(void **state)
{
    (void)state;
    dmboot_descriptor *plain = NULL, *d = NULL;
    dmboot_verifier *v = NULL;
    dmboot_registry *reg = NULL;
    dmboot_error err;
    char signed_text[4096];
    size_t n = 0;
    assert_int_equal(dmboot_descriptor_parse(DESC, strlen(DESC), &plain, &err), DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_sign(plain, KEY, sizeof KEY, DMBOOT_KEY_MASTER, NULL, 0,
                                            signed_text, sizeof signed_text, &n, &err),
                     DMBOOT_OK);
    assert_int_equal(dmboot_descriptor_parse(signed_text, n, &d, &err), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_new(&v, &err), DMBOOT_OK);
    assert_int_equal(dmboot_verifier_set_key(v, KEY, sizeof KEY, DMBOOT_KEY_MASTER, &err),
                     DMBOOT_OK);
    assert_int_equal(dmboot_registry_new(&reg, &err), DMBOOT_OK);
    assert_int_equal(dmboot_registry_add(reg, d, v, &err), DMBOOT_OK);
    S.d = d;
    S.v = v;
    S.reg = reg;

    /* the answers, single-threaded */
    dmboot_deriver *dv = NULL;
    dmboot_account *acc = NULL;
    assert_int_equal(dmboot_deriver_new(d, KEY, sizeof KEY, DMBOOT_KEY_MASTER, &dv, &err),
                     DMBOOT_OK);
    assert_int_equal(dmboot_account_new(&acc, &err), DMBOOT_OK);
    for (int i = 0; i < DEVICES; i++) {
        row_for(dv, acc, i, S.want[i]);
        assert_true(S.want[i][0] == '{');
    }
    dmboot_account_free(acc);
    dmboot_deriver_free(dv);

    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < THREADS; i++) {
        void *bad = NULL;
        assert_int_equal(pthread_join(t[i], &bad), 0);
        assert_null(bad);
    }
    dmboot_registry_free(reg);
    dmboot_verifier_free(v);
    dmboot_descriptor_free(d);
    dmboot_descriptor_free(plain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_shared_objects)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
