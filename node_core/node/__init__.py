"""The running authority node: one asyncio loop around the ledger and the consensus engine.

* ``authority_node`` — :class:`~node_core.node.authority_node.AuthorityNode`
* ``mempool`` — transactions admitted and waiting for a block
* ``store`` — the SQLite block store (blocks, accounts, state parts, index, evidence)
* ``chain_verify`` — re-check a stored chain from genesis (``main.py chain verify``)
* ``config`` — the node's TOML configuration and opening its signer
* ``process`` — nodes and other ``main.py`` commands as supervised child processes
"""
