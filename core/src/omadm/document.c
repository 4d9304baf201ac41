/* Bootstrap documents for a derived account (docs/omadm.md §2, §3): the
 * values they take from the descriptor, the ./DMAcc node name, the port,
 * and the file name of a device's document. */
#include <string.h>

#include <openssl/crypto.h>

#include "omadm/document.h"

const char *dmboot_document_media_type(dmboot_document_type type)
{
    switch (type) {
    case DMBOOT_DOCUMENT_TNDS: return "application/vnd.syncml.dmtnds+xml";
    case DMBOOT_DOCUMENT_W7: return "text/vnd.wap.connectivity-xml";
    }
    return NULL;
}

static bool node_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
}

dmboot_status dmboot_document_dmacc_node(const dmboot_descriptor *d,
                                         char out[DMBOOT_DMACC_NODE_MAX + 1],
                                         dmboot_error *err)
{
    if (d == NULL || out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    /* The ServerID, with every character a node name or a path would
     * trouble replaced by '_', at most 64 of them; "." and ".." cannot be
     * node names, so a leading '.' becomes '_' too. */
    const char *sid = d->server_id;
    size_t n = 0;
    for (; sid[n] != '\0' && n < DMBOOT_DMACC_NODE_MAX; n++)
        out[n] = node_char(sid[n]) && !(n == 0 && sid[n] == '.') ? sid[n] : '_';
    out[n] = '\0';
    dmb_ok(err);
    return DMBOOT_OK;
}

dmboot_status dmb_url_port(const char *url, unsigned *port, dmboot_error *err)
{
    size_t skip;
    unsigned dflt;
    if (strncmp(url, "https://", 8) == 0 || strncmp(url, "HTTPS://", 8) == 0)
        skip = 8, dflt = 443;
    else if (strncmp(url, "http://", 7) == 0 || strncmp(url, "HTTP://", 7) == 0)
        skip = 7, dflt = 80;
    else
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "server-addr '%.64s' is not an http:// or https:// URL", url);
    const char *a = url + skip;
    size_t alen = strcspn(a, "/?#");
    /* userinfo ends at the last '@' of the authority */
    for (size_t k = alen; k > 0; k--)
        if (a[k - 1] == '@') {
            a += k;
            alen -= k;
            break;
        }
    size_t host_end;
    if (alen > 0 && a[0] == '[') { /* IPv6 literal */
        const char *close = memchr(a, ']', alen);
        if (close == NULL)
            return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                            "server-addr '%.64s' has an unclosed '[' in its host", url);
        host_end = (size_t)(close - a) + 1;
    } else {
        host_end = 0;
        while (host_end < alen && a[host_end] != ':')
            host_end++;
    }
    if (host_end == 0 || (a[0] == '[' && host_end == 2))
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0, "server-addr '%.64s' has no host", url);
    if (host_end == alen || host_end + 1 == alen) { /* no port, or "host:" */
        if (host_end < alen && a[host_end] != ':')
            return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                            "server-addr '%.64s' has junk after its host", url);
        *port = dflt;
        return DMBOOT_OK;
    }
    if (a[host_end] != ':')
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "server-addr '%.64s' has junk after its host", url);
    unsigned v = 0;
    for (size_t k = host_end + 1; k < alen; k++) {
        if (a[k] < '0' || a[k] > '9' || k - host_end > 5)
            return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                            "server-addr '%.64s' has a bad port '%.*s'", url,
                            (int)(alen - host_end - 1 > 16 ? 16 : alen - host_end - 1),
                            a + host_end + 1);
        v = v * 10 + (unsigned)(a[k] - '0');
    }
    if (v == 0 || v > 65535)
        return dmb_fail(err, DMBOOT_ERR_DESCRIPTOR, 0,
                        "server-addr '%.64s' has port %u (expected 1 to 65535)", url, v);
    *port = v;
    return DMBOOT_OK;
}

void dmb_doc_put_field(dmb_sink *s, const dmboot_account *acc, dmboot_field f)
{
    if (f == DMBOOT_FIELD_CLIENT_NONCE || f == DMBOOT_FIELD_SERVER_NONCE) {
        char b64[DMBOOT_VALUE_MAX * 4 / 3 + 8];
        size_t n = dmb_base64_encode(acc->value[f], acc->len[f], false, b64);
        dmb_sink_put(s, b64, n); /* base64 needs no escaping */
        OPENSSL_cleanse(b64, sizeof b64);
        return;
    }
    dmb_xml_put_escaped(s, (const char *)acc->value[f], acc->len[f]);
}

dmboot_status dmboot_document_format(const dmboot_descriptor *d, const dmboot_account *acc,
                                     dmboot_document_type type, char *out, size_t out_cap,
                                     size_t *out_len, dmboot_error *err)
{
    if (d == NULL || acc == NULL || out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (type != DMBOOT_DOCUMENT_TNDS && type != DMBOOT_DOCUMENT_W7)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "unknown document type %d",
                        (int)type);
    if (!acc->present[DMBOOT_FIELD_DEVID])
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "the account is empty");
    dmb_doc_values v;
    memset(&v, 0, sizeof v);
    v.server_id = d->server_id;
    v.server_name = dmboot_descriptor_get(d, "server-name");
    v.server_addr = dmboot_descriptor_get(d, "server-addr");
    v.auth_pref = dmboot_descriptor_get(d, "auth-pref");
    v.client_auth_type = dmboot_descriptor_get(d, "client-auth-type");
    v.server_auth_type = dmboot_descriptor_get(d, "server-auth-type");
    if (v.server_id == NULL || v.server_addr == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "the descriptor has no server-id or server-addr");
    dmboot_status st = dmb_url_port(v.server_addr, &v.port, err);
    if (st == DMBOOT_OK)
        st = dmboot_document_dmacc_node(d, v.node, err);
    if (st != DMBOOT_OK)
        return st;
    dmb_sink s = {out, out_cap, 0, false};
    if (type == DMBOOT_DOCUMENT_TNDS)
        dmb_tnds_write(&s, &v, acc);
    else
        dmb_w7_write(&s, &v, acc);
    return dmb_sink_finish(&s, out_len,
                           type == DMBOOT_DOCUMENT_TNDS ? "TNDS document" : "w7 document", err);
}

/* ---- file names ---------------------------------------------------------- */

dmboot_status dmboot_devid_filename(const char *devid, size_t devid_len, const char *suffix,
                                    char *out, size_t out_cap, size_t *out_len,
                                    dmboot_error *err)
{
    if ((devid == NULL && devid_len != 0) || out_len == NULL || (out == NULL && out_cap != 0))
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    if (devid_len == 0 || devid_len > DMBOOT_DEVID_MAX)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0,
                        "a DevID has 1 to %d characters, not %zu", DMBOOT_DEVID_MAX, devid_len);
    if (suffix == NULL)
        suffix = "";
    /* Letters, digits, '-' and '.' stay; ':' becomes '_'; every other byte,
     * '_' and a leading '.' included, becomes %XX (uppercase hex). So the
     * mapping is one-to-one, and "IMEI:490154203237518" gives
     * "IMEI_490154203237518". */
    static const char hex[] = "0123456789ABCDEF";
    dmb_sink s = {out, out_cap, 0, false};
    for (size_t i = 0; i < devid_len; i++) {
        unsigned char c = (unsigned char)devid[i];
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || (c == '.' && i > 0);
        if (keep) {
            dmb_sink_put(&s, (const char *)&devid[i], 1);
        } else if (c == ':') {
            dmb_sink_put(&s, "_", 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            dmb_sink_put(&s, e, 3);
        }
    }
    dmb_sink_puts(&s, suffix);
    return dmb_sink_finish(&s, out_len, "file name", err);
}
