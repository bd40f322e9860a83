"""What every test runs under; shared fixtures live in tests/helpers/ and are registered here.

* Qt draws offscreen unless ``QT_QPA_PLATFORM`` says otherwise (set before any QApplication,
  inherited by the consoles and nodes the tests start).
* A test fails if it logs a WARNING or worse that it did not expect: a test that expects one
  requests ``caplog`` and checks it (qutebrowser's rule). Qt's own warnings fail it too
  (``qt_log_level_fail`` in pyproject.toml).
* SoftHSM2 and the emulators are loaded only by the tests that ask for them
  (``softhsm_token``, ``devnet``, the cloud fixtures): pure tests run without them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

pytest_plugins = ["tests.helpers.softhsm", "tests.helpers.devnet"]


class _Records(logging.Handler):
    """Keeps the records it is given."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_unexpected_warnings(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that logged a WARNING or worse (its fixtures included) unless it requests
    ``caplog``, which makes it responsible for checking its records."""
    handler = _Records()
    logging.getLogger().addHandler(handler)
    yield
    logging.getLogger().removeHandler(handler)
    if handler.records and "caplog" not in request.fixturenames:
        lines = "\n".join(f"  {r.levelname} {r.name}: {r.getMessage()}" for r in handler.records)
        pytest.fail(f"unexpected log records (request caplog and check them if the test "
                    f"expects them):\n{lines}", pytrace=False)
