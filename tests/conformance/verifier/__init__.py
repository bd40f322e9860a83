"""An independent GridTokenX chain verifier, written from ``docs/protocol.md`` alone.

It imports nothing of the node (the Python standard library and ``cryptography`` only) and
reads a node's store with ``sqlite3`` as §14 describes it. It re-derives every hash, merkle
root, signature, proposer, quorum and endorsement, checks the two-person rule, the roster rules
and each endorsement's single use against the roster and taken endorsements it replays, and, by
its own replay of the transition, every state root, then the derived tables. Each check names
the section of the document it comes from and the rule's error name, so a reader can hold the
two side by side. One module per part of the document:

* ``encoding`` — §1 primitives, §2 hashes, §3 keys, signatures and endorsements
* ``transactions`` — §4 the transactions' encodings
* ``state`` — §7 genesis, §8 the state, the roster, the taken endorsements and the state root
* ``transition`` — §10 a transaction's validity and effect
* ``governance`` — §11
* ``endorsed`` — §12 emergency actions (the two-person rule) and roster changes
* ``chain`` — §5 snapshots, §6 blocks, §9 a block's validity, §13 evidence, §14 the store

    python -m tests.conformance.verifier DATA_DIR/chain.sqlite3
"""

from tests.conformance.verifier.chain import Verified, verify
from tests.conformance.verifier.encoding import LIMITS, Invalid

__all__ = ["LIMITS", "Invalid", "Verified", "verify"]
