"""The ops console: runs, evidence for ops only, retry, cancel, review with an edited payload, dashboard."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.staff.models import AuditEntry
from rpa.models import Job, RunStep
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tests.api.console.conftest import PAGE_HTML, PNG, Staff, create_failed_run

pytestmark = pytest.mark.db


@pytest.fixture
def artifacts() -> Path:
    return get_settings().resolved_artifacts_dir


def job_row(job_id: str) -> Job:
    with transaction(get_engine()) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def audits(job_id: str) -> list[AuditEntry]:
    with transaction(get_engine()) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.subject_id == job_id)).all()
        for entry in entries:
            session.expunge(entry)
        return list(entries)


class TestRuns:
    def test_filters_and_search(self, ops: Staff, artifacts: Path) -> None:
        failed = create_failed_run(artifacts)
        review = create_failed_run(
            artifacts,
            kind="cancel_order",
            status="needs_review",
            payload={"order_id": "SO-10049"},
            error_class="review",
        )
        ids = lambda **params: [r["id"] for r in ops.get("/api/v1/staff/jobs", params=params).json()]  # noqa: E731
        assert set(ids()) == {failed, review}
        assert ids(status="needs_review") == [review]
        assert ids(kind="change_address") == [failed]
        assert ids(error_class="business") == [failed]
        assert ids(target="sandbox_erp", q="SO-10049") == [review]
        assert ids(q=failed) == [failed]
        assert ids(date_from="2000-01-01", date_to="2000-01-02") == []

    def test_run_detail_is_redacted(self, ops: Staff, artifacts: Path) -> None:
        job_id = create_failed_run(artifacts)
        run = ops.get(f"/api/v1/staff/jobs/{job_id}").json()
        assert run["payload"] == {"order_id": "SO-10012", "address": "[redacted]"}
        [attempt] = run["attempt_log"]
        assert [s["name"] for s in attempt["steps"]] == ["sign in", "open order"]
        assert attempt["steps"][1]["screenshot_url"].endswith("/screenshot")
        assert attempt["trace_snapshots"] is False
        page = ops.get(f"/console/ops/runs/{job_id}")
        assert page.status_code == 200
        assert "Moi Avenue" not in page.text
        assert "actions and call logs (DOM snapshots are recorded on retries" in page.text
        assert 'alt="Screenshot of step 2: open order"' in page.text

    def test_screenshot_and_trace_for_ops_only(self, ops: Staff, agent: Staff, artifacts: Path) -> None:
        job_id = create_failed_run(artifacts)
        run = ops.get(f"/api/v1/staff/jobs/{job_id}").json()
        shot_url = run["attempt_log"][0]["steps"][1]["screenshot_url"]
        trace_url = run["attempt_log"][0]["trace_url"]
        shot = ops.get(shot_url)
        assert shot.status_code == 200
        assert shot.headers["content-type"] == "image/png"
        assert shot.content == PNG
        trace = ops.get(trace_url)
        assert trace.status_code == 200
        assert trace.headers["content-type"] == "application/zip"
        assert "attachment" in trace.headers["content-disposition"]
        assert agent.get(shot_url).status_code == 403
        assert agent.get(trace_url).status_code == 403

    def test_the_page_a_step_failed_on_is_a_plain_text_download_for_ops_only(
        self, ops: Staff, agent: Staff, artifacts: Path
    ) -> None:
        job_id = create_failed_run(artifacts)
        steps = ops.get(f"/api/v1/staff/jobs/{job_id}").json()["attempt_log"][0]["steps"]
        assert steps[0]["page_source_url"] is None  # the step that worked
        page_url = steps[1]["page_source_url"]
        page = ops.get(page_url)
        assert page.status_code == 200
        assert page.text == PAGE_HTML
        assert page.headers["content-type"] == "text/plain; charset=utf-8"  # never rendered as HTML here
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["content-disposition"] == f'attachment; filename="page-step-{steps[1]["id"]}.txt"'
        assert agent.get(page_url).status_code == 403
        run_page = ops.get(f"/console/ops/runs/{job_id}")
        assert f'href="{page_url}"' in run_page.text

    def test_files_outside_the_artifacts_dir_are_not_served(
        self, ops: Staff, artifacts: Path, tmp_path: Path
    ) -> None:
        job_id = create_failed_run(artifacts)
        secret = tmp_path / "secret.png"
        secret.write_bytes(PNG)
        with transaction(get_engine()) as session:
            step = session.scalar(select(RunStep).where(RunStep.name == "open order"))
            assert step is not None
            step.screenshot_path = str(artifacts / job_id / ".." / ".." / ".." / "secret.png")
            step.page_source_path = str(secret)
            step_id = step.id
        assert ops.get(f"/api/v1/staff/steps/{step_id}/screenshot").status_code == 404
        assert ops.get(f"/api/v1/staff/steps/{step_id}/page").status_code == 404


class TestActions:
    def test_retry_a_failed_job_once(self, ops: Staff, artifacts: Path) -> None:
        job_id = create_failed_run(artifacts)
        assert ops.post(f"/api/v1/staff/jobs/{job_id}/retry").json()["status"] == "queued"
        assert ops.post(f"/api/v1/staff/jobs/{job_id}/retry").status_code == 409
        job = job_row(job_id)
        assert job.max_attempts == job.attempts + 1
        assert [e.action for e in audits(job_id)] == ["job.retry"]

    def test_cancel(self, ops: Staff, artifacts: Path) -> None:
        job_id = create_failed_run(artifacts, status="needs_review", error_class="review")
        assert ops.post(f"/api/v1/staff/jobs/{job_id}/cancel").json()["status"] == "cancelled"
        assert ops.post(f"/api/v1/staff/jobs/{job_id}/cancel").status_code == 409

    def test_approve_with_edited_payload_queues_once_and_is_audited(
        self, ops: Staff, artifacts: Path
    ) -> None:
        job_id = create_failed_run(artifacts, status="needs_review", error_class="review")
        edited = {"order_id": "SO-10012", "address": "Kenyatta Avenue 1, Nairobi, 00100, Kenya"}
        statuses: list[int] = []
        barrier = threading.Barrier(2)

        def approve() -> None:
            barrier.wait()
            response = ops.post(
                f"/api/v1/staff/jobs/{job_id}/review", json={"approve": True, "payload": edited}
            )
            statuses.append(response.status_code)

        threads = [threading.Thread(target=approve) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert sorted(statuses) == [200, 409]
        job = job_row(job_id)
        assert job.status == "queued"
        assert job.payload == edited
        [entry] = audits(job_id)
        assert entry.action == "job.approve"
        assert entry.staff_id == ops.id
        assert entry.detail["changed_fields"] == ["address"]
        assert entry.detail["after"] == {"address": "[redacted]"}

    def test_redacted_fields_keep_their_value(self, ops: Staff, artifacts: Path) -> None:
        job_id = create_failed_run(artifacts, status="needs_review", error_class="review")
        shown = ops.get(f"/api/v1/staff/jobs/{job_id}").json()["payload"]
        response = ops.post(f"/api/v1/staff/jobs/{job_id}/review", json={"approve": True, "payload": shown})
        assert response.status_code == 200
        assert job_row(job_id).payload["address"] == "Moi Avenue 12, Nairobi, 00100, Kenya"

    def test_invalid_edit_is_422_and_changes_nothing(self, ops: Staff, artifacts: Path) -> None:
        job_id = create_failed_run(artifacts, status="needs_review", error_class="review")
        response = ops.post(
            f"/api/v1/staff/jobs/{job_id}/review", json={"approve": True, "payload": {"order_id": "nope"}}
        )
        assert response.status_code == 422
        assert job_row(job_id).status == "needs_review"
        assert audits(job_id) == []

    def test_reject(self, ops: Staff, artifacts: Path) -> None:
        job_id = create_failed_run(artifacts, status="needs_review", error_class="review")
        assert (
            ops.post(f"/api/v1/staff/jobs/{job_id}/review", json={"approve": False}).json()["status"]
            == "failed"
        )
        assert [e.action for e in audits(job_id)] == ["job.reject"]


class TestDashboard:
    def test_figures(self, ops: Staff, artifacts: Path) -> None:
        create_failed_run(artifacts)
        create_failed_run(artifacts, status="needs_review", error_class="review")
        data = ops.get("/api/v1/staff/dashboard").json()
        assert len(data["hour_labels"]) == 24
        failed = next(s for s in data["jobs_per_hour"] if s["label"] == "failed")
        assert sum(failed["data"]) == 1
        assert data["success_rate"] == 0.0
        assert data["duration_kinds"] == ["change_address"]
        assert data["duration_p95"][0] >= data["duration_p50"][0] > 0
        assert data["jobs_by_status"] == {"failed": 1, "needs_review": 1}

    def test_pages_render(self, ops: Staff, artifacts: Path) -> None:
        create_failed_run(artifacts)
        for path in ("/console/ops", "/console/ops/dashboard", "/console/ops?status=failed&q=SO-10012"):
            assert ops.get(path).status_code == 200, path
        assert "chart.umd.min.js" in ops.get("/console/ops/dashboard").text
        assert ops.get("/console/static/vendor/chart.umd.min.js").status_code == 200


class TestMetrics:
    def test_prometheus_text(self, client: TestClient, artifacts: Path) -> None:
        create_failed_run(artifacts)
        text = client.get("/metrics").text
        assert 'tandem_jobs{kind="change_address",state="failed"} 1.0' in text
        assert "tandem_queue_depth 0.0" in text
        assert 'tandem_job_duration_seconds{kind="change_address",quantile="0.5"}' in text
        assert "tandem_turns" in text
