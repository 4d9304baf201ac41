/* The OMA Client Provisioning document (wap-provisioningdoc) with the w7
 * APPLICATION characteristic, for OMA DM 1.1.2 clients and DM 1.2 clients
 * bootstrapped through Client Provisioning; docs/omadm.md §3. */
#include <stdio.h>
#include <string.h>

#include "omadm/document.h"

static void parm_start(dmb_sink *s, int level, const char *name)
{
    dmb_sink_indent(s, level);
    dmb_sink_puts(s, "<parm name=\"");
    dmb_sink_puts(s, name);
    dmb_sink_puts(s, "\" value=\"");
}

static void parm(dmb_sink *s, int level, const char *name, const char *value)
{
    parm_start(s, level, name);
    dmb_xml_put_escaped(s, value, strlen(value));
    dmb_sink_puts(s, "\"/>\n");
}

static void parm_field(dmb_sink *s, int level, const char *name, const dmboot_account *acc,
                       dmboot_field f)
{
    if (!acc->present[f])
        return;
    parm_start(s, level, name);
    dmb_doc_put_field(s, acc, f);
    dmb_sink_puts(s, "\"/>\n");
}

static void characteristic(dmb_sink *s, int level, const char *type)
{
    dmb_sink_indent(s, level);
    dmb_sink_puts(s, "<characteristic type=\"");
    dmb_sink_puts(s, type);
    dmb_sink_puts(s, "\">\n");
}

static void end_characteristic(dmb_sink *s, int level)
{
    dmb_sink_indent(s, level);
    dmb_sink_puts(s, "</characteristic>\n");
}

void dmb_w7_write(dmb_sink *s, const dmb_doc_values *v, const dmboot_account *acc)
{
    dmb_sink_puts(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<!DOCTYPE wap-provisioningdoc PUBLIC \"-//WAPFORUM//DTD PROV 1.0//EN\" "
                     "\"http://www.wapforum.org/DTD/prov.dtd\">\n"
                     "<wap-provisioningdoc version=\"1.0\">\n");
    characteristic(s, 1, "APPLICATION");
    parm(s, 2, "APPID", "w7");
    parm(s, 2, "PROVIDER-ID", v->server_id);
    if (v->server_name != NULL)
        parm(s, 2, "NAME", v->server_name);
    characteristic(s, 2, "APPADDR");
    parm(s, 3, "ADDR", v->server_addr);
    characteristic(s, 3, "PORT");
    char port[8];
    snprintf(port, sizeof port, "%u", v->port);
    parm(s, 4, "PORTNBR", port);
    end_characteristic(s, 3);
    end_characteristic(s, 2);

    /* APPSRV: how the client authenticates to the server (DMAcc CLCRED). */
    if (v->client_auth_type != NULL || acc->present[DMBOOT_FIELD_NAME] ||
        acc->present[DMBOOT_FIELD_CLIENT_SECRET] || acc->present[DMBOOT_FIELD_CLIENT_NONCE]) {
        characteristic(s, 2, "APPAUTH");
        parm(s, 3, "AAUTHLEVEL", "APPSRV");
        if (v->client_auth_type != NULL)
            parm(s, 3, "AAUTHTYPE", v->client_auth_type);
        parm_field(s, 3, "AAUTHNAME", acc, DMBOOT_FIELD_NAME);
        parm_field(s, 3, "AAUTHSECRET", acc, DMBOOT_FIELD_CLIENT_SECRET);
        parm_field(s, 3, "AAUTHDATA", acc, DMBOOT_FIELD_CLIENT_NONCE);
        end_characteristic(s, 2);
    }
    /* CLIENT: how the server authenticates to the client (DMAcc SRVCRED);
     * the server's name is PROVIDER-ID, so no AAUTHNAME here. */
    if (v->server_auth_type != NULL || acc->present[DMBOOT_FIELD_SERVER_SECRET] ||
        acc->present[DMBOOT_FIELD_SERVER_NONCE]) {
        characteristic(s, 2, "APPAUTH");
        parm(s, 3, "AAUTHLEVEL", "CLIENT");
        if (v->server_auth_type != NULL)
            parm(s, 3, "AAUTHTYPE", v->server_auth_type);
        parm_field(s, 3, "AAUTHSECRET", acc, DMBOOT_FIELD_SERVER_SECRET);
        parm_field(s, 3, "AAUTHDATA", acc, DMBOOT_FIELD_SERVER_NONCE);
        end_characteristic(s, 2);
    }
    end_characteristic(s, 1);
    dmb_sink_puts(s, "</wap-provisioningdoc>\n");
}
