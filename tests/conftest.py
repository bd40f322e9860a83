"""Shared fixtures live in tests/helpers/; this file only registers them."""

pytest_plugins = ["tests.helpers.softhsm", "tests.helpers.devnet"]
