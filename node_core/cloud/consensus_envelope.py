"""Signed envelopes for node messages relayed through Pub/Sub (``consensus-messages``).

Over direct TCP every frame is authenticated by the session's HMAC and replay window
(``node_core.p2p``). Pub/Sub has neither: any principal allowed to publish on the topic can
write any bytes and any ``sender`` attribute, and Pub/Sub itself redelivers and retains
messages. So every payload carried over Pub/Sub travels in an envelope that proves which
authority sent it, to whom, and when, and that each receiver accepts at most once.

Two signatures, so the authority key (a PKCS#11 token, or Cloud KMS: a network round trip)
signs once per node start rather than once per message:

* **Session certificate** — at start the node makes a fresh in-memory P-256 *session key* and
  its authority key signs ``SHA-256("GTX/pubsub-session" || genesis_hash || sender ||
  u64 issued_ms || session_public_key)``. A receiver checks it against the sender's public key
  in the chain's authority set, once per session.
* **Envelope signature** — the session key signs ``SHA-256("GTX/pubsub-envelope" ||
  genesis_hash || envelope without its signature)`` for every message.

Encoding::

    u8 version || address sender || u64 issued_ms || session_public_key(65) ||
    certificate_signature(64) || address recipient || u64 sequence || u64 sent_ms ||
    bytes payload || signature(64)

``recipient`` is the zero address for a broadcast, else the one authority it is for (sync
requests and answers); others ignore it. ``genesis_hash`` is in both digests only, so an
envelope of another chain fails its signatures.

What a receiver (``EnvelopeGate``) accepts — each refusal is counted under its reason:

1. it decodes (``malformed``); its sender is a current authority (``unknown_sender``) and
   not ourselves (``own``: our own envelopes echoed back);
2. it is for everyone or for us (``not_for_us``, ignored before any signature check);
3. ``sent_ms`` is within ``max_age_ms`` of our clock either way (``stale``): Pub/Sub's
   retention and redelivery never feed old messages to consensus;
4. its session is the sender's newest: an older ``issued_ms`` than one already verified is
   refused (``stale_session``); a new session's certificate must verify (``forged``);
5. the envelope signature verifies with the session key (``forged``);
6. ``sequence`` was not accepted before in this session — the RFC 4303 sliding window of the
   TCP links (``replayed``).

What remains: a receiver that restarts forgets its windows, so a message captured in the last
``max_age_ms`` could be accepted once more after the restart. The payloads are idempotent for
the node (consensus messages are signed by their authority and deduplicated by the engine;
transactions by the mempool; status, sync requests and final blocks are checked against the
chain), so such a replay costs some work and nothing else. Payloads are not encrypted: like
the TCP links, they carry data every authority may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from node_core.ledger.encoding import Reader, Writer
from node_core.ledger.exceptions import DecodeError
from node_core.ledger.genesis import AuthorityInfo
from node_core.ledger.hashing import tagged_digest
from node_core.ledger.keys import (
    PUBLIC_KEY_SIZE,
    SIGNATURE_SIZE,
    Signer,
    normalize_low_s,
    verify_signature,
)
from node_core.ledger.types import Address, Hash32, PublicKey
from node_core.p2p.channel import ReplayWindow

VERSION: Final = 1
SESSION_DOMAIN: Final = b"GTX/pubsub-session"
ENVELOPE_DOMAIN: Final = b"GTX/pubsub-envelope"
EVERYONE: Final = Address("0x" + "0" * 40)
"""The recipient of a broadcast."""
MAX_AGE_MS: Final = 30_000
"""How far ``sent_ms`` may be from the receiver's clock (age, or clock skew)."""
REPLAY_WINDOW: Final = 4096
REFUSALS: Final = ("malformed", "unknown_sender", "own", "not_for_us", "stale",
                   "stale_session", "forged", "replayed")


class SessionKey:
    """The in-memory P-256 key of one node run; it signs envelopes, never blocks or chains."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.public_key: Final = PublicKey(self._key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def sign(self, digest: bytes) -> bytes:
        der = self._key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        return normalize_low_s(*decode_dss_signature(der))


@dataclass(frozen=True, slots=True)
class SessionCertificate:
    """An authority's statement that ``session_key`` speaks for it from ``issued_ms`` on."""

    sender: Address
    issued_ms: int
    session_key: PublicKey
    signature: bytes

    def valid_for(self, authority: AuthorityInfo, genesis_hash: Hash32) -> bool:
        return verify_signature(authority.public_key,
                                certificate_digest(genesis_hash, self.sender, self.issued_ms,
                                                   self.session_key), self.signature)


@dataclass(frozen=True, slots=True)
class Envelope:
    """One relayed payload (see the module docstring for the encoding)."""

    certificate: SessionCertificate
    recipient: Address
    sequence: int
    sent_ms: int
    payload: bytes
    signature: bytes = b""

    def signed_bytes(self) -> bytes:
        cert = self.certificate
        writer = Writer().u8(VERSION).address(cert.sender).u64(cert.issued_ms)
        writer.raw(cert.session_key, PUBLIC_KEY_SIZE).raw(cert.signature, SIGNATURE_SIZE)
        writer.address(self.recipient).u64(self.sequence).u64(self.sent_ms)
        return bytes(writer.bytes_(self.payload))


def certificate_digest(genesis_hash: Hash32, sender: str, issued_ms: int,
                       session_key: bytes) -> bytes:
    body = Writer().address(sender).u64(issued_ms).raw(session_key, PUBLIC_KEY_SIZE)
    return tagged_digest(SESSION_DOMAIN, bytes.fromhex(genesis_hash) + bytes(body))


def envelope_digest(genesis_hash: Hash32, signed_bytes: bytes) -> bytes:
    return tagged_digest(ENVELOPE_DOMAIN, bytes.fromhex(genesis_hash) + signed_bytes)


def encode_envelope(envelope: Envelope) -> bytes:
    return envelope.signed_bytes() + envelope.signature


def decode_envelope(data: bytes) -> Envelope:
    """Parse an envelope; DecodeError if it is not one. Checks no signature."""
    reader = Reader(data)
    reader.version()
    certificate = SessionCertificate(Address(reader.address()), reader.u64(),
                                     PublicKey(reader.raw(PUBLIC_KEY_SIZE)),
                                     reader.raw(SIGNATURE_SIZE))
    envelope = Envelope(certificate, Address(reader.address()), reader.u64(), reader.u64(),
                        reader.bytes_(), reader.raw(SIGNATURE_SIZE))
    reader.finish()
    return envelope


class EnvelopeSealer:
    """The sending side of one node run: certificate made once, then one envelope per send."""

    def __init__(self, genesis_hash: Hash32, certificate: SessionCertificate,
                 session_key: SessionKey) -> None:
        self._genesis_hash = genesis_hash
        self.certificate: Final = certificate
        self._session_key = session_key
        self._sequence = 0

    @classmethod
    def issue(cls, signer: Signer, genesis_hash: Hash32, now_ms: int) -> EnvelopeSealer:
        """A new session: a fresh session key certified by ``signer`` (one authority
        signature: with Cloud KMS a network round trip, so call it from a worker thread)."""
        session_key = SessionKey()
        digest = certificate_digest(genesis_hash, signer.address, now_ms, session_key.public_key)
        certificate = SessionCertificate(signer.address, now_ms, session_key.public_key,
                                         signer.sign(digest))
        return cls(genesis_hash, certificate, session_key)

    def seal(self, payload: bytes, now_ms: int, recipient: Address = EVERYONE) -> bytes:
        envelope = Envelope(self.certificate, recipient, self._sequence, now_ms, bytes(payload))
        self._sequence += 1
        signed = envelope.signed_bytes()
        return signed + self._session_key.sign(envelope_digest(self._genesis_hash, signed))


@dataclass(slots=True)
class _Session:
    issued_ms: int
    session_key: PublicKey
    window: ReplayWindow = field(default_factory=lambda: ReplayWindow(REPLAY_WINDOW))


class EnvelopeGate:
    """The receiving side: ``open`` returns ``(sender, payload)`` of an envelope it accepts, or
    None after counting the reason in ``refused`` (see the module docstring)."""

    def __init__(self, genesis_hash: Hash32, me: Address, authorities: list[AuthorityInfo],
                 *, max_age_ms: int = MAX_AGE_MS) -> None:
        self._genesis_hash = genesis_hash
        self._me = me
        self._max_age_ms = max_age_ms
        self._authorities = {a.address: a for a in authorities}
        self._sessions: dict[str, _Session] = {}
        self.refused: dict[str, int] = dict.fromkeys(REFUSALS, 0)
        self.last_refusal: str | None = None

    def update_authorities(self, authorities: list[AuthorityInfo]) -> None:
        self._authorities = {a.address: a for a in authorities}
        for address in [a for a in self._sessions if a not in self._authorities]:
            del self._sessions[address]

    def open(self, data: bytes, now_ms: int) -> tuple[Address, bytes] | None:
        try:
            envelope = decode_envelope(data)
        except DecodeError:
            envelope = None
        reason = "malformed" if envelope is None else self._check(envelope, data, now_ms)
        if reason is not None:
            self.refused[reason] += 1
            self.last_refusal = reason
            return None
        assert envelope is not None
        return envelope.certificate.sender, envelope.payload

    def _check(self, envelope: Envelope, data: bytes, now_ms: int) -> str | None:
        """The first rule ``envelope`` breaks, or None after accepting it."""
        cert = envelope.certificate
        authority = self._authorities.get(cert.sender)
        if authority is None:
            return "unknown_sender"
        if cert.sender == self._me:
            return "own"
        if envelope.recipient not in (EVERYONE, self._me):
            return "not_for_us"
        if abs(now_ms - envelope.sent_ms) > self._max_age_ms:
            return "stale"
        session = self._sessions.get(cert.sender)
        if session is not None and cert.issued_ms < session.issued_ms:
            return "stale_session"
        new = session is None or session.session_key != cert.session_key
        if new and not cert.valid_for(authority, self._genesis_hash):
            return "forged"
        signed = data[:-SIGNATURE_SIZE]
        if not verify_signature(cert.session_key, envelope_digest(self._genesis_hash, signed),
                                envelope.signature):
            return "forged"
        if new:
            session = self._sessions[cert.sender] = _Session(cert.issued_ms, cert.session_key)
        assert session is not None
        if not session.window.is_fresh(envelope.sequence):
            return "replayed"
        session.window.accept(envelope.sequence)
        return None
