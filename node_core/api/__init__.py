"""The node's client endpoint: the only contract between a node and its clients (the CLI and
the console).

* ``endpoint`` — JSON lines on loopback: the server (:class:`ClientEndpoint`) and the client
  (:class:`NodeClient`)
* ``node_queries`` — status, blocks, accounts, transactions
* ``governance_queries`` — proposals and governance transactions
* ``trading_overview`` — the market of the last minute from the chain's settlements
"""
