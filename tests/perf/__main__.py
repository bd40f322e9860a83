"""Run one benchmark: ``python -m tests.perf NAME [ARGS...]``.

Each benchmark is a module ``tests/perf/NAME.py`` with ``main(argv) -> int`` that prints one
JSON line with its figures.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import tests.perf as perf_package


def _available() -> list[str]:
    modules = pkgutil.iter_modules(perf_package.__path__)
    return sorted(m.name for m in modules if not m.name.startswith("_"))


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in _available():
        names = ", ".join(_available())
        print(f"usage: python -m tests.perf NAME [ARGS...]; NAME is one of: {names}",
              file=sys.stderr)
        return 2
    module = importlib.import_module(f"tests.perf.{sys.argv[1]}")
    return int(module.main(sys.argv[2:]))


if __name__ == "__main__":
    sys.exit(main())
