/* Whole-file reads with a size limit, and constant-time comparison. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/common.h"

/* The build's _FILE_OFFSET_BITS=64 (top-level CMakeLists.txt): stat() and
 * readdir() must not fail with EOVERFLOW on 32-bit targets. */
_Static_assert(sizeof(off_t) == 8, "off_t must be 64 bits (_FILE_OFFSET_BITS=64)");

/* strerror() may share a buffer between threads; the XSI strerror_r not. */
const char *dmb_strerrno(int e, char buf[128])
{
    if (strerror_r(e, buf, 128) != 0)
        snprintf(buf, 128, "error %d", e);
    return buf;
}

dmboot_status dmb_read_fd(int fd, size_t max, dmboot_status too_large, const char *what,
                          char **out, size_t *out_len, dmboot_error *err)
{
    size_t cap = 4096 < max + 1 ? 4096 : max + 1, len = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory reading %s", what);
    for (;;) {
        if (len == cap) {
            if (cap > max) {
                OPENSSL_clear_free(buf, cap + 1);
                return dmb_fail(err, too_large, 0, "%s is larger than %zu bytes",
                                what, max);
            }
            size_t ncap = cap * 2 < max + 1 ? cap * 2 : max + 1;
            char *nbuf = malloc(ncap + 1);
            if (nbuf == NULL) {
                OPENSSL_clear_free(buf, cap + 1);
                return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory reading %s",
                                what);
            }
            memcpy(nbuf, buf, len);
            OPENSSL_clear_free(buf, cap + 1); /* may hold a secret */
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            char eb[128];
            dmb_strerrno(errno, eb);
            OPENSSL_clear_free(buf, cap + 1);
            return dmb_fail(err, DMBOOT_ERR_IO, 0, "cannot read %s: %s", what, eb);
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > max) {
        OPENSSL_clear_free(buf, cap + 1);
        return dmb_fail(err, too_large, 0, "%s is larger than %zu bytes", what, max);
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return DMBOOT_OK;
}

dmboot_status dmb_read_file(const char *path, size_t max, dmboot_status too_large,
                            char **out, size_t *out_len, dmboot_error *err)
{
    if (path == NULL || out == NULL || out_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char eb[128];
        return dmb_fail(err, DMBOOT_ERR_IO, 0, "cannot open %s: %s", path,
                        dmb_strerrno(errno, eb));
    }
    dmboot_status st = dmb_read_fd(fd, max, too_large, path, out, out_len, err);
    close(fd);
    return st;
}

dmboot_status dmb_read_secret_file(const char *path, const char *what, size_t max,
                                   char **out, size_t *out_len, dmboot_error *err)
{
    if (path == NULL || what == NULL || out == NULL || out_len == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    /* O_NOFOLLOW: a symbolic link is not opened at all (ELOOP), so nothing
     * can swap the file between a check and the open. O_NONBLOCK: a FIFO
     * does not block the open before fstat refuses it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        struct stat lst;
        if (e == ELOOP && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            return dmb_fail(err, DMBOOT_ERR_KEY, 0,
                            "%s %s is a symbolic link: refused (a key file is read only "
                            "from the file itself; give its real path)",
                            what, path);
        char eb[128];
        return dmb_fail(err, DMBOOT_ERR_IO, 0, "cannot open %s %s: %s", what, path,
                        dmb_strerrno(e, eb));
    }
    struct stat st;
    dmboot_status status = DMBOOT_OK;
    if (fstat(fd, &st) != 0) {
        char eb[128];
        status = dmb_fail(err, DMBOOT_ERR_IO, 0, "cannot stat %s %s: %s", what, path,
                          dmb_strerrno(errno, eb));
    } else if (!S_ISREG(st.st_mode)) {
        status = dmb_fail(err, DMBOOT_ERR_IO, 0, "%s %s is not a regular file: refused",
                          what, path);
    } else if ((st.st_mode & 077) != 0) {
        status = dmb_fail(err, DMBOOT_ERR_KEY, 0,
                          "%s %s is accessible by group or others (mode %04o): refused, "
                          "as OpenSSH refuses such a private key; make it private with "
                          "chmod 600 %s",
                          what, path, (unsigned)(st.st_mode & 07777), path);
    } else {
        /* back to blocking reads for the regular file */
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        char label[DMBOOT_ERROR_MESSAGE_MAX];
        snprintf(label, sizeof label, "%s %s", what, path);
        status = dmb_read_fd(fd, max, DMBOOT_ERR_KEY, label, out, out_len, err);
    }
    close(fd);
    return status;
}

bool dmb_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}
