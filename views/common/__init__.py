"""Shared by the docks: formatting (numbers, times in the display zone), the column table
model, the hash label, abnormal-state colours, what a refused request means and the roles'
names (``refusals``)."""
