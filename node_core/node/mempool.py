"""The mempool: validated transactions waiting for a block.

Admission checks what can be checked without knowing the other pending transactions:
chain id, fields, signature (once — the pool holds transactions by leaf, so block validation
skips the signatures of the copies held here), a nonce inside ``[account nonce, account
nonce + nonce_window)``, and that the sender can pay for this transaction on its own; a
transaction runnable now (nonce = the account's) is validated in full against the state. A
transaction a block builder finds invalid is dropped. Duplicates (a transaction already held,
whatever its signature) are ignored. The pool is bounded; when full it refuses with
:class:`MempoolFull`. Blocks take transactions per sender in nonce order, senders
interleaved in arrival order.

:meth:`Mempool.check` is admission without the signature, for a node that verifies
signatures elsewhere (a process pool) and then adds what verified (``add(verified=True)``:
only the rules a newer state can change are checked again).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from node_core.ledger.exceptions import (
    InsufficientBalance,
    MempoolFull,
    NonceMismatch,
    NonceOutOfWindow,
    WrongChain,
)
from node_core.ledger.state import State
from node_core.ledger.transactions import Transaction, check_signature, check_well_formed
from node_core.ledger.transition import validate_transaction
from node_core.ledger.types import Address


class Mempool:
    """Pending transactions by sender and nonce (see the module docstring)."""

    def __init__(self, max_size: int = 50_000, nonce_window: int = 256) -> None:
        self.max_size = max_size
        self.nonce_window = nonce_window
        self._by_sender: OrderedDict[Address, dict[int, Transaction]] = OrderedDict()
        self._digests: set[bytes] = set()
        self.verified: dict[bytes, Transaction] = {}
        """The held transactions by leaf; each one's signature was checked here (pass as
        ``verified`` to apply_block; compact proposals are completed from it)."""

    def __len__(self) -> int:
        return len(self._digests)

    def __contains__(self, tx: Transaction) -> bool:
        return tx.digest in self._digests

    def check(self, tx: Transaction, state: State, *, reserved: int = 0) -> bool:
        """Every admission rule but the signature; False if ``tx`` is already held.
        ``reserved``: places promised to transactions still being verified. Raises
        InvalidTransaction or MempoolRejection naming the rule."""
        if tx.chain_id != state.chain_id:
            raise WrongChain(f"tx {tx.hash[:16]}: signed for chain {tx.chain_id!r}")
        check_well_formed(tx)
        return self._fits(tx, state, reserved)

    def _fits(self, tx: Transaction, state: State, reserved: int) -> bool:
        """The rules that depend on the state and the pool; False if already held."""
        if tx.digest in self._digests:
            return False
        self._check_nonce(tx, state)
        self._check_cost(tx, state)
        if len(self._digests) + reserved >= self.max_size:
            raise MempoolFull(f"mempool full ({self.max_size} transactions): retry later")
        return True

    def add(self, tx: Transaction, state: State, *, verified: bool = False) -> bool:
        """Admit ``tx``; False if already held. ``verified``: the caller checked it
        (:meth:`check`, on an earlier state) and verified its signature, so only what a newer
        state may change is checked again. Raises InvalidTransaction or MempoolRejection
        naming the rule."""
        if not (self._fits(tx, state, 0) if verified else self.check(tx, state)):
            return False
        if not verified:
            check_signature(tx)
        if tx.nonce == state.account(tx.sender).nonce:
            validate_transaction(state, tx, verified=(tx.leaf,))
        pending = self._by_sender.setdefault(tx.sender, {})
        if tx.nonce in pending:
            return False
        pending[tx.nonce] = tx
        self._digests.add(tx.digest)
        self.verified[tx.leaf] = tx
        return True

    def _check_nonce(self, tx: Transaction, state: State) -> None:
        expected = state.account(tx.sender).nonce
        if tx.nonce < expected:
            raise NonceMismatch(f"tx {tx.hash[:16]}: nonce {tx.nonce} already used "
                                f"(account at {expected})")
        if tx.nonce >= expected + self.nonce_window:
            raise NonceOutOfWindow(f"tx {tx.hash[:16]}: nonce {tx.nonce} is more than "
                                   f"{self.nonce_window} ahead of the account ({expected})")

    @staticmethod
    def _check_cost(tx: Transaction, state: State) -> None:
        balance = state.account(tx.sender).balance
        if balance < tx.cost:
            raise InsufficientBalance(f"tx {tx.hash[:16]}: balance {balance} satang < {tx.cost}")

    def next_nonce(self, sender: Address, state: State) -> int:
        """The nonce a new transaction of ``sender`` should carry, counting pending ones."""
        nonce = state.account(sender).nonce
        pending = self._by_sender.get(sender, {})
        while nonce in pending:
            nonce += 1
        return nonce

    def select(self, state: State, limit: int) -> list[Transaction]:
        """Up to ``limit`` transactions runnable on ``state``: per sender, consecutive nonces
        from the account's; senders interleaved."""
        queues = []
        for sender, pending in self._by_sender.items():
            nonce, run = state.account(sender).nonce, []
            while nonce in pending:
                run.append(pending[nonce])
                nonce += 1
            if run:
                queues.append(run)
        chosen: list[Transaction] = []
        depth = 0
        while len(chosen) < limit and queues:
            queues = [q for q in queues if depth < len(q)]
            chosen += [q[depth] for q in queues][: limit - len(chosen)]
            depth += 1
        return chosen

    def remove_final(self, transactions: Iterable[Transaction], state: State,
                     ) -> list[Transaction]:
        """Drop what a final block included and whatever its nonces made stale; return the
        stale ones (held, never to be final)."""
        final = {tx.digest for tx in transactions}
        stale: list[Transaction] = []
        for sender in {tx.sender for tx in transactions}:
            pending = self._by_sender.get(sender)
            if pending is None:
                continue
            floor = state.account(sender).nonce
            for nonce in [n for n in pending if n < floor]:
                tx = pending.pop(nonce)
                self._discard(tx)
                if tx.digest not in final:
                    stale.append(tx)
            if not pending:
                del self._by_sender[sender]
        return stale

    def drop(self, tx: Transaction) -> None:
        """Remove a transaction a block builder found invalid (it would block its sender)."""
        pending = self._by_sender.get(tx.sender, {})
        held = pending.get(tx.nonce)
        if held is not None and held.digest == tx.digest:
            self._discard(pending.pop(tx.nonce))
        if not pending:
            self._by_sender.pop(tx.sender, None)

    def _discard(self, tx: Transaction) -> None:
        self._digests.discard(tx.digest)
        self.verified.pop(tx.leaf, None)
