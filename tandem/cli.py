"""The ``tandem`` command: run the demo, the servers, migrations and seed data."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Annotated, Any

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from knowledge.cli import ingest_command
from tandem.cli_conversation import chat, eval_app
from tandem.cli_runs import runs_app
from tandem.config import Settings, get_settings
from tandem.errors import TandemError
from tandem.logging import configure_logging

console = Console()
err_console = Console(stderr=True, soft_wrap=True)

app = typer.Typer(
    name="tandem",
    help=(
        "Tandem: a multilingual chat front office whose requests are carried out by "
        "browser bots in the back office.\n\n"
        "Start with `tandem up` to run the whole demo on 127.0.0.1."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts for the agent and ops consoles.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.command("ingest")(ingest_command)
app.command("chat")(chat)
app.add_typer(eval_app, name="eval")
app.add_typer(runs_app, name="runs")
app.add_typer(staff_app, name="staff")


def _setup() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


@app.command()
def up(
    sandbox: Annotated[bool, typer.Option(help="Also start the sandbox back office.")] = True,
    seed: Annotated[bool, typer.Option(help="Seed the demo business if it is missing.")] = True,
    ingest: Annotated[
        bool, typer.Option(help="Ingest the bundled help centre (unchanged files are skipped).")
    ] = True,
) -> None:
    """Run everything for the demo: migrate, seed, then API, worker and sandbox ERP."""
    settings = _setup()
    from tandem import migrate

    migrate.upgrade()
    if seed:
        _seed(settings, reset=False, quiet=True)
    if ingest:
        _ingest_help_centre(settings)
    sandbox_process = _start_sandbox(settings) if sandbox else None
    try:
        _print_welcome(settings)
        _serve_api(settings, run_worker=True)
    finally:
        if sandbox_process is not None:
            sandbox_process.terminate()
            sandbox_process.wait(timeout=10)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default TANDEM_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default TANDEM_PORT).")] = None,
) -> None:
    """Run the API server only (chat API, widget, consoles, health)."""
    settings = _setup()
    if host:
        settings.host = host
    if port:
        settings.port = port
    _serve_api(settings)


@app.command()
def sandbox() -> None:
    """Run the sandbox back office (ERP and DMS screens) that the bots drive."""
    settings = _setup()
    from rpa.sandbox import serve as serve_sandbox

    serve_sandbox(settings)


@app.command()
def worker(
    celery: Annotated[
        bool, typer.Option(help="Consume jobs from the Celery broker instead of polling the DB.")
    ] = False,
) -> None:
    """Run a job worker: takes queued jobs and carries them out with browser bots."""
    settings = _setup()
    from tandem import runtime

    if celery:
        runtime.run_celery_worker(settings)
    else:
        runtime.run_worker_process(settings)


@app.command("seed")
def seed_command(
    reset: Annotated[bool, typer.Option(help="Rebuild the sandbox back office from scratch.")] = False,
) -> None:
    """Load the demo business (customers, staff, back-office orders); safe to repeat."""
    settings = _setup()
    from tandem import migrate

    migrate.upgrade()
    _seed(settings, reset=reset, quiet=False)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    _setup()
    from tandem import migrate

    migrate.upgrade(revision=revision)
    console.print(f"database at revision {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "base") -> None:
    """Revert migrations down to REVISION (default: an empty database)."""
    _setup()
    from tandem import migrate

    migrate.downgrade(revision=revision)
    console.print(f"database at revision {revision}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the latest one."""
    _setup()
    from tandem import migrate
    from tandem.db import get_engine

    console.print(f"current: {migrate.current_revision(get_engine())}  head: {migrate.head_revision()}")


@staff_app.command("create")
def staff_create(
    email: Annotated[str, typer.Option(prompt=True, help="Sign-in e-mail.")],
    name: Annotated[str, typer.Option(prompt=True, help="Display name.")],
    role: Annotated[str, typer.Option(prompt=True, help="agent, ops or admin.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Password.")
    ],
) -> None:
    """Create a staff account for the consoles."""
    _setup()
    from api.staff.service import create_staff
    from tandem.db import transaction

    with transaction() as session:
        user = create_staff(session, email=email, name=name, role=role, password=password)
        console.print(f"created {user.role} {user.email}")


def _seed(settings: Settings, *, reset: bool, quiet: bool) -> None:
    from rpa.sandbox import seed_sandbox
    from tandem.db import transaction
    from tandem.seed import seed_front_office

    with transaction() as session:
        report = seed_front_office(session, settings)
    sandbox_report = seed_sandbox(settings.resolved_sandbox_db_path, reset=reset)
    if quiet:
        return
    console.print(f"front office: {report.customers_added} customers and {report.staff_added} staff added")
    console.print(f"sandbox back office: {sandbox_report}")
    table = Table("customer", "sign-in token (demo)")
    for customer_id, token in report.customer_tokens.items():
        table.add_row(customer_id, token)
    console.print(table)


def _ingest_help_centre(settings: Settings) -> None:
    from pathlib import Path

    import knowledge
    from knowledge import KnowledgeBase

    help_centre = Path(knowledge.__file__).parent / "helpcentre"
    from knowledge.cli import print_report

    print_report(KnowledgeBase(settings).ingest([str(help_centre)], console=console), console)


def _die_with_parent() -> None:
    """In the child: get SIGTERM when ``tandem up`` ends, however it ends (Linux)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass  # not Linux: the parent's finally block still stops the sandbox


def _start_sandbox(settings: Settings) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "rpa.sandbox"], preexec_fn=_die_with_parent)
    url = settings.resolved_sandbox_url + "/healthz"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TandemError(f"the sandbox back office exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise TandemError(f"the sandbox back office did not answer on {url} within 30 s")


def _print_welcome(settings: Settings) -> None:
    from tandem.seed import DEMO_STAFF

    api = settings.resolved_public_url
    table = Table(title="Tandem is up", show_header=False)
    table.add_row("chat widget (demo shop)", f"{api}/")
    table.add_row("agent console", f"{api}/console/agent")
    table.add_row("ops console", f"{api}/console/ops")
    table.add_row("API docs", f"{api}/docs")
    table.add_row("sandbox ERP", f"{settings.resolved_sandbox_url}/  (user {settings.sandbox_user})")
    for email, _name, role, password in DEMO_STAFF:
        table.add_row(f"{role} sign-in", f"{email} / {password}")
    console.print(table)


def _serve_api(settings: Settings, *, run_worker: bool = False) -> None:
    import uvicorn

    from api import create_app

    uvicorn.run(
        create_app(settings, run_worker=run_worker),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
    )


def _describe_settings_error(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        name, *inside = (str(part) for part in error["loc"])  # inside a JSON value: its key or index
        where = f" ({'.'.join(inside)})" if inside else ""
        problems.append(f"TANDEM_{name.upper()}{where}: {error['msg']}")
    return "invalid setting " + "; ".join(problems)


def main() -> None:
    """Entry point: run the CLI and turn expected failures into one clear line."""
    handlers: dict[type[BaseException], Callable[[Any], str]] = {
        TandemError: lambda exc: str(exc.message),
        ValidationError: _describe_settings_error,
        SQLAlchemyError: lambda exc: (
            "cannot use the database at TANDEM_DATABASE_URL: "
            + " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
        ),
    }
    try:
        app()
    except tuple(handlers) as exc:
        message = next(h(exc) for t, h in handlers.items() if isinstance(exc, t))
        err_console.print(f"[red]error:[/red] {message}")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
