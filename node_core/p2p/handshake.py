"""The authority handshake: both ends prove they hold an authority key, agree on the chain,
and derive the per-direction MAC keys of the channel.

Messages (each one length-prefixed frame, canonical encoding)::

    Hello = u8 version=1 || u8 kind=1 || str chain_id || hash32 genesis_hash
            || address authority || raw32 nonce || raw32 ephemeral X25519 public key
    Auth  = u8 version=1 || u8 kind=2 || raw64 signature (r || s, low S)

Order: the initiator (the dialer) sends its Hello as soon as the TCP connection is up; the
responder sends its own once a Hello has arrived (a connection that sends none, or sends
something else, costs it no key and gets nothing). Each checks the other's (chain id,
genesis hash, known authority, not ourselves, dial direction), so a dialer on another chain
learns why it is refused. The initiator then sends its Auth; the responder verifies it and
only then sends its own, so a stranger can never make the responder's HSM sign anything.

Deadlines (``NetworkSettings``): the other side's Hello within ``hello_timeout_s``, the whole
handshake within ``handshake_timeout_s``. Every handshake frame is read with a limit of
``MAX_HANDSHAKE_FRAME`` bytes: a larger announced length is refused before its body is read.

Each side signs ``SHA-256(transcript || u8 own role)`` with its authority key, where
``transcript = "GTX/handshake" || str chain_id || hash32 genesis_hash
|| bytes initiator_hello || bytes responder_hello`` and role is 1 (initiator) or 2
(responder). Signing goes through ``asyncio.to_thread`` (or the given executor) because an
HSM signs blocking.

Keys: ``HKDF-SHA256(ikm = X25519 shared secret, salt = SHA-256(transcript),
info = "GTX/p2p/i2r" or "GTX/p2p/r2i")``, 32 bytes for each direction. The signatures cover
both ephemeral keys, so nobody in the middle can substitute their own.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError
from node_core.ledger.fields import CHAIN_ID
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.keys import SIGNATURE_SIZE, Signer, sha256, verify_signature
from node_core.p2p.errors import HandshakeFailed, WrongChainPeer
from node_core.p2p.framing import frame, read_frame
from node_core.p2p.settings import NetworkSettings

PROTOCOL_VERSION: Final = 1
HELLO_KIND: Final = 1
AUTH_KIND: Final = 2
INITIATOR_ROLE: Final = 1
RESPONDER_ROLE: Final = 2
NONCE_SIZE: Final = 32
EPHEMERAL_KEY_SIZE: Final = 32
MAX_HANDSHAKE_FRAME: Final = 512
"""A Hello is under 200 bytes; anything announcing more than this is refused unread."""

HANDSHAKE_DOMAIN: Final = b"GTX/handshake"
_KEY_LABELS: Final = (b"GTX/p2p/i2r", b"GTX/p2p/r2i")


@dataclass(frozen=True, slots=True)
class Hello:
    """The first message of each side."""

    chain_id: str
    genesis_hash: str
    address: str
    nonce: bytes
    ephemeral_key: bytes
    version: int = PROTOCOL_VERSION


@dataclass(frozen=True, slots=True)
class HandshakeParams:
    """Who we are and whom we accept, as of the moment a connection starts."""

    chain_id: str
    genesis_hash: str
    signer: Signer
    authorities: dict[str, AuthorityInfo]
    limits: NetworkSettings
    """Its deadlines: ``hello_timeout_s`` and ``handshake_timeout_s``."""
    executor: Executor | None = None


@dataclass(frozen=True, slots=True)
class HandshakeResult:
    """An authenticated peer and the channel keys for this connection."""

    peer: AuthorityInfo
    role: int
    send_key: bytes
    receive_key: bytes


def encode_hello(hello: Hello) -> bytes:
    writer = Writer().u8(hello.version).u8(HELLO_KIND).str_(hello.chain_id, CHAIN_ID)
    writer.hash32(hello.genesis_hash).address(hello.address)
    writer.raw(hello.nonce, NONCE_SIZE).raw(hello.ephemeral_key, EPHEMERAL_KEY_SIZE)
    return bytes(writer)


def decode_hello(body: bytes) -> Hello:
    """Parse a Hello; HandshakeFailed if it is not one."""
    reader = Reader(body)
    try:
        version = reader.u8()
        if reader.u8() != HELLO_KIND:
            raise DecodeError("not a Hello")
        hello = Hello(
            chain_id=reader.str_(CHAIN_ID),
            genesis_hash=reader.hash32(),
            address=reader.address(),
            nonce=reader.raw(NONCE_SIZE),
            ephemeral_key=reader.raw(EPHEMERAL_KEY_SIZE),
            version=version,
        )
        reader.finish()
    except DecodeError as error:
        raise HandshakeFailed(f"malformed Hello: {error}") from None
    if version != PROTOCOL_VERSION:
        raise HandshakeFailed(f"protocol version {version} is not supported", hello.address)
    return hello


def encode_auth(signature: bytes) -> bytes:
    return bytes(Writer().u8(PROTOCOL_VERSION).u8(AUTH_KIND).raw(signature, SIGNATURE_SIZE))


def decode_auth(body: bytes) -> bytes:
    """The signature of an Auth message; HandshakeFailed if it is not one."""
    reader = Reader(body)
    try:
        if reader.u8() != PROTOCOL_VERSION or reader.u8() != AUTH_KIND:
            raise DecodeError("not an Auth")
        signature = reader.raw(SIGNATURE_SIZE)
        reader.finish()
    except DecodeError as error:
        raise HandshakeFailed(f"malformed Auth: {error}") from None
    return signature


def transcript_digest(
    chain_id: str,
    genesis_hash: str,
    initiator_hello: bytes,
    responder_hello: bytes,
    role: int | None = None,
) -> bytes:
    """SHA-256 of the transcript, with the signer's role byte appended when given."""
    writer = Writer().raw(HANDSHAKE_DOMAIN, len(HANDSHAKE_DOMAIN)).str_(chain_id, CHAIN_ID)
    writer.hash32(genesis_hash).bytes_(initiator_hello).bytes_(responder_hello)
    if role is not None:
        writer.u8(role)
    return sha256(bytes(writer))


def derive_keys(shared_secret: bytes, transcript_hash: bytes) -> tuple[bytes, bytes]:
    """``(initiator→responder key, responder→initiator key)``."""
    first, second = (
        HKDF(algorithm=hashes.SHA256(), length=32, salt=transcript_hash, info=label).derive(
            shared_secret
        )
        for label in _KEY_LABELS
    )
    return first, second


async def initiate(
    params: HandshakeParams,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    expected: str,
) -> HandshakeResult:
    """Run the dialer's side against the authority ``expected``."""
    return await _guarded(params, reader, writer, INITIATOR_ROLE, expected)


async def respond(
    params: HandshakeParams, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> HandshakeResult:
    """Run the accepting side; whoever dialed must be a lower-addressed authority."""
    return await _guarded(params, reader, writer, RESPONDER_ROLE, None)


class _Attempt:
    """What the handshake learned so far (to attribute a failure to a peer)."""

    __slots__ = ("claimed",)

    def __init__(self, claimed: str | None) -> None:
        self.claimed = claimed


async def _guarded(
    params: HandshakeParams,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    role: int,
    expected: str | None,
) -> HandshakeResult:
    """The handshake under its deadline; every failure becomes HandshakeFailed."""
    attempt = _Attempt(expected)
    deadline_s = params.limits.handshake_timeout_s
    try:
        async with asyncio.timeout(deadline_s):
            return await _exchange(params, reader, writer, role, attempt)
    except HandshakeFailed as error:
        error.claimed = error.claimed or attempt.claimed
        raise
    except TimeoutError:
        message = f"no handshake within {deadline_s} s"
    except asyncio.IncompleteReadError:
        message = "connection closed during the handshake"
    except OSError as error:
        message = f"connection failed during the handshake: {error}"
    raise HandshakeFailed(message, attempt.claimed)


async def _exchange(
    params: HandshakeParams,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    role: int,
    attempt: _Attempt,
) -> HandshakeResult:
    if role == RESPONDER_ROLE:  # nothing from us until they have sent a Hello
        their_bytes, their = await _receive_hello(params, reader, attempt)
        ephemeral, own, own_bytes = await _send_hello(params, writer)
    else:
        ephemeral, own, own_bytes = await _send_hello(params, writer)
        their_bytes, their = await _receive_hello(params, reader, attempt)
    peer = _admit(params, own, their, role, attempt.claimed)
    shared = _shared_secret(ephemeral, their.ephemeral_key)
    hellos = (own_bytes, their_bytes) if role == INITIATOR_ROLE else (their_bytes, own_bytes)
    transcript = (params.chain_id, params.genesis_hash, *hellos)
    if role == INITIATOR_ROLE:
        await _send_auth(params, writer, transcript_digest(*transcript, INITIATOR_ROLE))
        await _expect_auth(reader, peer, transcript_digest(*transcript, RESPONDER_ROLE))
    else:
        await _expect_auth(reader, peer, transcript_digest(*transcript, INITIATOR_ROLE))
        await _send_auth(params, writer, transcript_digest(*transcript, RESPONDER_ROLE))
    to_responder, to_initiator = derive_keys(shared, transcript_digest(*transcript))
    if role == INITIATOR_ROLE:
        return HandshakeResult(peer, role, to_responder, to_initiator)
    return HandshakeResult(peer, role, to_initiator, to_responder)


async def _send_hello(
    params: HandshakeParams, writer: asyncio.StreamWriter
) -> tuple[X25519PrivateKey, Hello, bytes]:
    """Our Hello, sent: its ephemeral key, itself and its bytes."""
    ephemeral = X25519PrivateKey.generate()
    own = Hello(params.chain_id, params.genesis_hash, params.signer.address,
                os.urandom(NONCE_SIZE), ephemeral.public_key().public_bytes_raw())
    own_bytes = encode_hello(own)
    writer.write(frame(own_bytes))
    await writer.drain()
    return ephemeral, own, own_bytes


async def _receive_hello(
    params: HandshakeParams, reader: asyncio.StreamReader, attempt: _Attempt
) -> tuple[bytes, Hello]:
    """Their Hello (bytes and decoded), within the Hello deadline."""
    deadline_s = params.limits.hello_timeout_s
    try:
        async with asyncio.timeout(deadline_s):
            their_bytes = await read_frame(reader, MAX_HANDSHAKE_FRAME)
    except TimeoutError:
        raise HandshakeFailed(f"no Hello within {deadline_s} s") from None
    their = decode_hello(their_bytes)
    attempt.claimed = attempt.claimed or their.address
    return their_bytes, their


def _admit(
    params: HandshakeParams, own: Hello, their: Hello, role: int, expected: str | None
) -> AuthorityInfo:
    """The authority the peer's Hello claims to be, if we accept that claim so far."""
    if their.chain_id != params.chain_id or their.genesis_hash != params.genesis_hash:
        raise WrongChainPeer(
            f"peer {their.address} is on chain {their.chain_id!r} "
            f"genesis {their.genesis_hash[:16]}…, not ours", their.address)
    if their.nonce == own.nonce or their.address == own.address:
        raise HandshakeFailed("connected to ourselves", their.address)
    peer = params.authorities.get(their.address)
    if peer is None:
        raise HandshakeFailed(f"{their.address} is not an authority", their.address)
    if role == INITIATOR_ROLE and their.address != expected:
        raise HandshakeFailed(f"dialed {expected} but {their.address} answered", expected)
    if role == RESPONDER_ROLE and not their.address < own.address:
        raise HandshakeFailed(
            f"{peer.name} dialed us, but the lower address dials", their.address)
    return peer


def _shared_secret(ephemeral: X25519PrivateKey, their_key: bytes) -> bytes:
    try:
        return ephemeral.exchange(X25519PublicKey.from_public_bytes(their_key))
    except ValueError:
        raise HandshakeFailed("peer's ephemeral key is a low-order point") from None


async def _send_auth(params: HandshakeParams, writer: asyncio.StreamWriter, digest: bytes) -> None:
    signature = await _sign(params, digest)
    writer.write(frame(encode_auth(signature)))
    await writer.drain()


async def _expect_auth(reader: asyncio.StreamReader, peer: AuthorityInfo, digest: bytes) -> None:
    signature = decode_auth(await read_frame(reader, MAX_HANDSHAKE_FRAME))
    if not verify_signature(peer.public_key, digest, signature):
        raise HandshakeFailed(f"{peer.name}'s handshake signature does not verify", peer.address)


async def _sign(params: HandshakeParams, digest: bytes) -> bytes:
    """Sign off the event loop: a hardware token blocks while it signs."""
    sign = params.signer.sign
    try:
        if params.executor is None:
            return await asyncio.to_thread(sign, digest)
        return await asyncio.get_running_loop().run_in_executor(params.executor, sign, digest)
    except Exception as error:
        raise HandshakeFailed(f"our signer failed during the handshake: {error}") from error
