"""GovernanceLink: governance through the node's client endpoint, as Qt signals.

Reads ``gov_list`` (and ``gov_show`` of the proposal the operator selected) when the node
connects, on each final block (``NodeLink.block_finalized``: a block may carry votes, so the
tally changes exactly when a block is final) and every :data:`REFRESH_MS` as a fallback
(deadline countdowns, a missed event). Refreshes never overlap: one asked for while another
runs is done once right after it. Proposals and votes go to ``gov_propose`` / ``gov_vote``,
signed by the person logged in at the console (``set_session``, from
``ControlLink.session_changed``; their operator agent signs in a worker thread): the node
checks their role on its roster, signs the transaction with its authority's HSM key and
records the request in its audit trail. The answer (a tx hash, or the rule's name and message:
the node's, or ``Unsigned`` when nobody is logged in) comes back as a signal.

Signals:
    proposals_loaded(proposals: list): ``gov_list``, newest first.
    proposal_loaded(proposal: dict): ``gov_show`` of the selected proposal.
    refresh_failed(error_type: str, message: str): the node could not be read.
    proposal_submitted(result: dict): ``gov_propose`` answered ``{"tx_hash", "nonce"}``.
    proposal_failed(error_type: str, message: str): the node refused the proposal.
    vote_submitted(proposal_id: int, choice: str, tx_hash: str)
    vote_failed(proposal_id: int, choice: str, error_type: str, message: str)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Final

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.links.node_link import NodeLink, refusal
from app.links.operator_session import OperatorSession
from node_core.api import answers as ans
from node_core.api import methods as m
from node_core.api import requests as r
from node_core.api.signed_requests import RequestSigner
from node_core.api.wire import ClientError
from node_core.ledger.exceptions import GridTokenXError

log = logging.getLogger(__name__)

REFRESH_MS: Final = 5000
"""Fallback refresh while connected (blocks trigger one too)."""


class GovernanceLink(QObject):
    """Governance requests of one console; ``stop()`` on shutdown.

    Signals (payloads are the typed answers of ``node_core.api``):
        proposals_loaded(list[ProposalView]): every proposal, newest first.
        proposal_loaded(ProposalView): the selected proposal with its votes verified.
        refresh_failed(str, str): reading proposals failed: rule, message.
        proposal_submitted(Submitted): a proposal was signed and submitted.
        proposal_failed(str, str): a proposal was refused: rule, message.
        vote_submitted(int, str, str): proposal id, choice, transaction hash.
        vote_failed(int, str, str, str): proposal id, choice, rule, message.
    """

    proposals_loaded = Signal(list)
    proposal_loaded = Signal(ans.ProposalView)
    refresh_failed = Signal(str, str)
    proposal_submitted = Signal(ans.Submitted)
    proposal_failed = Signal(str, str)
    vote_submitted = Signal(int, str, str)
    vote_failed = Signal(int, str, str, str)

    def __init__(self, node: NodeLink, *, refresh_ms: int = REFRESH_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._node = node
        self._selected: int | None = None
        self._signer: RequestSigner | None = None
        self._refreshing: asyncio.Task[None] | None = None
        self._again = False
        self._requests: set[asyncio.Task[None]] = set()
        self._timer = QTimer(self, interval=refresh_ms)
        self._timer.timeout.connect(self.refresh)
        node.connection_changed.connect(self._on_connection_changed)
        node.block_finalized.connect(self._on_block)

    # ----- slots ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Read the proposals (and the selected one) now, or right after a running read."""
        if self._refreshing is not None and not self._refreshing.done():
            self._again = True
            return
        self._refreshing = self._spawn(self._refresh())

    @Slot(int)
    def select_proposal(self, proposal_id: int) -> None:
        """Fetch ``proposal_id`` in full now and on every refresh."""
        self._selected = proposal_id
        self._spawn(self._show(proposal_id))

    @Slot(dict)
    def propose(self, params: dict[str, Any]) -> None:
        self._spawn(self._propose(params, self._signer))

    @Slot(object)
    def set_session(self, session: OperatorSession | None) -> None:
        """The person at the console, who signs every proposal and vote."""
        self._signer = session.signer if session is not None else None

    @Slot(int, str)
    def vote(self, proposal_id: int, choice: str) -> None:
        self._spawn(self._vote(proposal_id, choice, self._signer))

    @Slot()
    def stop(self) -> None:
        """Stop refreshing and cancel requests in flight (shutdown)."""
        self._timer.stop()
        for task in list(self._requests):
            task.cancel()

    def _on_connection_changed(self, connected: bool) -> None:
        if connected:
            self._timer.start()
            self.refresh()
        else:
            self._timer.stop()

    def _on_block(self, _summary: dict[str, Any]) -> None:
        self.refresh()

    # ----- requests ---------------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)
        return task

    async def _refresh(self) -> None:
        while True:
            self._again = False
            try:
                self.proposals_loaded.emit(await self._node.request(m.GOV_LIST, r.NoParams()))
                if self._selected is not None:
                    await self._show(self._selected)
            except ClientError as error:
                log.debug("governance refresh: %s", error)
                self.refresh_failed.emit(*refusal(error))
            if not self._again:
                return

    async def _show(self, proposal_id: int) -> None:
        try:
            proposal = await self._node.request(m.GOV_SHOW, r.ProposalIdRequest(proposal_id))
        except ClientError as error:
            self.refresh_failed.emit(*refusal(error))
            return
        self.proposal_loaded.emit(proposal)

    async def _propose(self, params: dict[str, Any], signer: RequestSigner | None) -> None:
        try:
            result = await self._node.request(m.GOV_PROPOSE, r.ProposalRequest(**params),
                                              signer=signer)
        except GridTokenXError as error:
            log.info("proposal %r refused: %s", params.get("title"), error)
            self.proposal_failed.emit(*refusal(error))
            return
        log.info("proposal %r submitted: tx %s", params.get("title"), result.get("tx_hash"))
        self.proposal_submitted.emit(result)

    async def _vote(self, proposal_id: int, choice: str, signer: RequestSigner | None) -> None:
        try:
            result = await self._node.request(m.GOV_VOTE, r.VoteRequest(proposal_id, choice),
                                              signer=signer)
        except GridTokenXError as error:
            log.info("vote %s on proposal %d refused: %s", choice, proposal_id, error)
            self.vote_failed.emit(proposal_id, choice, *refusal(error))
            return
        log.info("vote %s on proposal %d submitted: tx %s", choice, proposal_id,
                 result.get("tx_hash"))
        self.vote_submitted.emit(proposal_id, choice, str(result.get("tx_hash", "")))

