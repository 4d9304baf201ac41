/* One device's bootstrap document as a file of its own (dmboot derive
 * --format tnds|w7 --out-dir DIR). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "cli.h"

bool cli_write_document(const char *dir, const dmboot_descriptor *d, const dmboot_account *acc,
                        dmboot_document_type type, char *buf, bool force)
{
    dmboot_error err;
    size_t len = 0, name_len = 0;
    const uint8_t *devid = NULL;
    size_t devid_len = 0;
    dmboot_account_get(acc, DMBOOT_FIELD_DEVID, &devid, &devid_len);
    char name[DMBOOT_DEVID_FILENAME_MAX + 8];
    if (dmboot_devid_filename((const char *)devid, devid_len, ".xml", name, sizeof name,
                              &name_len, &err) != DMBOOT_OK) {
        cli_fail((const char *)devid, &err);
        return false;
    }
    if (dmboot_document_format(d, acc, type, buf, DMBOOT_DOCUMENT_MAX + 1, &len, &err) !=
        DMBOOT_OK) {
        cli_fail((const char *)devid, &err);
        return false;
    }
    size_t dlen = strlen(dir);
    char *path = malloc(dlen + name_len + 2);
    if (path == NULL) {
        cli_error("out of memory");
        OPENSSL_cleanse(buf, len);
        return false;
    }
    memcpy(path, dir, dlen);
    size_t o = dlen;
    if (dlen > 0 && dir[dlen - 1] != '/')
        path[o++] = '/';
    memcpy(path + o, name, name_len + 1);
    bool ok = cli_write_file_atomic(path, buf, len, 0600, force);
    OPENSSL_cleanse(buf, len); /* the document holds the device's secrets */
    free(path);
    return ok;
}

bool cli_make_dirs(const char *dir)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (p == NULL) {
        cli_error("out of memory");
        return false;
    }
    memcpy(p, dir, n + 1);
    /* Each parent, then the directory itself, like mkdir -p (mode 0700:
     * the documents hold secrets). */
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char c = p[i];
        p[i] = '\0';
        struct stat st;
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            cli_error("cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return false;
        }
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
            cli_error("%s is not a directory", p);
            free(p);
            return false;
        }
        p[i] = c;
    }
    free(p);
    return true;
}
