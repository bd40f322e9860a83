"""Closing a link ends its tasks even when one drops a cancellation, as Python 3.11's
``asyncio.wait_for`` does when the answer and the cancellation arrive together: the console's
shutdown must not wait for a link that goes on reconnecting."""

from __future__ import annotations

import asyncio
import contextlib
import time

from app.links.node_link import CANCEL_AGAIN_S, cancelled


def test_a_task_that_drops_the_first_cancellation_is_cancelled_again(run) -> None:
    async def drops_one_cancellation() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # as wait_for may
            await asyncio.Event().wait()
        await asyncio.Event().wait()  # a link reconnected and subscribed again

    async def scenario() -> float:
        task = asyncio.ensure_future(drops_one_cancellation())
        await asyncio.sleep(0)
        began = time.monotonic()
        await cancelled([task])
        assert task.cancelled()
        return time.monotonic() - began

    assert run(scenario(), 10) < CANCEL_AGAIN_S * 3
