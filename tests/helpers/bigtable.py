"""A real Bigtable emulator per test module.

Use it with ``from tests.helpers.bigtable import bigtable_emulator  # noqa: F401``.

The fixture starts ``cbtemulator`` on a free loopback port and stops it (terminate, wait,
kill) after the module. Tests connect with ``emulator_host=bigtable_emulator.host_port``;
nothing here touches ``BIGTABLE_EMULATOR_HOST`` in the test process environment.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from node_core.telemetry import BigtableEmulator, emulator_available

_instances = itertools.count()


@pytest.fixture(scope="module")
def bigtable_emulator() -> Iterator[BigtableEmulator]:
    """A running emulator for the module; skips the test if cbtemulator is not installed."""
    if not emulator_available():
        pytest.skip("cbtemulator is not installed (Google Cloud CLI component bigtable-emulator)")
    emulator = BigtableEmulator()
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def fresh_instance_id() -> str:
    """A Bigtable instance id no other test in this process used (isolates data)."""
    return f"test-instance-{next(_instances)}"
