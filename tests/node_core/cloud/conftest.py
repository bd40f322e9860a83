"""The emulators the cloud tests run against: one Pub/Sub and one Spanner emulator per test
session, shared by every module here (each test uses its own project or database)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from node_core.cloud.emulators import (
    PubSubEmulator,
    SpannerEmulator,
    pubsub_emulator_missing,
    spanner_emulator_missing,
)
from node_core.cloud.spanner_sink import create_instance_and_database, spanner_client
from tests.node_core.cloud.emulated import (
    SPANNER_INSTANCE,
    SPANNER_PROJECT,
    Estate,
    new_database_id,
)


@pytest.fixture(scope="session")
def pubsub_emulator() -> Iterator[PubSubEmulator]:
    missing = pubsub_emulator_missing()
    if missing is not None:
        pytest.skip(missing)
    emulator = PubSubEmulator()
    emulator.start(timeout_s=60.0)
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def estate(pubsub_emulator: PubSubEmulator) -> Iterator[Estate]:
    made = Estate(pubsub_emulator.host_port)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="session")
def spanner_emulator() -> Iterator[SpannerEmulator]:
    missing = spanner_emulator_missing()
    if missing is not None:
        pytest.skip(missing)
    emulator = SpannerEmulator()
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def client(spanner_emulator: SpannerEmulator) -> Any:
    return spanner_client(SPANNER_PROJECT, spanner_emulator.host_port)


@pytest.fixture
def database(client: Any) -> Any:
    return create_instance_and_database(client, SPANNER_INSTANCE, new_database_id())
