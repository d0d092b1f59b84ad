"""Fixtures for the central tests. Django is configured here (not in pyproject), so the
kiosk tests never need central's settings:

- ``DJANGO_SETTINGS_MODULE=central.settings`` unless already set;
- no ``DATABASE_URL``: SQLite (in memory for tests); with
  ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/counterpoint`` pytest-django creates
  and drops ``test_counterpoint``.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "central.settings")

import django  # noqa: E402

from central.translations import compile_if_stale  # noqa: E402

compile_if_stale()  # the Thai admin needs central/locale's .mo files (built at install)

django.setup()

import pytest  # noqa: E402
from django.test import Client  # noqa: E402

from tests.central.helpers import (  # noqa: E402
    EnrolledKiosk,
    World,
    build_world,
    enrol_kiosk,
)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def kiosk(world) -> EnrolledKiosk:
    """A kiosk enrolled at ``world.counter`` (Bangkok office, counter 1)."""
    return enrol_kiosk(world.counter)


@pytest.fixture
def api() -> Client:
    return Client(raise_request_exception=False)
