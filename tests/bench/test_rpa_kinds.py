"""bench.rpa_kinds prepares, for each job kind, sandbox orders in the state its bot expects."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench.rpa_kinds import KINDS, make_orders, payloads_for
from rpa.jobs import PAYLOADS
from rpa.sandbox import seed_sandbox
from tandem.config import Settings

pytestmark = pytest.mark.unit


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path)
    seed_sandbox(settings.resolved_sandbox_db_path)
    return settings


def statuses(settings: Settings, ids: list[str]) -> list[str]:
    with closing(sqlite3.connect(settings.resolved_sandbox_db_path)) as db:
        marks = ",".join("?" * len(ids))
        return [row[0] for row in db.execute(f"SELECT status FROM sales_orders WHERE id IN ({marks})", ids)]


def test_orders_are_made_pending_or_delivered(settings: Settings) -> None:
    pending = make_orders(settings, 3, delivered=False)
    delivered = make_orders(settings, 2, delivered=True)
    assert len(set(pending + delivered)) == 5
    assert statuses(settings, pending) == ["pending"] * 3
    assert statuses(settings, delivered) == ["delivered"] * 2


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_gets_valid_payloads(kind: str, settings: Settings, tmp_path: Path) -> None:
    upload = tmp_path / "kettle.jpg"
    upload.write_bytes(b"\xff\xd8\xff\xe0")
    payloads = payloads_for(kind, settings, upload)(3)
    assert len(payloads) == 3
    for payload in payloads:
        PAYLOADS[kind].model_validate(payload)
