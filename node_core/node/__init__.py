"""The running authority node: one asyncio loop around the ledger and the consensus engine.

* ``authority_node`` — :class:`~node_core.node.authority_node.AuthorityNode`
* ``mempool`` — transactions admitted and waiting for a block
* ``admission`` — a submission's or gossip's way into the mempool (decode, check, verify, add)
* ``signature_pool`` — transaction signatures verified in worker processes, off the loop
* ``block_bodies`` — compact blocks of peers' proposals completed from the mempool and peers
* ``stages`` — where the node's time goes, by stage (``pipeline``, ``tests.perf consensus``)
* ``rejections`` — what the node dropped, by rule (counted, warned once a minute)
* ``metrics`` — what the node counts about itself
* ``supervision`` — child processes restarted when they die (console and devnet)
* ``store`` — the SQLite block store (blocks, accounts, state parts, index, evidence)
* ``chain_verify`` — re-check a stored chain from genesis (``main.py chain verify``)
* ``config`` — the node's TOML configuration and opening its signer
* ``process`` — nodes and other ``main.py`` commands as supervised child processes
"""
