"""Entry point: ``python main.py [COMMAND ...]`` (see ``--help``).

A node's signature workers (:mod:`node_core.node.signature_pool`) run this file too, with
their own hidden command: it is dispatched here, before the command line interface is loaded,
so that each worker starts with nothing but what it needs.
"""

import sys

if __name__ == "__main__":
    from node_core.node.signature_pool import WORKER_COMMAND, serve

    if sys.argv[1:] == [WORKER_COMMAND]:
        sys.exit(serve())
    from app.cli import main

    sys.exit(main())
