"""The console's shell: start-up order, child supervision, the people's logins on their own
tokens (``login``) and the supervisor's approval (``approval``), the main window with its
docks, settings, translations and theme."""
