"""Thin Qt widgets, one folder per dock; they receive plain data through signals and never
touch the node, a store or the network.

* ``node`` — node status; ``explorer`` — block explorer; ``charts`` — grid telemetry charts;
  ``alarms`` — alarm list and banner; ``emergency`` — emergency controls; ``governance`` —
  proposals and votes; ``trading`` — market overview; ``timeline`` — incident timeline
* ``common`` — formatting, table models and small widgets shared by the docks
"""
