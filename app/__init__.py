"""The Qt application around node_core: the console and the command line.

* ``shell`` — start-up, supervision, login, the main window, settings, language, theme
* ``links`` — one ``QObject`` per node or service the console talks to; they turn endpoint
  answers into typed Qt signals for the views
* ``cli`` — ``main.py`` sub-commands
* ``dev`` — developer tooling (the screenshot mode and its staged incident)
"""
