"""The node's client endpoint: the only contract between a node and its clients (the CLI and
the console).

* ``methods`` — the one registry of endpoint methods and events, shared by the node, the CLI
  and the console; ``requests`` — their parameters (dataclasses); ``answers`` — their answers
  (``TypedDict`` s)
* ``endpoint`` — JSON lines on loopback: the server (:class:`ClientEndpoint`) and the client
  (:class:`NodeClient`, typed ``request``)
* ``node_queries`` — status, blocks, accounts, transactions (the node's handlers)
* ``governance_queries`` — proposals and governance transactions
* ``trading_overview`` — the market of the last minute from the chain's settlements
"""
