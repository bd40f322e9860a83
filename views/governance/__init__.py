"""The governance dock: proposals, tally, detail, the new-proposal dialog."""
