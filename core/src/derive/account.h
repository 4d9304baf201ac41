/* The account's layout, shared by the deriver and the serializers. */
#ifndef DMBOOT_ACCOUNT_H
#define DMBOOT_ACCOUNT_H

#include "derive/derive.h"

struct dmboot_account {
    bool present[DMBOOT_FIELD_COUNT];
    size_t len[DMBOOT_FIELD_COUNT];
    uint8_t value[DMBOOT_FIELD_COUNT][DMBOOT_VALUE_MAX + 1];
};

#endif
