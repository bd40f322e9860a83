"""The incident timeline dock: chart, event table, replay and PDF report."""
