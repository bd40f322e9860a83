"""Developer tooling: ``--screenshot`` with a staged incident (``make screenshots``)."""
