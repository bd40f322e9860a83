"""What the endpoint's services may see and do of their node: narrow views, so a service
names its dependencies and a test can hand it something smaller than a running node.

:class:`~node_core.node.authority_node.AuthorityNode` satisfies each of them structurally.

* :class:`ChainView` — the final chain: the state at the tip and the store (read only);
* :class:`AuthorityActions` — what an operator's signed request may make the node do: sign and
  submit as the authority, through the control room's one audited path (governance, roster);
* :class:`NodeView` — the node's own status for ``status``, ``cloud_status``, ``submit``,
  ``submit_binary``, ``pipeline`` and
  the grid feed's ``attest_grid`` (:mod:`node_core.api.node_queries`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from node_core.api.requests import GridSnapshotData
    from node_core.consensus.engine import ConsensusEngine
    from node_core.control_room.room import ControlRoom
    from node_core.ledger.keys import Signer
    from node_core.ledger.state import State
    from node_core.ledger.transactions import Payload, Transaction
    from node_core.node.admission import Outcome
    from node_core.node.authority_node import PeerView
    from node_core.node.config import NodeConfig
    from node_core.node.mempool import Mempool
    from node_core.node.metrics import NodeMetrics
    from node_core.node.rejections import Rejections
    from node_core.node.signature_pool import SignaturePool
    from node_core.node.stages import StageClock
    from node_core.node.store import BlockStore
    from node_core.p2p.links import PeerLinks


class ChainView(Protocol):
    @property
    def state(self) -> State: ...

    @property
    def store(self) -> BlockStore: ...


class AuthorityActions(ChainView, Protocol):
    @property
    def signer(self) -> Signer: ...

    @property
    def control(self) -> ControlRoom: ...

    def submit_as_authority(self, payload: Payload) -> Transaction:
        """Sign ``payload`` with the authority key and submit it; raises the rule broken."""
        ...


class NodeView(ChainView, Protocol):
    @property
    def authority_name(self) -> str: ...

    @property
    def signer(self) -> Signer: ...

    @property
    def config(self) -> NodeConfig: ...

    @property
    def engine(self) -> ConsensusEngine: ...

    @property
    def network(self) -> PeerLinks: ...

    @property
    def metrics(self) -> NodeMetrics: ...

    @property
    def rejections(self) -> Rejections: ...

    @property
    def mempool(self) -> Mempool: ...

    @property
    def peers(self) -> dict[str, PeerView]: ...

    @property
    def stages(self) -> StageClock: ...

    @property
    def signatures(self) -> SignaturePool: ...

    async def submit_encoded(self, encoded: Sequence[bytes]) -> list[Outcome]:
        """Admit a client's signed transaction encodings: one outcome each, in order."""
        ...

    def attest_grid(self, snapshot: GridSnapshotData,
                    voltages: dict[str, tuple[float, float, str]]) -> None:
        """The grid feed's snapshot for the next proposals, and the voltages for alarms;
        raises ValueError for a snapshot the ledger cannot hold."""
        ...
