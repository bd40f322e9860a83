"""The operator agent: a person's own token held open by a small child process, like ssh-agent.

A console serves one person at a time but logs several in over its life (the operator, a
supervisor approving, the next shift), while PKCS#11 ties a login to a process: SoftHSM2 reads
``SOFTHSM2_CONF`` once per process, and python-pkcs11 allows one logged-in session per token
per process. So the console never loads a PKCS#11 module itself. Each login starts an agent
(``main.py operator-agent --module LIB [--softhsm-conf CONF]``), which loads the module
afresh, does ``C_Login`` with the PIN it reads from its pipe, answers with the public key,
and then signs 32-byte digests for as long as its pipe stays open. Closing the pipe (logout,
switching operator, the console closing — or dying, when the kernel closes it) logs the
token out and ends the agent. The PIN goes from the login dialog into the pipe and from the
pipe into ``C_Login``: never into an argument list, an environment, a file or a log.

:class:`AgentSigner` is the console's end: a :class:`~node_core.ledger.keys.Signer`, so a
:class:`~node_core.api.signed_requests.RequestSigner` or an endorsement uses it like any key;
:func:`serve` is the agent's loop.

**Protocol** (the agent's stdin and stdout; one exchange at a time). Every message is
``u8 kind || u16 length (big-endian) || payload``, with the payload at most
:data:`MAX_MESSAGE_BYTES`; anything else ends the agent.

=========================  ==================================================================
request (console → agent)  answer (agent → console)
=========================  ==================================================================
``TOKENS``, empty          ``LABELS``: JSON list of the labels of the tokens present
``LOG_IN``, JSON           ``PUBLIC_KEY``: the 65-byte key of the key pair now open;
``{"token", "key",``       the agent then signs until its pipe closes. At most one
``"pin"}``                 ``LOG_IN``; after it only ``SIGN``.
``SIGN``, 32 bytes         ``SIGNATURE``: 64 bytes ``r || s``, low S
=========================  ==================================================================

Any request may be answered ``ERROR`` with JSON ``{"type", "message"}``: the node_core error
class (``WrongPin``, ``TokenNotFound``, ``KeyNotFound``, ``SignerError``, ``AgentProtocol``)
and what went wrong; the agent then exits. The console checks every signature against the
public key before using it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import struct
import subprocess
import threading
import time
from collections.abc import Sequence
from enum import IntEnum
from types import TracebackType
from typing import IO, Any, Final

from node_core.ledger.exceptions import KeyNotFound, SignerError, TokenNotFound, WrongPin
from node_core.ledger.keys import (
    DIGEST_SIZE,
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    parse_public_key,
    public_key_address,
    verify_signature,
)
from node_core.ledger.types import Address, PublicKey
from node_core.signers.pkcs11 import Pkcs11Signer, module_token_labels

MAX_MESSAGE_BYTES: Final = 4096
"""The longest payload either side sends or accepts."""
HEADER: Final = struct.Struct(">BH")
LOG_IN_TIMEOUT_S: Final = 60.0
"""Starting the agent, listing tokens, logging in (a token may retry while it is busy)."""
SIGN_TIMEOUT_S: Final = 10.0
CLOSE_TIMEOUT_S: Final = 5.0
"""How long a closed agent may take to log out before it is killed."""


class Request(IntEnum):
    TOKENS = 1
    LOG_IN = 2
    SIGN = 3


class Answer(IntEnum):
    LABELS = 1
    PUBLIC_KEY = 2
    SIGNATURE = 3
    ERROR = 4


class AgentProtocol(SignerError):
    """The other end broke the protocol above (or went away, or did not answer in time)."""


_ERRORS: Final[dict[str, type[SignerError]]] = {
    cls.__name__: cls for cls in (WrongPin, TokenNotFound, KeyNotFound, AgentProtocol)}


def encode_message(kind: int, payload: bytes) -> bytes:
    if len(payload) > MAX_MESSAGE_BYTES:
        raise AgentProtocol(f"a {len(payload)}-byte message; at most {MAX_MESSAGE_BYTES}")
    return HEADER.pack(kind, len(payload)) + payload


def _json(payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8"))
    except ValueError:
        raise AgentProtocol("a message that is not UTF-8 JSON") from None


# --- the agent (the child process) ----------------------------------------------------------


def serve(module_path: str, requests: IO[bytes], answers: IO[bytes]) -> int:
    """Answer the console's requests (see the module docstring) until ``requests`` ends; the
    exit status (0: the pipe closed; 1: an error was answered, which ends the agent)."""
    agent = _Agent(module_path)
    try:
        while True:
            try:
                message = _read_blocking(requests)
                if message is None:
                    return 0
                kind, payload = agent.answer(*message)
            except SignerError as error:
                kind, payload = Answer.ERROR, json.dumps(
                    {"type": type(error).__name__, "message": str(error)[:1000]}).encode()
            answers.write(encode_message(kind, payload))
            answers.flush()
            if kind == Answer.ERROR:
                return 1
    finally:
        agent.close()


class _Agent:
    """The agent's state: before ``LOG_IN`` no signer, after it the one open key."""

    def __init__(self, module_path: str) -> None:
        self._module_path = module_path
        self._signer: Pkcs11Signer | None = None

    def answer(self, kind: int, payload: bytes) -> tuple[Answer, bytes]:
        signer = self._signer
        if kind == Request.TOKENS and signer is None:
            return Answer.LABELS, json.dumps(module_token_labels(self._module_path)).encode()
        if kind == Request.LOG_IN and signer is None:
            self._signer = _log_in(self._module_path, payload)
            return Answer.PUBLIC_KEY, bytes(self._signer.public_key)
        if kind == Request.SIGN and signer is not None and len(payload) == DIGEST_SIZE:
            return Answer.SIGNATURE, signer.sign(payload)
        raise AgentProtocol(f"request {kind} ({len(payload)} bytes) does not fit this step")

    def close(self) -> None:
        if self._signer is not None:
            self._signer.close()


def _log_in(module_path: str, payload: bytes) -> Pkcs11Signer:
    login = _json(payload)
    if not isinstance(login, dict) or set(login) != {"token", "key", "pin"} or not all(
            isinstance(value, str) for value in login.values()):
        raise AgentProtocol("LOG_IN carries a token, a key and a pin, all text")
    return Pkcs11Signer.open(module_path, login["token"], login["key"], login["pin"])


def _read_blocking(stream: IO[bytes]) -> tuple[int, bytes] | None:
    header = stream.read(HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise AgentProtocol("the pipe closed inside a message")
    kind, length = HEADER.unpack(header)
    if length > MAX_MESSAGE_BYTES:
        raise AgentProtocol(f"a {length}-byte message; at most {MAX_MESSAGE_BYTES}")
    payload = stream.read(length)
    if len(payload) < length:
        raise AgentProtocol("the pipe closed inside a message")
    return kind, payload


# --- the console's end ----------------------------------------------------------------------


class AgentSigner:
    """A person's key held open by an operator agent (see the module docstring).

    ``start`` the agent, list its ``tokens`` if needed, ``log_in`` once; then it is a
    ``Signer`` until ``close``. Blocking and thread-safe: call it from a worker thread."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lock = threading.Lock()
        self._public_key: PublicKey | None = None

    @classmethod
    def start(cls, command: Sequence[str]) -> AgentSigner:
        """Start the agent ``command`` (``main.py operator-agent ...``) in a session of its own,
        so a Ctrl-C at the console's terminal does not end it before the console logs out."""
        try:
            process = subprocess.Popen(list(command), stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, bufsize=0,
                                       start_new_session=True)
        except OSError as error:
            raise SignerError(f"the operator agent could not start: {error}") from None
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def public_key(self) -> PublicKey:
        if self._public_key is None:
            raise SignerError("the operator agent has no token open: log in first")
        return self._public_key

    @property
    def address(self) -> Address:
        return public_key_address(self.public_key)

    def tokens(self) -> list[str]:
        """The labels of the tokens the agent's PKCS#11 module shows."""
        labels = _json(self._exchange(Request.TOKENS, b"", Answer.LABELS, LOG_IN_TIMEOUT_S))
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise AgentProtocol("LABELS is a JSON list of text")
        return labels

    def log_in(self, token_label: str, pin: str, key_label: str | None = None) -> PublicKey:
        """``C_Login`` on ``token_label`` with ``pin``, opening its key ``key_label`` (default:
        the token's label); the public key. WrongPin, TokenNotFound, KeyNotFound... end the
        agent: start another to try again."""
        login = json.dumps({"token": token_label, "key": key_label or token_label,
                            "pin": pin}).encode()
        answer = self._exchange(Request.LOG_IN, login, Answer.PUBLIC_KEY, LOG_IN_TIMEOUT_S)
        if len(answer) != PUBLIC_KEY_SIZE:
            raise AgentProtocol(f"PUBLIC_KEY is {PUBLIC_KEY_SIZE} bytes, not {len(answer)}")
        try:
            self._public_key = parse_public_key(answer)
        except ValueError as error:
            raise AgentProtocol(f"the agent's public key: {error}") from None
        return self._public_key

    def sign(self, digest: bytes) -> bytes:
        """Sign a 32-byte digest on the token; the signature is checked before it is used."""
        key = self.public_key
        if len(digest) != DIGEST_SIZE:
            raise ValueError(f"digest must be {DIGEST_SIZE} bytes (SHA-256), got {len(digest)}")
        signature = self._exchange(Request.SIGN, bytes(digest), Answer.SIGNATURE,
                                   SIGN_TIMEOUT_S)
        if len(signature) != SIGNATURE_SIZE or not verify_signature(key, digest, signature):
            raise AgentProtocol("the agent's signature does not verify with its key")
        return signature

    def close(self) -> None:
        """Close the pipe: the agent logs the token out and exits (killed if it lingers)."""
        process = self._process
        with self._lock:
            self._public_key = None
            if process.stdin is not None and not process.stdin.closed:
                with contextlib.suppress(BrokenPipeError):
                    process.stdin.close()
        try:
            process.wait(CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> AgentSigner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        key = public_key_address(self._public_key) if self._public_key else "not logged in"
        return f"AgentSigner(pid={self.pid}, {key})"

    def _exchange(self, request: Request, payload: bytes, expected: Answer,
                  timeout_s: float) -> bytes:
        with self._lock:
            process = self._process
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(encode_message(request, payload))
                kind, answer = _read_within(process.stdout.fileno(),
                                            time.monotonic() + timeout_s)
            except (BrokenPipeError, ValueError):
                raise AgentProtocol("the operator agent has exited") from None
            except AgentProtocol:
                process.kill()  # out of step with us: it must not sign anything more
                raise
        if kind == Answer.ERROR:
            raise _error_of(answer)
        if kind != expected:
            raise AgentProtocol(f"answer {kind} to {request.name}; expected {expected.name}")
        return answer


def _error_of(payload: bytes) -> SignerError:
    error = _json(payload)
    if not isinstance(error, dict) or not isinstance(error.get("message"), str):
        return AgentProtocol("ERROR carries {type, message}")
    return _ERRORS.get(str(error.get("type")), SignerError)(error["message"])


def _read_within(fd: int, deadline: float) -> tuple[int, bytes]:
    header = _read_exact(fd, HEADER.size, deadline)
    kind, length = HEADER.unpack(header)
    if length > MAX_MESSAGE_BYTES:
        raise AgentProtocol(f"a {length}-byte answer; at most {MAX_MESSAGE_BYTES}")
    return kind, _read_exact(fd, length, deadline)


def _read_exact(fd: int, size: int, deadline: float) -> bytes:
    data = b""
    while len(data) < size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AgentProtocol("the operator agent did not answer in time")
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise AgentProtocol("the operator agent has exited")
        data += chunk
    return data
