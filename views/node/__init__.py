"""The node status dock."""
