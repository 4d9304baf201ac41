/*
 * dmboot: OMA DM factory bootstrap — descriptors, derivation, credentials.
 *
 * The whole API, in four parts that follow the library's layers
 * (docs/architecture.md); each part includes the one below it:
 *   dmboot/common.h  version, errors, times, and the API's conventions
 *   dmboot/derive.h  keys, DevIDs, descriptors, derivation (docs/spec.md)
 *   dmboot/auth.h    descriptor authentication, registry (docs/authentication.md)
 *   dmboot/omadm.h   OMA DM credentials, documents, SyncML, first contact,
 *                    WBXML (docs/omadm.md)
 */
#ifndef DMBOOT_H
#define DMBOOT_H

#include "dmboot/common.h"
#include "dmboot/derive.h"
#include "dmboot/auth.h"
#include "dmboot/omadm.h"

#endif /* DMBOOT_H */
