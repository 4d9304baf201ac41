/* Reading whole inputs (files or standard input) and base64 arguments. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"

bool cli_read_input(const char *path, size_t max, const char *what, char **out,
                    size_t *out_len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        cli_error("cannot open %s %s: %s", what, path, strerror(errno));
        return false;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    bool ok = buf != NULL;
    while (ok) {
        if (len == cap) {
            if (cap > max) {
                cli_error("%s %s is larger than %zu bytes", what, is_stdin ? "(stdin)" : path,
                          max);
                ok = false;
                break;
            }
            size_t ncap = cap * 2;
            char *nbuf = malloc(ncap + 1);
            if (nbuf == NULL) {
                ok = false;
                break;
            }
            memcpy(nbuf, buf, len);
            OPENSSL_clear_free(buf, cap + 1); /* it may be a secret */
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot read %s %s: %s", what, is_stdin ? "(stdin)" : path,
                      strerror(errno));
            ok = false;
        } else if (n == 0) {
            break;
        } else {
            len += (size_t)n;
        }
    }
    if (!is_stdin)
        close(fd);
    if (ok && len > max) {
        cli_error("%s %s is larger than %zu bytes", what, is_stdin ? "(stdin)" : path, max);
        ok = false;
    }
    if (!ok) {
        if (buf == NULL)
            cli_error("out of memory reading %s", what);
        else
            OPENSSL_clear_free(buf, cap + 1);
        return false;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return true;
}

void cli_free_input(char *buf, size_t len)
{
    if (buf != NULL)
        OPENSSL_clear_free(buf, len + 1);
}

size_t cli_strip_newline(const char *s, size_t len)
{
    if (len > 0 && s[len - 1] == '\n') {
        len--;
        if (len > 0 && s[len - 1] == '\r')
            len--;
    }
    return len;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

bool cli_base64_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 != 0)
        return false;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t w = 0;
        size_t pad = 0;
        for (size_t j = 0; j < 4; j++) {
            char c = in[i + j];
            int v = b64_value(c);
            if (c == '=' && i + 4 == n && j >= 2 && (j == 3 || in[i + 3] == '=')) {
                pad++;
                v = 0;
            } else if (v < 0 || pad > 0) {
                return false;
            }
            w = w << 6 | (uint32_t)v;
        }
        uint8_t b[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        /* canonical: the bits under the padding are zero */
        if ((pad == 1 && b[2] != 0) || (pad == 2 && (b[1] != 0 || b[2] != 0)))
            return false;
        if (o + 3 - pad > cap)
            return false;
        memcpy(out + o, b, 3 - pad);
        o += 3 - pad;
    }
    *out_len = o;
    return true;
}
