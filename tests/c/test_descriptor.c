/* Descriptor parsing: every case of tests/vectors/descriptors.json, the
 * 64 KiB limit, files, accessors and devid-match coverage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "test_util.h"

/* A case's bytes: "text", or "text_base64" for bytes that are not UTF-8. */
static char *case_text(const cJSON *c, size_t *len)
{
    const char *t = tu_str(c, "text");
    if (t != NULL) {
        *len = strlen(t);
        return strdup(t);
    }
    const char *b = tu_str(c, "text_base64");
    assert_non_null(b);
    char *out = malloc(strlen(b));
    assert_true(dmb_base64_decode(b, strlen(b), (uint8_t *)out, strlen(b), len));
    return out;
}

static void test_valid_vectors(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("descriptors.json");
    const cJSON *c;
    int count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "valid"))
    {
        size_t len;
        char *text = case_text(c, &len);
        dmboot_descriptor *d = NULL;
        dmboot_error err;
        if (dmboot_descriptor_parse(text, len, &d, &err) != DMBOOT_OK)
            fail_msg("valid case '%s' failed: %s", tu_str(c, "name"), err.message);
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c, "expect"))
        {
            if (strcmp(e->string, "signed_length") == 0) {
                assert_int_equal(dmboot_descriptor_signed_length(d), (size_t)e->valueint);
            } else if (strcmp(e->string, "entries") == 0) {
                assert_int_equal(dmboot_descriptor_count(d), (size_t)e->valueint);
            } else if (cJSON_IsNull(e)) {
                assert_null(dmboot_descriptor_get(d, e->string));
            } else {
                const char *got = dmboot_descriptor_get(d, e->string);
                if (got == NULL || strcmp(got, e->valuestring) != 0)
                    fail_msg("case '%s': %s is '%s', expected '%s'", tu_str(c, "name"),
                             e->string, got ? got : "(absent)", e->valuestring);
            }
        }
        /* the text is kept byte for byte */
        size_t tl = 0;
        assert_memory_equal(dmboot_descriptor_text(d, &tl), text, len);
        assert_int_equal(tl, len);
        dmboot_descriptor_free(d);
        free(text);
        count++;
    }
    assert_true(count >= 12);
    cJSON_Delete(root);
}

static void test_invalid_vectors(void **state)
{
    (void)state;
    cJSON *root = tu_load_vectors("descriptors.json");
    const cJSON *c;
    int count = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(root, "invalid"))
    {
        size_t len;
        char *text = case_text(c, &len);
        dmboot_descriptor *d = NULL;
        dmboot_error err;
        dmboot_status st = dmboot_descriptor_parse(text, len, &d, &err);
        const char *name = tu_str(c, "name");
        size_t line = (size_t)cJSON_GetObjectItemCaseSensitive(c, "line")->valueint;
        const char *want = tu_str(c, "message_contains");
        if (st != DMBOOT_ERR_DESCRIPTOR)
            fail_msg("invalid case '%s' gave status %d", name, (int)st);
        assert_null(d);
        if (err.line != line || strstr(err.message, want) == NULL)
            fail_msg("invalid case '%s': got '%s' (line %zu), expected line %zu and '%s'", name,
                     err.message, err.line, line, want);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "line %zu: ", line);
        assert_int_equal(strncmp(err.message, prefix, strlen(prefix)), 0);
        free(text);
        count++;
    }
    assert_true(count >= 60);
    cJSON_Delete(root);
}

static const char MINIMAL[] = "dmboot-descriptor: 1\nid: m\nissuer: I\ndevid-type: imei\n"
                              "devid-match: IMEI:35* IMEI:490154203237518\nserver-id: s\n"
                              "server-addr: http://h\n";

static void test_size_limit(void **state)
{
    (void)state;
    /* exactly 64 KiB parses; one byte more does not */
    size_t n = DMBOOT_DESCRIPTOR_MAX;
    char *buf = malloc(n + 2);
    size_t off = strlen(MINIMAL);
    memcpy(buf, MINIMAL, off);
    while (off < n) {
        size_t take = n - off > 1001 ? 1001 : n - off;
        memset(buf + off, 'x', take - 1);
        buf[off] = '#';
        buf[off + take - 1] = '\n';
        off += take;
    }
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(buf, n, &d, &err), DMBOOT_OK);
    dmboot_descriptor_free(d);
    memcpy(buf + n - 1, "#\n", 2);
    assert_int_equal(dmboot_descriptor_parse(buf, n + 1, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    assert_non_null(strstr(err.message, "64 KiB"));

    /* and from a file */
    char path[] = "/tmp/dmboot-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, n + 1), (ssize_t)(n + 1));
    close(fd);
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_ERR_DESCRIPTOR);
    assert_non_null(strstr(err.message, "64 KiB"));
    unlink(path);
    free(buf);
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/dmboot-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, MINIMAL, strlen(MINIMAL)), (ssize_t)strlen(MINIMAL));
    close(fd);
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_OK);
    assert_string_equal(dmboot_descriptor_get(d, "id"), "m");
    assert_null(dmboot_descriptor_get(d, "kdf"));
    assert_int_equal(dmboot_descriptor_count(d), 7);
    const char *k, *v;
    assert_int_equal(dmboot_descriptor_entry(d, 4, &k, &v), DMBOOT_OK);
    assert_string_equal(k, "devid-match");
    assert_int_equal(dmboot_descriptor_entry(d, 7, &k, &v), DMBOOT_ERR_INVALID_ARGUMENT);
    dmboot_descriptor_free(d);
    unlink(path);
    assert_int_equal(dmboot_descriptor_load(path, &d, &err), DMBOOT_ERR_IO);
    assert_non_null(strstr(err.message, path));
}

static void test_match(void **state)
{
    (void)state;
    dmboot_descriptor *d = NULL;
    dmboot_error err;
    assert_int_equal(dmboot_descriptor_parse(MINIMAL, strlen(MINIMAL), &d, &err), DMBOOT_OK);
    char out[DMBOOT_DEVID_MAX + 1];
    size_t n = 0;
    /* prefix pattern, typed with separators */
    assert_int_equal(dmboot_descriptor_match(d, "35-209900-176148-1", 18, out, sizeof out, &n,
                                             &err),
                     DMBOOT_OK);
    assert_string_equal(out, "IMEI:352099001761481");
    /* exact pattern */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237518", 15, out, sizeof out, &n, &err),
                     DMBOOT_OK);
    /* neither: well-formed but not covered */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237526", 15, NULL, 0, NULL, &err),
                     DMBOOT_ERR_NOT_COVERED);
    assert_non_null(strstr(err.message, "IMEI:490154203237526"));
    /* malformed */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237519", 15, NULL, 0, NULL, &err),
                     DMBOOT_ERR_DEVID);
    assert_non_null(strstr(err.message, "check digit"));
    /* output buffer too small */
    assert_int_equal(dmboot_descriptor_match(d, "490154203237518", 15, out, 20, &n, &err),
                     DMBOOT_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 20);
    dmboot_descriptor_free(d);
}

static void test_null_arguments(void **state)
{
    (void)state;
    dmboot_descriptor *d = NULL;
    assert_int_equal(dmboot_descriptor_parse(NULL, 1, &d, NULL), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_int_equal(dmboot_descriptor_parse("x", 1, NULL, NULL), DMBOOT_ERR_INVALID_ARGUMENT);
    assert_null(dmboot_descriptor_get(NULL, "id"));
    assert_int_equal(dmboot_descriptor_count(NULL), 0);
    dmboot_descriptor_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_vectors), cmocka_unit_test(test_invalid_vectors),
        cmocka_unit_test(test_size_limit),    cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_match),         cmocka_unit_test(test_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
