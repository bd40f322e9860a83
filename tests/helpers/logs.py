"""Problems a test expects its code to log. tests/conftest.py fails a test that logs at
WARNING or worse unless the test requests ``caplog``; the test then says what it expected."""

from __future__ import annotations

import logging

import pytest


def problems_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The messages logged at WARNING or worse during the test, in order."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def expect_logged(caplog: pytest.LogCaptureFixture, *expected: str,
                  maybe: tuple[str, ...] = ()) -> None:
    """Each of ``expected`` was logged as a problem (a part of a message), and nothing else
    was but ``maybe``: problems that come or not with timing."""
    problems = problems_logged(caplog)
    missing = [part for part in expected if not any(part in message for message in problems)]
    unexpected = [message for message in problems
                  if not any(part in message for part in (*expected, *maybe))]
    assert not missing and not unexpected, (
        f"expected problems not logged: {missing}; unexpected ones logged: {unexpected}")
