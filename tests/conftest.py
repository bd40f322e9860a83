"""What every test runs under; shared fixtures live in tests/helpers/ and are registered here.

* Qt draws offscreen unless ``QT_QPA_PLATFORM`` says otherwise (set before any QApplication,
  inherited by the consoles and nodes the tests start).
* SoftHSM2 and the emulators are loaded only by the tests that ask for them
  (``softhsm_token``, ``devnet``, the cloud fixtures): pure tests run without them.
"""

from __future__ import annotations

import os

if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

pytest_plugins = ["tests.helpers.softhsm", "tests.helpers.devnet"]
