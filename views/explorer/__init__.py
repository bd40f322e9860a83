"""The block explorer dock: block table, search, block detail."""
