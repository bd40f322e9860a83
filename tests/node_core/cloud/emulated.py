"""What the cloud tests share about the emulators: a fresh Pub/Sub project with the design's
topology (``Estate``), the Spanner ids, and a polling wait. The fixtures are in conftest.py."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from typing import Any

from node_core.cloud.pubsub_feeds import create_design_topology, pubsub_clients

SPANNER_PROJECT = "gridtokenx-test"
SPANNER_INSTANCE = "gridtokenx-instance"
_projects = itertools.count()
_databases = itertools.count()


def new_project() -> str:
    """A project id no other test of this session uses."""
    return f"gridtokenx-test-{next(_projects)}"


def new_database_id() -> str:
    return f"blockchain-{next(_databases)}"


class Estate:
    """A fresh project on the emulator with the design's topology."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.project = new_project()
        self.publisher, self.subscriber = pubsub_clients(host)
        create_design_topology(self.publisher, self.subscriber, self.project)
        self._extra: list[Any] = []

    def clients(self) -> tuple[Any, Any]:
        """Another publisher/subscriber pair (closed at teardown)."""
        pair = pubsub_clients(self.host)
        self._extra.append(pair)
        return pair

    def close(self) -> None:
        for publisher, subscriber in [(self.publisher, self.subscriber), *self._extra]:
            with contextlib.suppress(RuntimeError):  # already stopped by the code under test
                publisher.stop()
            subscriber.close()


async def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
