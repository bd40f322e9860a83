"""The emergency controls dock: select-before-operate with two-person approval."""
