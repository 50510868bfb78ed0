"""The fixture of the conference documents' tests, loaded with `pytest_plugins = ["export_fixtures",
"booking_fixtures"]`: `cycle`, the fixed plan's store with the chair's discussion summary and a booked review."""

from __future__ import annotations

import pytest

from backends import StoreRef
from booking_support import CONF, DISCUSSION, add_booking
from cpctl.store.database import Store
from export_support import TODAY
from helpers import execute


@pytest.fixture
def cycle(fixed_plan: StoreRef) -> StoreRef:
    """The fixed plan with the chair's discussion summary and a booked review conference."""
    execute(fixed_plan, f"UPDATE conference SET discussion = '{DISCUSSION}' WHERE ref = '{CONF}'")
    store = Store(fixed_plan.url)
    add_booking(store, booked_on=TODAY)
    store.dispose()
    return fixed_plan
