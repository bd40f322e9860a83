"""The alarm list dock and the always-visible alarm banner."""
