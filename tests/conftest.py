"""Shared fixtures and hooks for every test layer."""

from __future__ import annotations

import pytest


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args[:1] == (True,))):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests that flush the database (live server, threads) after all the others.

    A flush also removes the rows data migrations made (the seeded insurer packages), so a
    test that relies on them must not run after one. pytest-django orders them last too, but
    another plugin's reordering (pytest-playwright parametrises by browser) can undo that.
    """
    items.sort(key=_is_transactional)
