#!/usr/bin/env python3
"""The scenario's DM server: dmboot.server, the operator's OMA DM server
that knows no device, only descriptors and a key (docs/server.md).

    dm_server.py import --registry DIR (--key MASTER.key | --keyring DIR)
                        (--issuer-key ISSUER.pub | --trust FILE) DESCRIPTOR...
    dm_server.py serve  --registry DIR (--key MASTER.key | --keyring DIR)
                        (--issuer-key ISSUER.pub | --trust FILE)
                        --store sqlite:FILE [--workers N] [--port N] [--log FILE]

is `dmboot-server import|serve` (python -m dmboot.server) as an operator
runs it; this file only says so, so that the scenario reads as a whole.

What the operator's side holds, and all the server is ever given: the
registry directory (one verified descriptor per batch), the keyring (a
master key per manufacturer, picked by each descriptor's key-id) and the
trust file (the issuers' public keys and scopes); and, as its own state, the nonces it issued
(the store: which devices made their first contact, each device's
NextNonce, the nonce each device gave the server), which survive a
restart and are shared by every worker process. No per-device list.

``import`` verifies each descriptor (the issuer's Ed25519 signature and the
MAC, both required; key-check; validity dates), refuses one that overlaps
a descriptor already there, and writes the good ones into the registry
under its lock, whole or not at all. ``serve`` loads the registry
(verified again) and answers SyncML DM packages (XML or WBXML, in the type
received) on 127.0.0.1 with waitress in --workers processes; it prints
"listening on http://127.0.0.1:PORT/" once ready and stops on SIGTERM.
"""

import sys

from dmboot.server import main

if __name__ == "__main__":
    sys.exit(main())
