"""The authority peer network: authenticated, replay-protected TCP links between the
authorities (EGAT, MEA, PEA) of a GridTokenX chain.

Wire format (every message is one frame ``u32 big-endian length || body``)::

    handshake   Hello, Hello, Auth, Auth            (see node_core.p2p.handshake)
    data        u64 sequence || payload || mac16    (see node_core.p2p.channel)

``mac16`` is HMAC-SHA256 with the direction's key over ``u64 sequence || payload``,
truncated to 16 bytes. Payloads are opaque bytes chosen by the node.

Modules: ``framing`` (length prefix), ``handshake`` (authentication and key derivation),
``admission`` (bounds on unfinished inbound handshakes, and why floods cannot lock an
authority out), ``channel`` (MAC and replay window), ``session`` (one connection),
``network`` (:class:`PeerNetwork`), ``links`` (:class:`PeerLinks`, the interface the node
uses, which the Pub/Sub relay also implements), ``stats`` (counters), ``settings``,
``errors``.
"""

from node_core.p2p.errors import (
    FrameTooLarge,
    HandshakeFailed,
    MacFailure,
    MalformedFrame,
    PeerProtocolError,
    WrongChainPeer,
)
from node_core.p2p.links import PeerLinks
from node_core.p2p.network import MessageHandler, PeerAddresses, PeerNetwork
from node_core.p2p.settings import NetworkSettings
from node_core.p2p.stats import PeerStats

__all__ = [
    "FrameTooLarge",
    "HandshakeFailed",
    "MacFailure",
    "MalformedFrame",
    "MessageHandler",
    "NetworkSettings",
    "PeerAddresses",
    "PeerLinks",
    "PeerNetwork",
    "PeerProtocolError",
    "PeerStats",
    "WrongChainPeer",
]
