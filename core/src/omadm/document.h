/* What the TNDS and w7 writers share (document.c). */
#ifndef DMBOOT_DOCUMENT_H
#define DMBOOT_DOCUMENT_H

#include "derive/account.h"
#include "omadm/xml_writer.h"

/* The descriptor values a bootstrap document carries, looked up once. */
typedef struct dmb_doc_values {
    const char *server_id;
    const char *server_name;      /* NULL when absent */
    const char *server_addr;
    unsigned port;                /* explicit in server-addr, else 80/443 */
    const char *auth_pref;        /* NULL when absent */
    const char *client_auth_type; /* NULL when absent */
    const char *server_auth_type; /* NULL when absent */
    char node[DMBOOT_DMACC_NODE_MAX + 1];
} dmb_doc_values;

/* The port of an http:// or https:// URL: explicit, else the scheme's
 * default (RFC 3986 §3.2.3: an empty port is the default too). */
dmboot_status dmb_url_port(const char *url, unsigned *port, dmboot_error *err);

/* Write a field of the account (nonces as base64), escaped. */
void dmb_doc_put_field(dmb_sink *s, const dmboot_account *acc, dmboot_field f);

/* The two layouts (document_tnds.c, document_w7.c). */
void dmb_tnds_write(dmb_sink *s, const dmb_doc_values *v, const dmboot_account *acc);
void dmb_w7_write(dmb_sink *s, const dmb_doc_values *v, const dmboot_account *acc);

#endif
