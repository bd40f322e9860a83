"""Run Google's Bigtable emulator (``cbtemulator``) as a child process on loopback.

The emulator ships with the Google Cloud CLI (component ``bigtable-emulator``); Debian's
``google-cloud-cli`` package puts it in ``/usr/lib/google-cloud-sdk/platform/bigtable-emulator``.
It keeps everything in memory: a restart forgets tables and data.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from node_core.ledger.exceptions import GridTokenXError

_PR_SET_PDEATHSIG: Final = 1

DEFAULT_CBTEMULATOR: Final = Path(
    "/usr/lib/google-cloud-sdk/platform/bigtable-emulator/cbtemulator"
)
_SDK_RELATIVE: Final = Path("platform/bigtable-emulator/cbtemulator")


class EmulatorError(GridTokenXError):
    """The emulator is not installed, would not start, or did not accept connections."""


def _from_gcloud() -> Path | None:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    sdk_root = Path(gcloud).resolve().parent.parent  # <sdk>/bin/gcloud
    candidate = sdk_root / _SDK_RELATIVE
    return candidate if candidate.is_file() else None


def find_cbtemulator() -> Path | None:
    """The emulator binary: the Debian SDK path, then ``$PATH``, then next to ``gcloud``."""
    if DEFAULT_CBTEMULATOR.is_file():
        return DEFAULT_CBTEMULATOR
    on_path = shutil.which("cbtemulator")
    return Path(on_path) if on_path else _from_gcloud()


def emulator_available() -> bool:
    """True if a ``cbtemulator`` binary can be found."""
    return find_cbtemulator() is not None


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's ephemeral range:
    an emulator restarted on its port (an outage drill) finds it free again, where a port the
    kernel hands out to outgoing connections may meanwhile be one's local end."""
    rng = random.Random()
    while True:
        port = rng.randrange(10_000, _ephemeral_low())
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, \
                contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            return port


def _ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux; 32768 where unreadable)."""
    with contextlib.suppress(OSError, ValueError):
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    return 32_768


def accepts_connections(host: str, port: int) -> bool:
    """True if something listens on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
        return True
    return False


class EmulatorProcess:
    """One emulator child process on loopback; a context manager that stops it on exit."""

    name = "emulator"

    def __init__(self, port: int | None = None, binary: Path | None = None,
                 host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_loopback_port()
        self._binary = binary
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def host_port(self) -> str:
        """``host:port``, the value for the ``*_EMULATOR_HOST`` variable."""
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """True while the child process is alive."""
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The child's pid while started (for leftover checks at shutdown)."""
        return self._process.pid if self._process is not None else None

    def _find_binary(self) -> Path:
        raise NotImplementedError

    def _command(self, binary: Path) -> list[str]:
        raise NotImplementedError

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the emulator and wait until it accepts connections."""
        binary = self._binary or self._find_binary()
        self._process = subprocess.Popen(
            self._command(binary), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self._wait_until_listening(timeout_s)

    def _wait_until_listening(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.running:
                raise EmulatorError(f"{self.name} exited on {self.host_port} (port in use?)")
            if accepts_connections(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise EmulatorError(f"{self.name} did not listen on {self.host_port} in {timeout_s} s")

    def stop(self, timeout_s: float = 5.0) -> None:
        """Terminate the process group, wait, and kill it if it lingers. Safe to call twice."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the child's own process group (it was started in a new session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


class BigtableEmulator(EmulatorProcess):
    """One ``cbtemulator`` process."""

    name = "cbtemulator"

    def _find_binary(self) -> Path:
        binary = find_cbtemulator()
        if binary is None:
            raise EmulatorError("cbtemulator not found: install the Google Cloud CLI "
                                "component bigtable-emulator")
        return binary

    def _command(self, binary: Path) -> list[str]:
        return [str(binary), "-host", self.host, "-port", str(self.port)]



def _die_with_parent() -> None:
    """In the child before exec: on Linux, receive SIGTERM when the process that started the
    emulator dies, so a killed simulator or test never leaves an emulator behind."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
