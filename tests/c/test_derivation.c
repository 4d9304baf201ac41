/* tests/vectors/derivation.json: the library reproduces every output, and
 * the batch key derives exactly what the master key derives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "derivation_vectors.h"
#include "test_util.h"
#include "dmboot.h"

/* Report the first differing value with its path. */
static void diff(const cJSON *want, const cJSON *got, const char *path)
{
    if (cJSON_IsObject(want) || cJSON_IsArray(want)) {
        const cJSON *w = want->child, *g = got ? got->child : NULL;
        int i = 0;
        for (; w != NULL; w = w->next, g = g ? g->next : NULL, i++) {
            char sub[512];
            if (w->string)
                snprintf(sub, sizeof sub, "%s.%s", path, w->string);
            else
                snprintf(sub, sizeof sub, "%s[%d]", path, i);
            const cJSON *gg = w->string ? cJSON_GetObjectItemCaseSensitive(got, w->string) : g;
            diff(w, gg, sub);
        }
        return;
    }
    if (got == NULL || !cJSON_Compare(want, got, 1)) {
        char *a = cJSON_PrintUnformatted(want), *b = got ? cJSON_PrintUnformatted(got) : NULL;
        fail_msg("%s: file has %s, the library gives %s", path, a, b ? b : "(nothing)");
    }
}

static void test_outputs(void **state)
{
    (void)state;
    cJSON *file = tu_load_vectors("derivation.json");
    cJSON *ours = derivation_outputs(file);
    assert_non_null(ours);
    diff(file, ours, "$");
    diff(ours, file, "$"); /* nothing the file lacks either */
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(file, "accounts")) >= 10);
    cJSON_Delete(ours);
    cJSON_Delete(file);
}

static void test_batch_key_derives_the_same(void **state)
{
    (void)state;
    cJSON *file = tu_load_vectors("derivation.json");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(file, "accounts"))
    {
        const char *desc = tu_str(c, "descriptor");
        size_t bk_len;
        uint8_t *bk = tu_unhex(tu_str(c, "batch_key"), &bk_len);
        dmboot_descriptor *d = NULL;
        dmboot_deriver *dv = NULL;
        dmboot_account *acc = NULL;
        dmboot_error err;
        assert_int_equal(dmboot_descriptor_parse(desc, strlen(desc), &d, &err), DMBOOT_OK);
        assert_int_equal(dmboot_deriver_new(d, bk, bk_len, DMBOOT_KEY_BATCH, &dv, &err),
                         DMBOOT_OK);
        assert_int_equal(dmboot_account_new(&acc, &err), DMBOOT_OK);
        char kc[9];
        assert_int_equal(dmboot_descriptor_key_check(d, bk, bk_len, DMBOOT_KEY_BATCH, kc, &err),
                         DMBOOT_OK);
        assert_string_equal(kc, tu_str(c, "key_check"));
        const cJSON *dev;
        cJSON_ArrayForEach(dev, cJSON_GetObjectItemCaseSensitive(c, "devices"))
        {
            const char *in = tu_str(dev, "input");
            assert_int_equal(dmboot_derive(dv, in, strlen(in), acc, &err), DMBOOT_OK);
            for (int f = 0; f < DMBOOT_FIELD_COUNT; f++) {
                if (f == DMBOOT_FIELD_CLIENT_NONCE || f == DMBOOT_FIELD_SERVER_NONCE)
                    continue; /* compared as base64 in test_outputs */
                const uint8_t *v;
                size_t n;
                const char *want = tu_str(dev, dmboot_field_name((dmboot_field)f));
                int has = dmboot_account_get(acc, (dmboot_field)f, &v, &n);
                assert_int_equal(has, want != NULL);
                if (has)
                    assert_string_equal((const char *)v, want);
            }
        }
        dmboot_account_free(acc);
        dmboot_deriver_free(dv);
        dmboot_descriptor_free(d);
        free(bk);
    }
    cJSON_Delete(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_outputs),
                                       cmocka_unit_test(test_batch_key_derives_the_same)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
