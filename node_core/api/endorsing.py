"""What a client endorses with an operator's own key, built from what the node showed: the
order of an emergency selection (operate, approve) and a roster change (the security
administrator's request). The client computes the digest itself from the fields it displayed,
so an operator never signs something the node only claims to be that order."""

from __future__ import annotations

from node_core.api.answers import SelectionView
from node_core.api.requests import RosterChangeRequest
from node_core.api.signed_requests import RequestSigner
from node_core.ledger.endorsements import NO_ENDORSEMENT
from node_core.ledger.roster import Role, RosterAction
from node_core.ledger.transactions import (
    EmergencyAction,
    EmergencyKind,
    RosterChange,
    emergency_digest,
    roster_change_digest,
)


def order_of(selection: SelectionView) -> EmergencyAction:
    """The emergency order a selection stands for (without endorsements)."""
    return EmergencyAction(EmergencyKind[selection["kind"].upper()], selection["region"],
                           selection["stage"], selection["mw"], selection["duration_s"],
                           selection["reason"], selection["selected_ms"])


def endorse_order(signer: RequestSigner, selection: SelectionView) -> str:
    """The operator's (or approving supervisor's) endorsement of the selection's order, hex."""
    digest = emergency_digest(signer.chain_id, signer.authority, order_of(selection))
    return signer.signer.sign(digest).hex()


def roster_change_request(signer: RequestSigner, action: RosterAction, name: str, role: Role,
                          public_key: bytes, requested_ms: int) -> RosterChangeRequest:
    """A ``roster_change`` request endorsed by the security administrator ``signer``."""
    change = RosterChange(action, name, role, public_key, requested_ms, NO_ENDORSEMENT)
    digest = roster_change_digest(signer.chain_id, signer.authority, change)
    return RosterChangeRequest(action.name.lower(), name, role.text, requested_ms,
                               signer.signer.sign(digest).hex(), public_key.hex())
