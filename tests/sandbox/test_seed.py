"""Seeding the sandbox from the demo data."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from rpa.sandbox import seed_sandbox
from rpa.sandbox.database import make_engine, make_session_factory
from rpa.sandbox.models import Product, SalesOrder

pytestmark = [pytest.mark.db]

TODAY = date(2026, 5, 20)


def _order(db_path: Path, order_id: str) -> SalesOrder:
    engine = make_engine(db_path)
    try:
        with make_session_factory(engine)() as session:
            order = session.get(SalesOrder, order_id)
            assert order is not None
            return order
    finally:
        engine.dispose()


class TestSeedSandbox:
    def test_counts(self, tmp_path: Path) -> None:
        summary = seed_sandbox(tmp_path / "sandbox.db", today=TODAY)
        assert summary.seeded
        assert (summary.products, summary.customers, summary.orders) == (40, 16, 60)

    def test_relative_days_become_dates(self, tmp_path: Path) -> None:
        seed_sandbox(tmp_path / "sandbox.db", today=TODAY)
        first = _order(tmp_path / "sandbox.db", "SO-10001")
        assert first.placed_on == TODAY - timedelta(days=98)
        assert first.delivered_on == TODAY - timedelta(days=95)
        assert first.total_cents == 16100
        assert _order(tmp_path / "sandbox.db", "SO-10060").delivered_on is None

    def test_second_seed_does_nothing(self, tmp_path: Path) -> None:
        seed_sandbox(tmp_path / "sandbox.db", today=TODAY)
        again = seed_sandbox(tmp_path / "sandbox.db", today=TODAY + timedelta(days=3))
        assert not again.seeded
        assert again.orders == 60
        assert _order(tmp_path / "sandbox.db", "SO-10001").placed_on == TODAY - timedelta(days=98)

    def test_reset_reseeds(self, tmp_path: Path) -> None:
        seed_sandbox(tmp_path / "sandbox.db", today=TODAY)
        later = TODAY + timedelta(days=10)
        summary = seed_sandbox(tmp_path / "sandbox.db", today=later, reset=True)
        assert summary.seeded
        assert summary.orders == 60
        assert _order(tmp_path / "sandbox.db", "SO-10001").placed_on == later - timedelta(days=98)

    def test_prices_in_cents(self, tmp_path: Path) -> None:
        seed_sandbox(tmp_path / "sandbox.db", today=TODAY)
        engine = make_engine(tmp_path / "sandbox.db")
        try:
            with make_session_factory(engine)() as session:
                speaker = session.scalar(select(Product).where(Product.sku == "BH-1001"))
                assert speaker is not None
                assert speaker.price_cents == 3990
        finally:
            engine.dispose()
