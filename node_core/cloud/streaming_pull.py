"""A Pub/Sub streaming pull that opens again by itself.

The Pub/Sub client retries transient stream errors on its own, but it ends the stream for
good on the ones it does not retry: the subscription was deleted or re-created, a permission
was withdrawn, the server answered NOT_FOUND while it restarted. A node must not lose its
grid alerts or its consensus messages until someone restarts it, so :class:`ReopeningPull`
opens the stream again after a capped, jittered exponential backoff (the peer links'
:class:`~node_core.p2p.network.Backoff`: ``backoff_s`` doubling up to ``max_backoff_s``, back
to the start once a message has arrived), logging each end once, until :meth:`aclose`.

``start`` and ``aclose`` run on the node's loop; the client calls ``callback`` and the end of
a stream on its own threads, and the reopening hops back to the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from node_core.backoff import Backoff, Retrying

_log = logging.getLogger(__name__)
REOPEN = Backoff(1.0, 30.0)
"""Between a stream's end and its reopening."""


class ReopeningPull:
    """One subscription's streaming pull, reopened when it ends by itself (module docstring)."""

    def __init__(self, subscriber: Any, subscription_path: str,
                 callback: Callable[[Any], None], *, name: str,
                 flow_control: Any = None, backoff: Backoff = REOPEN) -> None:
        self.subscription_path = subscription_path
        self._subscriber = subscriber
        self._callback = callback
        self._name = name
        self._flow_control = flow_control
        self._backoff = Retrying(backoff)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: Any = None
        self._closing = False
        self._reopen: asyncio.TimerHandle | None = None
        self.reopened = 0
        """How many times the stream was opened again after ending by itself."""
        self.last_error: str | None = None
        """Why the stream last ended by itself (None: it never did)."""

    @property
    def open(self) -> bool:
        """The streaming pull is running now."""
        return self._stream is not None and not self._stream.done()

    def start(self) -> None:
        """Open the stream on the running loop (again: no-op)."""
        if self._stream is None and not self._closing:
            self._loop = asyncio.get_running_loop()
            self._open()

    async def aclose(self) -> None:
        """Stop for good; wait (in a worker thread) until the client shut the stream down."""
        self._closing = True
        if self._reopen is not None:
            self._reopen.cancel()
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.cancel()
            with contextlib.suppress(Exception):
                await asyncio.to_thread(stream.result, 10.0)

    def _open(self) -> None:
        self._reopen = None
        if self._closing:
            return
        kwargs = {} if self._flow_control is None else {"flow_control": self._flow_control}
        if self._stream is not None:  # the previous one ended by itself
            self.reopened += 1
        stream = self._subscriber.subscribe(self.subscription_path, self._receive, **kwargs)
        self._stream = stream
        stream.add_done_callback(self._on_end)

    def _receive(self, message: Any) -> None:
        """Client thread: a message proves the stream healthy (backoff back to the start)."""
        self._backoff.reset()
        self._callback(message)

    def _on_end(self, stream: Any) -> None:
        """Client thread: the stream ended; unless closing, reopen it later on the loop."""
        if self._closing or stream.cancelled():
            return
        error = stream.exception()
        self.last_error = f"stream ended: {error}"
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._schedule_reopen, stream)

    def _schedule_reopen(self, ended: Any) -> None:
        if self._closing or ended is not self._stream or self._reopen is not None:
            return
        delay = self._backoff.next_delay()
        _log.warning("%s: %s; opening it again in %.1f s", self._name, self.last_error, delay)
        assert self._loop is not None
        self._reopen = self._loop.call_later(delay, self._open)
