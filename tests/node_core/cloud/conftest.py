"""The emulators the cloud tests run against: one Pub/Sub and one Spanner emulator per test
session, shared by every module here (each test uses its own project or database). Under
pytest-xdist the tests on them run in one worker (``xdist_group``), so each emulator starts
once: the Pub/Sub one is a JVM that takes seconds and a core to start."""

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

EMULATOR_FIXTURES = frozenset({"pubsub_emulator", "spanner_emulator"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if EMULATOR_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("google-emulators"))


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
