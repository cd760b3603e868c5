"""The web tests' stores (hostile hand-built store, demo corpus) are shared with these tests."""

from web.conftest import demo_store, hostile_store  # noqa: F401  (fixtures)
