"""Google's Bigtable clients for a :class:`~node_core.telemetry.target.BigtableTarget`: on
its emulator when it names one, else with Application Default Credentials."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from typing import Any

from node_core.telemetry.target import EMULATOR_ENV, BigtableTarget


@contextlib.contextmanager
def emulator_environment(emulator_host: str | None) -> Iterator[None]:
    """Point Google clients created inside the block at ``emulator_host`` (if given)."""
    if emulator_host is None:
        yield
        return
    previous = os.environ.get(EMULATOR_ENV)
    os.environ[EMULATOR_ENV] = emulator_host
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # "Connecting to emulator"
            yield
    finally:
        if previous is None:
            os.environ.pop(EMULATOR_ENV, None)
        else:
            os.environ[EMULATOR_ENV] = previous


def admin_clients(target: BigtableTarget) -> tuple[Any, Any]:
    """(table admin, instance admin) clients of the target's project (Application Default
    Credentials unless an emulator is named)."""
    from google.cloud import bigtable

    with emulator_environment(target.emulator_host):
        client = bigtable.Client(project=target.project, admin=True)  # type: ignore[no-untyped-call]
        return client.table_admin_client, client.instance_admin_client
