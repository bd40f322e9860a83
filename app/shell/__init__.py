"""The console's shell: start-up order, child supervision, the operator's login, the main
window with its docks, settings, translations and theme."""
