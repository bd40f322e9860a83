"""The node's client endpoint: the only contract between a node and its clients (the CLI and
the console).

* ``methods`` — the one registry of endpoint methods and events, shared by the node, the CLI
  and the console; ``requests`` — their parameters (dataclasses); ``answers`` — their answers
  (``TypedDict`` s)
* ``wire`` — the JSON-lines framing, the node's cookie (the credential), the request limit;
  ``endpoint`` — the server (:class:`ClientEndpoint`: credential, bounds, the gate);
  ``client`` — the client (:class:`NodeClient`: typed, signed ``request``)
* ``signed_requests`` — what an operator signs; ``operator_auth`` — the node's gate that
  checks it against the roster (one named refusal per rule); ``endorsing`` — a member's
  endorsement of an emergency order or a roster change
* ``node_context`` — the narrow views of the node each service gets
* ``node_queries`` — status, blocks, accounts, transactions, the grid feed (the node's
  handlers); ``governance_queries`` — proposals and votes; ``roster_requests`` — the roster and
  its changes; ``trading_overview`` — the market of the last minute from the chain
"""
