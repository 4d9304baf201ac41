/* The OMA DM 1.2 TNDS document (application/vnd.syncml.dmtnds+xml) holding
 * one ./DMAcc/<x> subtree: the DMAcc MO of OMA-TS-DM_StdObj-V1_2, laid out
 * as docs/omadm.md §2 describes, element by element. */
#include <stdio.h>
#include <string.h>

#include "omadm/document.h"

/* <Node><NodeName>name</NodeName><Value>...</Value></Node> on one line. */
static void leaf_open(dmb_sink *s, int level, const char *name)
{
    dmb_sink_indent(s, level);
    dmb_sink_puts(s, "<Node><NodeName>");
    dmb_sink_puts(s, name);
    dmb_sink_puts(s, "</NodeName><Value>");
}

static void leaf_close(dmb_sink *s)
{
    dmb_sink_puts(s, "</Value></Node>\n");
}

static void leaf_text(dmb_sink *s, int level, const char *name, const char *value)
{
    leaf_open(s, level, name);
    dmb_xml_put_escaped(s, value, strlen(value));
    leaf_close(s);
}

static void leaf_field(dmb_sink *s, int level, const char *name, const dmboot_account *acc,
                       dmboot_field f)
{
    if (!acc->present[f])
        return;
    if (f == DMBOOT_FIELD_CLIENT_NONCE || f == DMBOOT_FIELD_SERVER_NONCE) {
        /* AAuthData is binary (format bin in the MO): carried as base64. */
        dmb_sink_indent(s, level);
        dmb_sink_puts(s, "<Node>\n");
        dmb_sink_indent(s, level + 1);
        dmb_sink_puts(s, "<NodeName>");
        dmb_sink_puts(s, name);
        dmb_sink_puts(s, "</NodeName>\n");
        dmb_sink_indent(s, level + 1);
        dmb_sink_puts(s, "<RTProperties><Format><b64/></Format>"
                         "<Type><MIME>application/octet-stream</MIME></Type></RTProperties>\n");
        dmb_sink_indent(s, level + 1);
        dmb_sink_puts(s, "<Value>");
        dmb_doc_put_field(s, acc, f);
        dmb_sink_puts(s, "</Value>\n");
        dmb_sink_indent(s, level);
        dmb_sink_puts(s, "</Node>\n");
        return;
    }
    leaf_open(s, level, name);
    dmb_doc_put_field(s, acc, f);
    leaf_close(s);
}

static void interior_open(dmb_sink *s, int level, const char *name)
{
    dmb_sink_indent(s, level);
    dmb_sink_puts(s, "<Node>\n");
    dmb_sink_indent(s, level + 1);
    dmb_sink_puts(s, "<NodeName>");
    dmb_sink_puts(s, name);
    dmb_sink_puts(s, "</NodeName>\n");
}

static void interior_close(dmb_sink *s, int level)
{
    dmb_sink_indent(s, level);
    dmb_sink_puts(s, "</Node>\n");
}

/* AppAuth/<level>: the client (CLCRED) or server (SRVCRED) credentials. */
static void app_auth(dmb_sink *s, int level, bool client, const dmb_doc_values *v,
                     const dmboot_account *acc)
{
    const char *lvl = client ? "CLCRED" : "SRVCRED";
    interior_open(s, level, lvl);
    leaf_text(s, level + 1, "AAuthLevel", lvl);
    const char *type = client ? v->client_auth_type : v->server_auth_type;
    if (type != NULL)
        leaf_text(s, level + 1, "AAuthType", type);
    if (client)
        leaf_field(s, level + 1, "AAuthName", acc, DMBOOT_FIELD_NAME);
    else
        leaf_text(s, level + 1, "AAuthName", v->server_id); /* the server's name */
    leaf_field(s, level + 1, "AAuthSecret", acc,
               client ? DMBOOT_FIELD_CLIENT_SECRET : DMBOOT_FIELD_SERVER_SECRET);
    leaf_field(s, level + 1, "AAuthData", acc,
               client ? DMBOOT_FIELD_CLIENT_NONCE : DMBOOT_FIELD_SERVER_NONCE);
    interior_close(s, level);
}

void dmb_tnds_write(dmb_sink *s, const dmb_doc_values *v, const dmboot_account *acc)
{
    dmb_sink_puts(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<MgmtTree xmlns=\"syncml:dmddf1.2\">\n"
                     "  <VerDTD>1.2</VerDTD>\n");
    interior_open(s, 1, v->node);
    dmb_sink_puts(s, "    <Path>./DMAcc</Path>\n"
                     "    <RTProperties><Format><node/></Format>"
                     "<Type><DDFName>urn:oma:mo:oma-dm-dmacc:1.0</DDFName></Type></RTProperties>\n");
    leaf_text(s, 2, "AppID", "w7");
    leaf_text(s, 2, "ServerID", v->server_id);
    if (v->server_name != NULL)
        leaf_text(s, 2, "Name", v->server_name);

    interior_open(s, 2, "AppAddr");
    interior_open(s, 3, "1");
    leaf_text(s, 4, "Addr", v->server_addr);
    leaf_text(s, 4, "AddrType", "URI");
    interior_open(s, 4, "Port");
    interior_open(s, 5, "1");
    char port[8];
    snprintf(port, sizeof port, "%u", v->port);
    leaf_text(s, 6, "PortNbr", port);
    interior_close(s, 5);
    interior_close(s, 4);
    interior_close(s, 3);
    interior_close(s, 2);

    if (v->auth_pref != NULL)
        leaf_text(s, 2, "AAuthPref", v->auth_pref);
    bool client = v->client_auth_type != NULL || acc->present[DMBOOT_FIELD_NAME] ||
                  acc->present[DMBOOT_FIELD_CLIENT_SECRET] ||
                  acc->present[DMBOOT_FIELD_CLIENT_NONCE];
    bool server = v->server_auth_type != NULL || acc->present[DMBOOT_FIELD_SERVER_SECRET] ||
                  acc->present[DMBOOT_FIELD_SERVER_NONCE];
    if (client || server) {
        interior_open(s, 2, "AppAuth");
        if (client)
            app_auth(s, 3, true, v, acc);
        if (server)
            app_auth(s, 3, false, v, acc);
        interior_close(s, 2);
    }
    interior_close(s, 1);
    dmb_sink_puts(s, "</MgmtTree>\n");
}
