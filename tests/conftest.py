"""The web tests' world (``tests/world.py``: a small province built through actions, isolated media and cache,
chromium's flags) is a plugin of the whole suite, so the tests of every app folder share one copy."""

pytest_plugins = ["tests.world"]
