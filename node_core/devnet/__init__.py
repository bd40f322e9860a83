"""Tooling for the local devnet: never imported by the node itself.

* ``layout`` — the devnet's directory, token, keys, genesis and node configurations
* ``run`` — the three node processes (and the headless ``main.py devnet`` command)
* ``loadgen`` — a load generator of signed prosumer trades
"""
