"""Entry point: ``python main.py [COMMAND ...]`` (see ``--help``)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
