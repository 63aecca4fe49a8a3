"""Alembic migrations go up, down and up again, and match the models, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from tandem import migrate
from tandem.db import build_engine
from tandem.models import Base
from tests.conftest import DATABASE_KINDS
from tests.support.database import fresh_database

pytestmark = pytest.mark.db


@pytest.mark.parametrize("kind", DATABASE_KINDS)
class TestMigrations:
    def test_upgrade_downgrade_upgrade(self, kind: str, tmp_path: Path) -> None:
        with fresh_database(kind, tmp_path) as url:
            engine = build_engine(url)
            migrate.upgrade(url)
            assert {"jobs", "conversations", "staff_users"} <= set(inspect(engine).get_table_names())
            migrate.downgrade(url, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            migrate.upgrade(url)
            assert migrate.current_revision(engine) == migrate.head_revision()
            engine.dispose()

    def test_models_match_migrations(self, kind: str, tmp_path: Path) -> None:
        with fresh_database(kind, tmp_path) as url:
            migrate.upgrade(url)
            engine = build_engine(url)
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            engine.dispose()
            assert diff == []
