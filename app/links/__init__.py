"""Links from the console to what it talks to; each owns its connection and emits typed
signals (views never reach the network or a store).

* ``node_link`` — the own node's status and blocks
* ``operator_session`` — who is logged in: a person's token held open by their operator
  agent, identified by the node's roster; the key every change is signed with
* ``control_link`` — alarms, emergency desk and operator sessions
* ``governance_link`` — proposals and votes
* ``telemetry_link`` — live grid telemetry from the simulator and the telemetry store
* ``timeline_link`` — an incident window for the timeline
* ``backend_link`` — the backend REST API (trading overview)
"""
