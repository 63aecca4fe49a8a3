"""Alembic migrations go up, down and up again, and match the models, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from rpa.models import Job, JobAttempt, RunStep
from tandem import migrate
from tandem.db import build_engine, transaction
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

    def test_stepping_down_one_revision_keeps_the_run_evidence(self, kind: str, tmp_path: Path) -> None:
        """0007 and 0006 drop their columns in place: a rebuild of job_attempts would cascade to
        run_steps."""
        with fresh_database(kind, tmp_path) as url:
            migrate.upgrade(url)
            engine = build_engine(url)
            with transaction(engine) as session:
                job = Job(kind="place_order", payload={}, idempotency_key="k1", status="failed")
                session.add(job)
                session.flush()
                attempt = JobAttempt(
                    job_id=job.id, number=1, worker="w", outcome="failed", trace_snapshots=False
                )
                session.add(attempt)
                session.flush()
                session.add(RunStep(attempt_id=attempt.id, seq=1, name="open the order", outcome="failed"))
            migrate.downgrade(url, "0005_chat_write_path")
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT count(*) FROM run_steps")) == 1
                assert conn.scalar(text("SELECT count(*) FROM job_attempts")) == 1
            assert "trace_snapshots" not in {c["name"] for c in inspect(engine).get_columns("job_attempts")}
            assert "page_source_path" not in {c["name"] for c in inspect(engine).get_columns("run_steps")}
            migrate.upgrade(url)
            engine.dispose()

    def test_models_match_migrations(self, kind: str, tmp_path: Path) -> None:
        with fresh_database(kind, tmp_path) as url:
            migrate.upgrade(url)
            engine = build_engine(url)
            with engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            engine.dispose()
            assert diff == []
