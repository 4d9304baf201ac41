/* The x-syncml-hmac transport header (OMA DM Security):
 *     x-syncml-hmac: algorithm=MD5, username="NAME", mac=MAC
 * Written in that one shape; read back leniently, as HTTP header values go:
 * quoted or bare values, any blanks around ',' and '=', names in any case,
 * unknown parameters skipped. */
#include <string.h>

#include <openssl/crypto.h>

#include "omadm/omadm.h"

static const char FIELD[] = "x-syncml-hmac";

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

/* RFC 7230 tchar: what a parameter name is made of. */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A bare value: visible ASCII but ',' and '"' (a base64 MAC has '+', '/',
 * '='); bytes >= 0x80 too, as HTTP's obs-text. */
static bool is_bare(unsigned char c)
{
    return !is_ctl(c) && c != ' ' && c != ',' && c != '"';
}

static bool ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

dmboot_status dmboot_hmac_header_format(const char *name, size_t name_len, const char *mac,
                                        size_t mac_len, char *out, size_t out_cap,
                                        size_t *out_len, dmboot_error *err)
{
    if ((name == NULL && name_len != 0) || (mac == NULL && mac_len != 0) || out_len == NULL ||
        (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (name_len > DMBOOT_AUTH_TEXT_MAX)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "the user name has %zu bytes; at most %d are accepted", name_len,
                        DMBOOT_AUTH_TEXT_MAX);
    /* A CR or LF in a header value would let a name inject headers. */
    for (size_t i = 0; i < name_len; i++)
        if (is_ctl((unsigned char)name[i]))
            return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                            "the user name has a control character (byte %zu): it cannot go "
                            "into a header",
                            i + 1);
    if (mac_len == 0 || mac_len > DMBOOT_HMAC_MAC_MAX)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "the MAC has %zu characters (expected 1 to %d)", mac_len,
                        DMBOOT_HMAC_MAC_MAX);
    for (size_t i = 0; i < mac_len; i++)
        if (!is_bare((unsigned char)mac[i]) || (unsigned char)mac[i] >= 0x80)
            return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                            "the MAC has a character that cannot stand bare in a header "
                            "(position %zu)",
                            i + 1);
    size_t need = strlen("algorithm=MD5, username=\"") + name_len + strlen("\", mac=") + mac_len;
    for (size_t i = 0; i < name_len; i++)
        if (name[i] == '"' || name[i] == '\\')
            need++;
    *out_len = need;
    if (out == NULL || need >= out_cap)
        return dmb_fail(err, DMBOOT_ERR_BUFFER_TOO_SMALL, 0,
                        "the header value needs %zu bytes and a NUL", need);
    size_t o = 0;
    const char *head = "algorithm=MD5, username=\"";
    memcpy(out, head, strlen(head));
    o += strlen(head);
    for (size_t i = 0; i < name_len; i++) {
        if (name[i] == '"' || name[i] == '\\')
            out[o++] = '\\';
        out[o++] = name[i];
    }
    memcpy(out + o, "\", mac=", 7);
    o += 7;
    memcpy(out + o, mac, mac_len);
    o += mac_len;
    out[o] = '\0';
    dmb_ok(err);
    return DMBOOT_OK;
}

typedef struct cursor {
    const char *s;
    size_t n, i;
} cursor;

static void skip_ows(cursor *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

static dmboot_status syntax(dmboot_error *err, const cursor *c, const char *what)
{
    if (c->i >= c->n)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "x-syncml-hmac header: %s at its end", what);
    unsigned char ch = (unsigned char)c->s[c->i];
    if (ch > 0x20 && ch < 0x7f)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "x-syncml-hmac header: %s at position %zu ('%c')", what, c->i + 1, ch);
    return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                    "x-syncml-hmac header: %s at position %zu (byte 0x%02x)", what, c->i + 1,
                    ch);
}

/* Read a value (quoted-string or bare) into out[0..cap); *len gets its
 * length, or cap + 1 when it did not fit (then out holds a prefix). */
static dmboot_status read_value(cursor *c, char *out, size_t cap, size_t *len,
                                dmboot_error *err)
{
    size_t o = 0;
    if (c->i < c->n && c->s[c->i] == '"') {
        c->i++;
        for (;;) {
            if (c->i >= c->n)
                return syntax(err, c, "unterminated quoted value");
            unsigned char ch = (unsigned char)c->s[c->i];
            if (ch == '"') {
                c->i++;
                break;
            }
            if (ch == '\\') {
                c->i++;
                if (c->i >= c->n)
                    return syntax(err, c, "unterminated quoted value");
                ch = (unsigned char)c->s[c->i];
            }
            if (is_ctl(ch) && ch != '\t')
                return syntax(err, c, "control character in a quoted value");
            if (o < cap)
                out[o] = (char)ch;
            o++;
            c->i++;
        }
    } else {
        size_t start = c->i;
        while (c->i < c->n && is_bare((unsigned char)c->s[c->i])) {
            if (o < cap)
                out[o] = c->s[c->i];
            o++;
            c->i++;
        }
        if (c->i == start)
            return syntax(err, c, "missing value");
    }
    *len = o > cap ? cap + 1 : o;
    return DMBOOT_OK;
}

/* The parameters of a header value into out; on error out is wiped by
 * the caller. */
static dmboot_status parse_params(cursor *c, dmboot_hmac_header *out, dmboot_error *err)
{
    bool seen_alg = false, seen_user = false, seen_mac = false;
    char alg[16];
    size_t alg_len = 0;
    for (;;) {
        skip_ows(c);
        if (c->i >= c->n)
            break;
        if (c->s[c->i] == ',') { /* empty list element */
            c->i++;
            continue;
        }
        size_t name_at = c->i;
        while (c->i < c->n && is_tchar((unsigned char)c->s[c->i]))
            c->i++;
        if (c->i == name_at)
            return syntax(err, c, "expected a parameter name");
        const char *pname = c->s + name_at;
        size_t pname_len = c->i - name_at;
        skip_ows(c);
        if (c->i >= c->n || c->s[c->i] != '=')
            return syntax(err, c, "expected '=' after a parameter name");
        c->i++;
        skip_ows(c);
        dmboot_status st;
        if (ieq(pname, pname_len, "algorithm")) {
            if (seen_alg)
                return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                                "x-syncml-hmac header: 'algorithm' is given twice");
            seen_alg = true;
            st = read_value(c, alg, sizeof alg, &alg_len, err);
        } else if (ieq(pname, pname_len, "username")) {
            if (seen_user)
                return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                                "x-syncml-hmac header: 'username' is given twice");
            seen_user = true;
            st = read_value(c, out->username, DMBOOT_AUTH_TEXT_MAX, &out->username_len, err);
            if (st == DMBOOT_OK && out->username_len > DMBOOT_AUTH_TEXT_MAX)
                return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                                "x-syncml-hmac header: the username is longer than %d bytes",
                                DMBOOT_AUTH_TEXT_MAX);
        } else if (ieq(pname, pname_len, "mac")) {
            if (seen_mac)
                return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                                "x-syncml-hmac header: 'mac' is given twice");
            seen_mac = true;
            st = read_value(c, out->mac, DMBOOT_HMAC_MAC_MAX, &out->mac_len, err);
            if (st == DMBOOT_OK && out->mac_len > DMBOOT_HMAC_MAC_MAX)
                return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                                "x-syncml-hmac header: the mac is longer than %d characters",
                                DMBOOT_HMAC_MAC_MAX);
        } else {
            char scratch[1];
            size_t ignored;
            st = read_value(c, scratch, 0, &ignored, err); /* unknown: skipped */
        }
        if (st != DMBOOT_OK)
            return st;
        skip_ows(c);
        if (c->i < c->n && c->s[c->i] != ',')
            return syntax(err, c, "expected ',' between parameters");
    }
    if (seen_alg && !(alg_len <= sizeof alg && ieq(alg, alg_len, "MD5")))
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0,
                        "x-syncml-hmac header: unsupported algorithm '%.*s' (only MD5)",
                        (int)(alg_len > sizeof alg ? sizeof alg : alg_len), alg);
    if (!seen_user)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "x-syncml-hmac header: no username");
    if (!seen_mac)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "x-syncml-hmac header: no mac");
    if (out->mac_len == 0)
        return dmb_fail(err, DMBOOT_ERR_SYNTAX, 0, "x-syncml-hmac header: the mac is empty");
    return DMBOOT_OK;
}

dmboot_status dmboot_hmac_header_parse(const char *text, size_t text_len,
                                       dmboot_hmac_header *out, dmboot_error *err)
{
    if ((text == NULL && text_len != 0) || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    memset(out, 0, sizeof *out);
    cursor c = {text, text_len, 0};
    /* A line ending, as a header line read from the wire, is tolerated. */
    if (c.n > 0 && c.s[c.n - 1] == '\n')
        c.n--;
    if (c.n > 0 && c.s[c.n - 1] == '\r')
        c.n--;
    skip_ows(&c);
    /* "x-syncml-hmac:" before the value (a whole header line) is skipped. */
    size_t fl = strlen(FIELD);
    if (c.n - c.i > fl && ieq(c.s + c.i, fl, FIELD)) {
        size_t j = c.i + fl;
        while (j < c.n && (c.s[j] == ' ' || c.s[j] == '\t'))
            j++;
        if (j < c.n && c.s[j] == ':') {
            c.i = j + 1;
            skip_ows(&c);
        }
    }
    dmboot_status st = parse_params(&c, out, err);
    if (st != DMBOOT_OK) {
        OPENSSL_cleanse(out, sizeof *out);
        return st;
    }
    /* The algorithm defaults to MD5 when absent (OMA DM Security). */
    memcpy(out->algorithm, "MD5", 4);
    out->username[out->username_len] = '\0';
    out->mac[out->mac_len] = '\0';
    dmb_ok(err);
    return DMBOOT_OK;
}
