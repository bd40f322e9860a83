"""Authority nodes as supervised child processes (``main.py node --config FILE``).

Used by the devnet command and by the console, which keep each node in its own process so
CPU-heavy node work never stalls them (the GIL), and talk to it through its client endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from node_core.api.client import NodeAddress, NodeClient
from node_core.api.methods import STATUS
from node_core.api.requests import NoParams
from node_core.api.wire import ClientError
from node_core.private_files import PRIVATE_FILE, private_directory

log = logging.getLogger(__name__)
MAIN = Path(__file__).resolve().parents[2] / "main.py"


def main_command(*args: str) -> list[str]:
    """The command line of a ``main.py`` sub-command: ``python main.py ARGS`` from source;
    ``BUNDLE ARGS`` in a frozen (PyInstaller) bundle, where ``sys.executable`` is the bundle."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, str(MAIN), *args]


class ChildProcess:
    """A supervised child process (``main.py`` sub-command) with its own log file and
    process group: start, stop cleanly (SIGTERM, then SIGKILL), kill."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path,
                 address: NodeAddress) -> None:
        self.name = name
        self.argv = argv
        self.address = address
        """The client endpoint it serves (JSON lines), used to tell it is ready."""
        self._env = env
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        private_directory(self._log_path.parent)
        if self._log is not None:
            self._log.close()
        self._log = os.fdopen(os.open(self._log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                                      PRIVATE_FILE), "ab")
        self._process = subprocess.Popen(
            self.argv, env=self._env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
        log.info("started %s (pid %d), log %s", self.name, self._process.pid,
                 self._log_path)

    async def wait_ready(self, timeout_s: float = 30.0) -> None:
        """Wait until the process's client endpoint answers ``status``."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            if not self.running:
                raise ClientError("NodeExited", f"{self.name} exited ({self._last_log_line()}); "
                                  f"see {self._log_path}")
            with contextlib.suppress(ClientError, OSError):
                client = await NodeClient.connect(self.address, timeout_s=1.0)
                try:
                    await client.request(STATUS, NoParams())
                    return
                finally:
                    await client.close()
            if asyncio.get_running_loop().time() > deadline:
                raise ClientError("NodeNotReady", f"node {self.name} did not answer within "
                                  f"{timeout_s:.0f} s; see {self._log_path}")
            await asyncio.sleep(0.2)

    def _last_log_line(self) -> str:
        try:
            lines = self._log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return lines[-1][-200:] if lines else "empty log"

    async def connect(self, timeout_s: float = 5.0) -> NodeClient:
        """A client of its endpoint (with the credential it wrote when it started)."""
        return await NodeClient.connect(self.address, timeout_s)

    def kill(self) -> None:
        """SIGKILL (for crash tests)."""
        if self._process is not None and self.running:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()

    async def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, wait for a clean stop, SIGKILL if it does not come."""
        process = self._process
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("node %s did not stop in %.0f s; killing it", self.name, timeout_s)
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


class NodeProcess(ChildProcess):
    """An authority node: ``main.py node --config FILE``."""

    def __init__(self, name: str, config: Path, address: NodeAddress, env: dict[str, str],
                 log_path: Path) -> None:
        super().__init__(name, main_command("node", "--config", str(config)),
                         env, log_path, address)
        self.config = config
