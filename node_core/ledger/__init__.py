"""The ledger specification: what every authority computes identically.

Pure: no I/O, no clock, no logging, and no import of any other node_core package; the node
feeds it bytes and times and gets values or a named error back. ``docs/protocol.md`` is the
same rules in prose.

* ``types`` — scalar types and units (satang, Wh, ms UTC, addresses, hashes)
* ``encoding`` — the canonical binary encoding (``Writer``/``Reader``)
* ``fields`` — every text field and its limit in bytes
* ``hashing`` — domain-tagged SHA-256 and the RFC 6962 merkle tree
* ``keys`` — P-256 public keys, addresses, low-S signatures, the ``Signer`` protocol
* ``transactions`` — transaction kinds, their encoding, stateless checks
* ``grid_state`` — the grid snapshot a block attests
* ``blocks`` — headers, bodies, commit seals, finality quorum
* ``genesis`` — the chain's definition and parameters
* ``governance`` — proposals, votes, tally and execution
* ``roster`` — who holds which role for each authority; ``roster_rules`` — its changes
* ``endorsements`` — a roster member's signature inside an authority's transaction
* ``taken_endorsements`` — each endorsed order or roster change carried once
* ``emergency_rules`` — the two-person rule, and what emergency actions do to the state
* ``state`` — the state and its root
* ``transition`` — ``apply_block(state, block)`` and block building
* ``exceptions`` — every error of node_core under one root, one class per rule
"""
