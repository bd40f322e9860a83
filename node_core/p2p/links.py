"""``PeerLinks``: what the node needs of a transport to the other authorities.

Two implementations: :class:`node_core.p2p.network.PeerNetwork` (direct TCP links, the
default) and ``node_core.cloud.consensus_transport.PubSubPeerNetwork`` (signed envelopes over
the ``consensus-messages`` Pub/Sub topic, for authorities without a direct link). Both deliver
``on_message(sender address, payload)`` on the loop for payloads authenticated as coming from
that authority, at most once each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from node_core.ledger.genesis import AuthorityInfo
from node_core.p2p.network import PeerAddresses


class PeerLinks(Protocol):
    """Best-effort, authenticated delivery of opaque payloads between authorities."""

    async def start(self) -> None:
        """Begin sending and receiving (called once, on the loop)."""
        ...

    async def stop(self) -> None:
        """Stop and release everything; no ``on_message`` after this returns."""
        ...

    def broadcast(self, payload: bytes) -> int:
        """Queue ``payload`` to every other authority; never blocks."""
        ...

    def send(self, address: str, payload: bytes) -> bool:
        """Queue ``payload`` to one authority; False if it cannot be reached now."""
        ...

    def update_authorities(self, authorities: Sequence[AuthorityInfo],
                           peer_addresses: PeerAddresses | None = None) -> None:
        """Adopt a new authority set (governance)."""
        ...

    def connected(self) -> list[str]:
        """Addresses of the authorities currently reachable (heard from), sorted."""
        ...
