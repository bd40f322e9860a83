"""Who signed an audit entry's request, checked against the chain: the entry's operator must
be a name the issuing authority's roster has bound to the signing key (at some height), and
its action what the signed method is recorded as (and :func:`~node_core.control_room.audit.
check_entry` asks every entry but the node's own and refusals for its signed request).
Rewriting an entry's operator or action, or dropping its request, and
recomputing the hash chain is then caught too, not only a changed request."""

from __future__ import annotations

import json

from node_core.api.methods import NODE_METHODS
from node_core.ledger.roster import RosterAction
from node_core.ledger.transactions import RosterChange
from node_core.node.store import BlockStore

MemberKeys = frozenset[tuple[str, str, str]]
"""(authority address, member name, public key hex) of every roster binding ever made."""


def members_on_chain(store: BlockStore) -> MemberKeys:
    """Every roster binding of the chain: the genesis roster and every member added since."""
    bound = {(m.authority, m.name, bytes(m.public_key).hex()) for m in store.genesis.roster}
    for block in store.blocks():
        for tx in block.transactions:
            change = tx.payload
            if isinstance(change, RosterChange) and change.action == RosterAction.ADD:
                bound.add((tx.sender, change.name, change.public_key.hex()))
    return frozenset(bound)


def signer_problem(operator: str, action: str, request: str, members: MemberKeys) -> str | None:
    """Why an entry's operator or action does not match its (verified) signed request."""
    signed = json.loads(request)
    method = NODE_METHODS.get(signed["method"])
    if method is None or method.audit_action != action:
        return f"the entry's action {action!r} is not what the signed request asked"
    if (signed["authority"], operator, signed["key"]) not in members:
        return (f"{operator!r} was never on the roster with the key that signed the request "
                f"({signed['authority']})")
    return None
