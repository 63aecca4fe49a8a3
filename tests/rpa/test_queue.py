"""The database job queue: idempotent enqueue, leases, retries, review, cancellation."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from rpa import queue
from rpa.errors import BusinessError, TransientError
from rpa.models import Job, JobAttempt
from rpa.worker import Worker
from tandem.clock import utcnow
from tandem.db import transaction
from tandem.errors import Conflict

pytestmark = pytest.mark.db


def create_job(session: Session, key: str = "k-1", **overrides: object) -> Job:
    fields: dict[str, object] = {"kind": "cancel_order", "payload": {"order_id": "SO-10001"}}
    fields.update(overrides)
    return queue.enqueue(session, idempotency_key=key, **fields)  # type: ignore[arg-type]


class TestEnqueue:
    def test_same_key_returns_the_same_job(self, db: Session) -> None:
        first = create_job(db)
        second = create_job(db, payload={"order_id": "SO-99999"})
        assert first.id == second.id
        assert db.scalar(select(func.count()).select_from(Job)) == 1

    def test_new_job_is_queued_now(self, db: Session) -> None:
        job = create_job(db)
        assert job.status == queue.QUEUED
        assert job.not_before <= utcnow()


class TestClaim:
    def test_highest_priority_first(self, db: Session) -> None:
        create_job(db, "low", priority=0)
        high = create_job(db, "high", priority=5)
        claimed = queue.claim(db, worker_id="w1")
        assert claimed is not None
        assert claimed.id == high.id
        assert claimed.status == queue.RUNNING
        assert claimed.attempts == 1

    def test_not_before_is_respected(self, db: Session) -> None:
        create_job(db, not_before=utcnow() + timedelta(hours=1))
        assert queue.claim(db, worker_id="w1") is None

    def test_a_held_job_is_not_claimed_twice(self, db: Session) -> None:
        create_job(db)
        assert queue.claim(db, worker_id="w1") is not None
        assert queue.claim(db, worker_id="w2") is None

    def test_expired_lease_is_taken_over(self, db: Session) -> None:
        create_job(db)
        job = queue.claim(db, worker_id="dead", lease_seconds=-1)
        assert job is not None
        again = queue.claim(db, worker_id="alive")
        assert again is not None
        assert again.lease_owner == "alive"
        assert again.attempts == 2
        assert queue.complete(db, job.id, "dead", {}) is None
        assert not queue.heartbeat(db, job.id, "dead")

    def test_only_requested_kinds(self, db: Session) -> None:
        create_job(db, kind="file_document")
        assert queue.claim(db, worker_id="w", kinds=frozenset({"cancel_order"})) is None


ERP_2 = {"sandbox_erp": 2}


class TestTargetLimits:
    def test_a_target_at_its_limit_waits_and_another_target_goes_first(self, db: Session) -> None:
        erp = [create_job(db, f"erp-{n}", priority=5) for n in range(3)]
        dms = create_job(db, "dms", kind="file_document", target="sandbox_dms")
        claimed = [queue.claim(db, worker_id=f"w{n}", target_limits=ERP_2) for n in range(4)]
        assert [job.id if job else None for job in claimed] == [erp[0].id, erp[1].id, dms.id, None]
        assert queue.complete(db, erp[0].id, "w0", {}) is not None
        third = queue.claim(db, worker_id="w4", target_limits=ERP_2)
        assert third is not None
        assert third.id == erp[2].id

    def test_a_job_whose_lease_ran_out_frees_its_slot(self, db: Session) -> None:
        held = create_job(db, "held")
        create_job(db, "waiting")
        one = {"sandbox_erp": 1}
        assert queue.claim(db, worker_id="w1", target_limits=one) is not None
        assert queue.claim(db, worker_id="w2", target_limits=one) is None
        db.execute(
            update(Job).where(Job.id == held.id).values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
        taken = queue.claim(db, worker_id="w2", target_limits=one)
        assert taken is not None  # the dead worker's job, taken over
        assert (taken.id, taken.attempts) == (held.id, 2)

    def test_a_named_claim_and_the_relay_respect_the_limit(self, db: Session) -> None:
        first, second = create_job(db, "first"), create_job(db, "second")
        one = {"sandbox_erp": 1}
        assert queue.claim_job(db, first.id, worker_id="w1", target_limits=one) is not None
        assert queue.claim_job(db, second.id, worker_id="w2", target_limits=one) is None
        assert queue.due_jobs(db, target_limits=one) == []
        assert [job_id for job_id, _ in queue.due_jobs(db)] == [second.id]  # no limit: due

    def test_an_abandoned_cancelled_job_is_settled_while_its_target_is_full(self, db: Session) -> None:
        abandoned, busy = create_job(db, "abandoned"), create_job(db, "busy")
        assert queue.claim(db, worker_id="w1") is not None  # abandoned: its worker will die
        assert queue.claim(db, worker_id="w2") is not None  # busy: keeps the only slot
        queue.cancel(db, abandoned.id)
        expired = utcnow() - timedelta(seconds=1)
        db.execute(update(Job).where(Job.id == abandoned.id).values(lease_expires_at=expired))
        assert queue.claim(db, worker_id="w3", target_limits={"sandbox_erp": 1}) is None
        db.expire_all()
        settled = db.get(Job, abandoned.id)
        assert settled is not None
        assert settled.status == queue.CANCELLED
        assert db.get(Job, busy.id).status == queue.RUNNING  # type: ignore[union-attr]

    def test_the_relay_sends_no_more_than_the_free_slots(self, db: Session) -> None:
        jobs = [create_job(db, f"due-{n}") for n in range(4)]
        assert queue.claim(db, worker_id="w1") is not None  # one of the two slots taken
        due = queue.due_jobs(db, target_limits=ERP_2)
        assert [job_id for job_id, _ in due] == [jobs[1].id]
        assert len(queue.due_jobs(db)) == 3

    def test_racing_workers_never_take_more_than_the_limit(self, committing_engine: Engine) -> None:
        """Six workers race for the two slots, five times over (each round's jobs then finish)."""
        for round_ in range(5):
            with transaction(committing_engine) as session:
                for n in range(6):
                    create_job(session, f"race-{round_}-{n}")
            taken: list[str] = []
            start = threading.Barrier(6)

            def worker(n: int, start: threading.Barrier, taken: list[str]) -> None:
                start.wait()
                for _ in range(2):
                    with transaction(committing_engine) as session:
                        job = queue.claim(session, worker_id=f"w{n}", target_limits=ERP_2)
                        if job is not None:
                            taken.append(job.id)

            threads = [threading.Thread(target=worker, args=(n, start, taken)) for n in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert len(taken) == 2, f"round {round_}: {len(taken)} jobs running at once"
            with transaction(committing_engine) as session:
                for job_id in taken:
                    job = session.get(Job, job_id)
                    assert job is not None
                    queue.complete(session, job_id, str(job.lease_owner), {})


class TestWorkerLoop:
    def test_a_failing_poll_is_logged_and_the_thread_polls_again(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        worker = Worker(handlers={}, engine=None, poll_seconds=0.01)  # type: ignore[arg-type]
        polls = []

        def run_once() -> None:
            polls.append(1)
            if len(polls) == 1:
                raise OperationalError("SELECT 1", None, Exception("the database is restarting"))
            worker.stop_event.set()

        monkeypatch.setattr(worker, "run_once", run_once)
        worker.run_forever()  # returns: the first poll's error did not end the thread
        assert len(polls) == 2


class TestSettle:
    def test_business_error_is_final(self, db: Session) -> None:
        job = create_job(db)
        queue.claim(db, worker_id="w")
        settled = queue.fail(db, job.id, "w", error_class="business", message="already shipped")
        assert settled is not None
        assert settled.status == queue.FAILED

    def test_system_error_retries_later(self, db: Session) -> None:
        job = create_job(db)
        queue.claim(db, worker_id="w")
        settled = queue.fail(db, job.id, "w", error_class="system", message="timeout")
        assert settled is not None
        assert settled.status == queue.QUEUED
        assert settled.not_before > utcnow()

    def test_exhausted_retries_need_review_then_approval_resumes(self, db: Session) -> None:
        job = create_job(db, max_attempts=1)
        queue.claim(db, worker_id="w")
        queue.fail(db, job.id, "w", error_class="system", message="500")
        assert job.status == queue.NEEDS_REVIEW
        queue.resolve_review(db, job.id, approve=True, payload={"order_id": "SO-10002"})
        assert job.status == queue.QUEUED
        assert job.payload == {"order_id": "SO-10002"}
        with pytest.raises(Conflict):
            queue.resolve_review(db, job.id, approve=True)

    def test_reject_fails_the_job(self, db: Session) -> None:
        job = create_job(db, max_attempts=1)
        queue.claim(db, worker_id="w")
        queue.fail(db, job.id, "w", error_class="review", message="unsure")
        queue.resolve_review(db, job.id, approve=False)
        assert job.status == queue.FAILED

    def test_cancel_queued_and_refuse_finished(self, db: Session) -> None:
        job = create_job(db)
        queue.cancel(db, job.id)
        assert job.status == queue.CANCELLED
        with pytest.raises(Conflict):
            queue.cancel(db, job.id)


class TestCancelWhileRunning:
    def test_a_running_job_is_flagged_then_settles_as_cancelled(self, db: Session) -> None:
        job = create_job(db)
        queue.claim(db, worker_id="w")
        queue.cancel(db, job.id)
        assert (job.status, job.cancel_requested) == (queue.RUNNING, True)
        settled = queue.fail(db, job.id, "w", error_class="cancelled", message="stopped before a step")
        assert settled is not None
        assert settled.status == queue.CANCELLED
        assert settled.finished_at is not None
        assert queue.claim(db, worker_id="w") is None

    def test_a_system_error_after_the_request_is_not_retried(self, db: Session) -> None:
        job = create_job(db)
        queue.claim(db, worker_id="w")
        queue.cancel(db, job.id)
        settled = queue.fail(db, job.id, "w", error_class="system", message="ERP answered 500")
        assert settled is not None
        assert settled.status == queue.CANCELLED

    def test_a_job_whose_worker_died_after_the_request_is_settled_not_run_again(self, db: Session) -> None:
        job = create_job(db)
        queue.claim(db, worker_id="dead", lease_seconds=-1)
        queue.cancel(db, job.id)
        assert queue.claim(db, worker_id="alive") is None
        db.refresh(job)
        assert (job.status, job.error_class, job.attempts) == (queue.CANCELLED, "cancelled", 1)


class TestRetryPolicy:
    @pytest.mark.unit
    def test_backoff_grows_and_is_capped(self) -> None:
        policy = queue.RetryPolicy(base_seconds=1, cap_seconds=10)
        assert policy.delay(1) <= timedelta(seconds=1)
        assert timedelta(seconds=4) <= policy.delay(4) <= timedelta(seconds=8)
        assert policy.delay(30) <= timedelta(seconds=10)


class TestWorker:
    def test_runs_handlers_and_records_attempts(self, committing_engine: Engine) -> None:
        calls: list[str] = []

        def flaky(job: Job, attempt: JobAttempt) -> dict[str, object]:
            calls.append(job.id)
            if attempt.number == 1:
                raise TransientError("ERP answered 500")
            return {"done": True}

        def refuse(job: Job, attempt: JobAttempt) -> dict[str, object]:
            raise BusinessError("order already shipped")

        with transaction(committing_engine) as session:
            flaky_id = create_job(session, "a", kind="flaky").id
            refused_id = create_job(session, "b", kind="refuse").id
        worker = Worker(
            handlers={"flaky": flaky, "refuse": refuse},
            engine=committing_engine,
            retry=queue.RetryPolicy(base_seconds=0, cap_seconds=0),
        )
        while worker.run_once() is not None:
            pass
        with transaction(committing_engine) as session:
            flaky_job = session.get(Job, flaky_id)
            refused = session.get(Job, refused_id)
            assert flaky_job is not None
            assert refused is not None
            assert (flaky_job.status, flaky_job.attempts, flaky_job.result) == (
                "succeeded",
                2,
                {"done": True},
            )
            assert (refused.status, refused.error_class, refused.attempts) == ("failed", "business", 1)
            outcomes = session.scalars(
                select(JobAttempt.outcome).where(JobAttempt.job_id == flaky_id).order_by(JobAttempt.number)
            ).all()
            assert outcomes == ["failed", "succeeded"]

    def test_concurrent_workers_run_each_job_once(self, committing_engine: Engine) -> None:
        runs: list[str] = []
        lock = threading.Lock()

        def record(job: Job, attempt: JobAttempt) -> dict[str, object]:
            with lock:
                runs.append(job.id)
            return {}

        with transaction(committing_engine) as session:
            for index in range(30):
                create_job(session, f"job-{index}", kind="record")
        workers = [Worker(handlers={"record": record}, engine=committing_engine) for _ in range(3)]

        def drain(worker: Worker) -> None:
            while worker.run_once() is not None:
                pass

        threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(runs) == 30
        assert len(set(runs)) == 30
