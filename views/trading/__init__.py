"""The trading dock: the market overview."""
