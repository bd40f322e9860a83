"""Why a peer's input was refused; each class names the ``PeerStats`` counter it raises."""

from __future__ import annotations

from typing import ClassVar

from node_core.ledger.exceptions import GridTokenXError


class PeerProtocolError(GridTokenXError):
    """A peer sent something the protocol does not allow; the connection is closed."""

    counter: ClassVar[str] = "malformed"


class MalformedFrame(PeerProtocolError):
    """A frame does not decode (too short, bad layout) after the handshake."""

    counter = "malformed"


class FrameTooLarge(PeerProtocolError):
    """The announced frame length exceeds the configured maximum."""

    counter = "oversized"


class MacFailure(PeerProtocolError):
    """A frame's HMAC does not verify: the stream can no longer be trusted."""

    counter = "mac_failures"


class HandshakeFailed(PeerProtocolError):
    """The handshake did not authenticate the peer (bad hello, signature, timeout, EOF...)."""

    counter = "handshake_failures"

    def __init__(self, message: str, claimed: str | None = None) -> None:
        super().__init__(message)
        self.claimed = claimed
        """The authority address the peer's hello claimed, when it got that far."""


class WrongChainPeer(HandshakeFailed):
    """The peer's hello names another chain id or genesis hash."""

    counter = "wrong_chain"
