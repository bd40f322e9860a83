"""The control room side of a node: what operators see and do.

* ``room`` — :class:`~node_core.control_room.room.ControlRoom`: alarms, the desk and the
  audit trail behind the endpoint's operator methods
* ``operator_requests`` — the endpoint methods operators call (alarms, sessions, desk)
* ``alarms`` — ISA-18.2 alarm management (pure)
* ``desk`` — the emergency control desk: select-before-operate, two-person approval, roles
* ``audit`` — the hash-chained operator audit trail
* ``alarm_history`` — stored alarm events
* ``incident`` — one time window of telemetry, alarms, operator actions and chain events
"""
