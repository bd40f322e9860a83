"""The operator agent (node_core.signers.agent) on the devnet's people's SoftHSM2 tokens: it
logs in with the PIN from its pipe, signs, ends when its pipe closes or its parent dies, keeps
the PIN out of its arguments and environment, and refuses what breaks the protocol."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli.operator_agent import agent_command
from node_core.devnet.layout import DEVNET_PEOPLE, DevnetLayout, person_pin
from node_core.ledger.exceptions import KeyNotFound, TokenNotFound, WrongPin
from node_core.ledger.keys import sha256, verify_signature
from node_core.signers.agent import (
    HEADER,
    MAX_MESSAGE_BYTES,
    AgentProtocol,
    AgentSigner,
    Answer,
    Request,
)
from node_core.signers.softhsm import find_softhsm_module


def _command(devnet: DevnetLayout) -> list[str]:
    return agent_command(find_softhsm_module(), devnet.softhsm_conf)


def _gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_logs_in_signs_and_ends_with_its_pipe(devnet: DevnetLayout) -> None:
    agent = AgentSigner.start(_command(devnet))
    try:
        assert set(agent.tokens()) >= {name for name, _role in DEVNET_PEOPLE}
        key = agent.log_in("operator1", person_pin("operator1"))
        digest = sha256(b"GTX/test")
        assert verify_signature(key, digest, agent.sign(digest))
        proc = Path(f"/proc/{agent.pid}")
        assert person_pin("operator1").encode() not in proc.joinpath("cmdline").read_bytes()
        assert person_pin("operator1").encode() not in proc.joinpath("environ").read_bytes()
    finally:
        agent.close()
    assert agent._process.returncode == 0  # logged out and left on the closed pipe


@pytest.mark.parametrize(("token", "pin", "key", "error"), [
    ("operator1", "not-the-pin", None, WrongPin),
    ("nobody", "nobody-1234", None, TokenNotFound),
    ("operator1", person_pin("operator1"), "not-a-key", KeyNotFound),
])
def test_a_failed_login_names_the_rule_and_ends_the_agent(
        devnet: DevnetLayout, token: str, pin: str, key: str | None,
        error: type[Exception]) -> None:
    agent = AgentSigner.start(_command(devnet))
    try:
        with pytest.raises(error):
            agent.log_in(token, pin, key)
        assert agent._process.wait(10) == 1
        with pytest.raises(AgentProtocol, match="has exited"):
            agent.log_in("operator1", person_pin("operator1"))
    finally:
        agent.close()


def test_the_agent_ends_when_the_console_dies(devnet: DevnetLayout) -> None:
    """A console killed outright: the kernel closes its end of the pipe, the agent sees the
    end of its input and exits (the token is logged out with it)."""
    console = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\n"
            "from node_core.signers.agent import AgentSigner\n"
            f"agent = AgentSigner.start({_command(devnet)!r})\n"
            f"agent.log_in('supervisor1', {person_pin('supervisor1')!r})\n"
            "print(agent.pid, flush=True)\n"
            "time.sleep(60)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert console.stdout is not None
        agent_pid = int(console.stdout.readline())
        os.kill(console.pid, signal.SIGKILL)
        console.wait(10)
        assert _gone(agent_pid)
    finally:
        console.kill()
        console.wait()


def _raw(devnet: DevnetLayout) -> subprocess.Popen[bytes]:
    return subprocess.Popen(_command(devnet), stdin=subprocess.PIPE, stdout=subprocess.PIPE)


@pytest.mark.parametrize(("message", "rule"), [
    (HEADER.pack(Request.SIGN, 32) + bytes(32), "does not fit this step"),  # before LOG_IN
    (HEADER.pack(Request.LOG_IN, MAX_MESSAGE_BYTES + 1), "at most 4096"),
    (HEADER.pack(Request.LOG_IN, 4) + b"pin!", "not UTF-8 JSON"),
    (HEADER.pack(Request.LOG_IN, 2) + b"{}", "a token, a key and a pin"),
    (HEADER.pack(9, 0), "request 9"),
])
def test_a_request_that_breaks_the_protocol_ends_the_agent(devnet: DevnetLayout,
                                                           message: bytes, rule: str) -> None:
    agent = _raw(devnet)
    try:
        out, _ = agent.communicate(message, timeout=30)
    finally:
        agent.kill()
    kind, length = HEADER.unpack(out[:HEADER.size])
    assert kind == Answer.ERROR and agent.returncode == 1 and len(out) == HEADER.size + length
    error = json.loads(out[HEADER.size:])
    assert error["type"] == "AgentProtocol" and rule in error["message"]
