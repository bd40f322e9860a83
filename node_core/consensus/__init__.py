"""Consensus among the authorities (QBFT family, immediate finality).

* ``engine`` — :class:`~node_core.consensus.engine.ConsensusEngine`, the sans-I/O protocol
  with its safety and liveness argument in the module docstring
* ``timing`` — its timers (round timeout, cap, retransmission, commit grace)
* ``messages`` — signed consensus messages and the node-to-node wire messages (status,
  catch-up, transaction gossip)
"""
