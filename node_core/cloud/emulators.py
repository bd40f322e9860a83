"""Run Google's Pub/Sub and Spanner emulators as child processes on loopback.

Both ship with the Google Cloud CLI (components ``pubsub-emulator`` and
``cloud-spanner-emulator``); Debian's ``google-cloud-cli`` package puts them under
``/usr/lib/google-cloud-sdk``. They keep everything in memory: a restart forgets topics,
instances and data. Same shape as ``node_core.telemetry.emulator.BigtableEmulator``: find the
binary, take a free port, start, wait until it listens, stop (terminate, wait, kill).

* Pub/Sub: ``platform/pubsub-emulator/bin/cloud-pubsub-emulator --host=H --port=P`` — a Java
  program (needs ``java`` on ``$PATH``), about 8 s to listen. Clients find it through
  ``PUBSUB_EMULATOR_HOST``.
* Spanner: ``bin/cloud_spanner_emulator/emulator_main --host_port H:P`` — the gRPC server only
  (``gcloud`` also starts a REST gateway, which the Python client does not need). Clients find
  it through ``SPANNER_EMULATOR_HOST``.

The child runs in its own process group, so a wrapper script and whatever it started are
stopped together.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Final

from node_core.telemetry.emulator import EmulatorError, EmulatorProcess

SDK_ROOT: Final = Path("/usr/lib/google-cloud-sdk")
PUBSUB_RELATIVE: Final = Path("platform/pubsub-emulator/bin/cloud-pubsub-emulator")
SPANNER_RELATIVE: Final = Path("bin/cloud_spanner_emulator/emulator_main")
PUBSUB_EMULATOR_HOST: Final = "PUBSUB_EMULATOR_HOST"
SPANNER_EMULATOR_HOST: Final = "SPANNER_EMULATOR_HOST"

__all__ = [
    "PUBSUB_EMULATOR_HOST",
    "SPANNER_EMULATOR_HOST",
    "EmulatorError",
    "PubSubEmulator",
    "SpannerEmulator",
    "find_pubsub_emulator",
    "find_spanner_emulator",
    "pubsub_emulator_missing",
    "spanner_emulator_missing",
]


def _sdk_roots() -> list[Path]:
    """The Debian SDK location, then the SDK that holds ``gcloud`` on ``$PATH``."""
    roots = [SDK_ROOT]
    gcloud = shutil.which("gcloud")
    if gcloud is not None:
        roots.append(Path(gcloud).resolve().parent.parent)  # <sdk>/bin/gcloud
    return roots


def _find_in_sdk(relative: Path) -> Path | None:
    for root in _sdk_roots():
        candidate = root / relative
        if candidate.is_file():
            return candidate
    return None


def find_pubsub_emulator() -> Path | None:
    """The ``cloud-pubsub-emulator`` launcher, or None if the component is not installed."""
    return _find_in_sdk(PUBSUB_RELATIVE)


def find_spanner_emulator() -> Path | None:
    """The ``emulator_main`` binary, or None if the component is not installed."""
    return _find_in_sdk(SPANNER_RELATIVE)


def pubsub_emulator_missing() -> str | None:
    """Why the Pub/Sub emulator cannot run here (no Java, no emulator), or None if it can."""
    if find_pubsub_emulator() is None:
        return ("cloud-pubsub-emulator not found: install the Google Cloud CLI component "
                "pubsub-emulator")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "the Pub/Sub emulator needs Java: no java on $PATH and JAVA_HOME is not set"
    return None


def spanner_emulator_missing() -> str | None:
    """Why the Spanner emulator cannot run here, or None if it can."""
    if find_spanner_emulator() is None:
        return ("emulator_main not found: install the Google Cloud CLI component "
                "cloud-spanner-emulator")
    return None


class PubSubEmulator(EmulatorProcess):
    """One ``cloud-pubsub-emulator`` (Java) process."""

    name = "cloud-pubsub-emulator"

    def _find_binary(self) -> Path:
        missing = pubsub_emulator_missing()
        if missing is not None:
            raise EmulatorError(missing)
        binary = find_pubsub_emulator()
        assert binary is not None
        return binary

    def _command(self, binary: Path) -> list[str]:
        return [str(binary), f"--host={self.host}", f"--port={self.port}"]


class SpannerEmulator(EmulatorProcess):
    """One Spanner ``emulator_main`` process (gRPC only)."""

    name = "cloud spanner emulator_main"

    def _find_binary(self) -> Path:
        binary = find_spanner_emulator()
        if binary is None:
            raise EmulatorError(spanner_emulator_missing() or "emulator_main not found")
        return binary

    def _command(self, binary: Path) -> list[str]:
        return [str(binary), "--host_port", self.host_port]
