"""The GridTokenX authority node as a pure Python library (never imports Qt).

The packages, from the specification outwards (import-linter keeps the arrows, see
``pyproject.toml``):

* :mod:`node_core.ledger` — the chain as a specification: encoding, hashing, keys,
  transactions, blocks, genesis, state and the state transition. Pure: no I/O, no clock, no
  logging, and it imports nothing else of node_core.
* :mod:`node_core.consensus` — the sans-I/O QBFT engine and the messages authorities exchange.
* :mod:`node_core.p2p` — authenticated TCP links between authorities.
* :mod:`node_core.node` — the running node: store, mempool, configuration, the node itself,
  its child-process supervision and the whole-chain verifier.
* :mod:`node_core.api` — the client endpoint and its methods: the only way the CLI and the
  console talk to a node.
* :mod:`node_core.control_room` — alarms, the emergency desk, the audit trail, alarm history,
  the incident record.
* :mod:`node_core.signers` — the authority's key on a PKCS#11 token (SoftHSM2 on the devnet).
* :mod:`node_core.grid` — the Thai grid simulator and its feeds.
* :mod:`node_core.telemetry` — telemetry time series in Bigtable or SQLite.
* :mod:`node_core.cloud` — the shared Google Cloud estate (Monitoring, KMS, Pub/Sub, Spanner,
  the backend REST API).
* :mod:`node_core.devnet` — tooling for the local three-authority devnet and load generation;
  the node never imports it.
* :mod:`node_core.clock` — the one wall clock (UTC ms); :mod:`node_core.backoff` — the one
  retry rule.
"""
