/* Listing a directory of key or descriptor files, and joining paths: what
 * the keyring and the registry both load from a directory. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool wanted(const char *name, const char *suffix, bool skip_hidden)
{
    size_t n = strlen(name), k = strlen(suffix);
    if (skip_hidden && name[0] == '.')
        return false;
    return n > k && strcmp(name + n - k, suffix) == 0;
}

void dmb_names_free(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

dmboot_status dmb_dir_list(const char *dir, const char *what, const char *suffix,
                           bool skip_hidden, char ***names_out, size_t *count_out,
                           dmboot_error *err)
{
    *names_out = NULL;
    *count_out = 0;
    DIR *dh = opendir(dir);
    if (dh == NULL) {
        char eb[128];
        return dmb_fail(err, DMBOOT_ERR_IO, 0, "cannot open %s %s: %s", what, dir,
                        dmb_strerrno(errno, eb));
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    dmboot_status st = DMBOOT_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(dh)) != NULL) {
        if (!wanted(e->d_name, suffix, skip_hidden))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            char **n = realloc(names, cap * sizeof *n);
            if (n == NULL) {
                st = dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
                break;
            }
            names = n;
        }
        if ((names[count] = strdup(e->d_name)) == NULL) {
            st = dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
            break;
        }
        count++;
        errno = 0;
    }
    if (st == DMBOOT_OK && errno != 0) {
        char eb[128];
        st = dmb_fail(err, DMBOOT_ERR_IO, 0, "cannot read %s %s: %s", what, dir,
                      dmb_strerrno(errno, eb));
    }
    closedir(dh);
    if (st != DMBOOT_OK) {
        dmb_names_free(names, count);
        return st;
    }
    if (count > 1)
        qsort(names, count, sizeof *names, compare_names);
    *names_out = names;
    *count_out = count;
    return DMBOOT_OK;
}

char *dmb_path_join(const char *dir, const char *name)
{
    size_t dir_len = strlen(dir), plen = dir_len + 1 + strlen(name) + 1;
    bool slash = dir_len > 0 && dir[dir_len - 1] == '/';
    char *path = malloc(plen);
    if (path != NULL)
        snprintf(path, plen, "%s%s%s", dir, slash ? "" : "/", name);
    return path;
}
