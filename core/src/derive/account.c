/* The derived values of one device, in fixed buffers reused across devices. */
#include <openssl/crypto.h>

#include "derive/account.h"

const char *dmboot_field_name(dmboot_field field)
{
    static const char *const names[DMBOOT_FIELD_COUNT] = {
        "devid", "name", "client_secret", "server_secret", "client_nonce", "server_nonce"};
    if ((unsigned)field >= DMBOOT_FIELD_COUNT)
        return NULL;
    return names[field];
}

dmboot_status dmboot_account_new(dmboot_account **out, dmboot_error *err)
{
    if (out == NULL)
        return dmb_fail(err, DMBOOT_ERR_INVALID_ARGUMENT, 0, "NULL argument");
    *out = OPENSSL_zalloc(sizeof **out);
    if (*out == NULL)
        return dmb_fail(err, DMBOOT_ERR_NO_MEMORY, 0, "out of memory");
    dmb_ok(err);
    return DMBOOT_OK;
}

void dmboot_account_clear(dmboot_account *acc)
{
    if (acc != NULL)
        OPENSSL_cleanse(acc, sizeof *acc);
}

void dmboot_account_free(dmboot_account *acc)
{
    if (acc != NULL)
        OPENSSL_clear_free(acc, sizeof *acc);
}

int dmboot_account_get(const dmboot_account *acc, dmboot_field field, const uint8_t **value,
                       size_t *value_len)
{
    if (acc == NULL || (unsigned)field >= DMBOOT_FIELD_COUNT || !acc->present[field])
        return 0;
    if (value != NULL)
        *value = acc->value[field];
    if (value_len != NULL)
        *value_len = acc->len[field];
    return 1;
}
