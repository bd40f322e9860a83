"""Entry point: ``python main.py [COMMAND ...]`` (see ``--help``).

Everything happens under the ``__main__`` guard: a node's signature workers
(``node_core.node.signature_pool``) import this file again as their main module, and must
find nothing to run or load here. ``freeze_support`` lets those workers start from the
frozen bundle too.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from app.cli import main

    sys.exit(main())
