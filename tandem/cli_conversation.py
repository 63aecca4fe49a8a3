"""``tandem chat`` (a REPL on the conversation engine) and ``tandem eval conversations``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tandem.config import Settings, get_settings
from tandem.logging import configure_logging

console = Console()
eval_app = typer.Typer(help="Evaluate the conversation engine.", no_args_is_help=True)


class BackOfficeChoice(StrEnum):
    demo = "demo"
    sandbox = "sandbox"


def _office(choice: BackOfficeChoice, settings: Settings) -> object:
    if choice is BackOfficeChoice.demo:
        from agents.demo import DemoBackOffice

        return DemoBackOffice(date.today())
    from tandem.runtime import sandbox_backoffice

    return sandbox_backoffice(settings)


def _scope(engine: Engine) -> object:
    from tandem.db import session_factory

    factory = session_factory(engine)

    @contextmanager
    def scope() -> Iterator[Session]:
        with factory() as session, session.begin():
            yield session

    return scope


def _seeded_engine(settings: Settings, url: str) -> Engine:
    from tandem import migrate
    from tandem.db import build_engine
    from tandem.seed import seed_front_office

    migrate.upgrade(url)
    engine = build_engine(url)
    with _scope(engine)() as session:  # type: ignore[operator]
        seed_front_office(session, settings)
    return engine


@eval_app.command("conversations")
def eval_conversations(
    files: Annotated[list[Path], typer.Argument(help="YAML files of conversations.", exists=True)],
    backoffice: Annotated[BackOfficeChoice, typer.Option(help="demo: the seeded data in memory.")] = (
        BackOfficeChoice.demo
    ),
    show_passed: Annotated[bool, typer.Option(help="List passing conversations too.")] = True,
) -> None:
    """Play YAML conversations through the engine and print a pass table (exit 1 on failures)."""
    from bot.evaluation import load_cases, run_cases
    from tandem.runtime import build_chat_engine

    settings = get_settings()
    configure_logging("WARNING", json=settings.log_json)
    with tempfile.TemporaryDirectory() as tmp:
        database = _seeded_engine(settings, f"sqlite:///{Path(tmp) / 'eval.db'}")
        engine = build_chat_engine(settings, _office(backoffice, settings))  # type: ignore[arg-type]
        table = Table("conversation", "language", "turns", "result")
        failed = total = 0
        for path in files:
            for result in run_cases(engine, _scope(database), settings, load_cases(path)):  # type: ignore[arg-type]
                total += 1
                failed += not result.passed
                if result.passed and not show_passed:
                    continue
                verdict = "[green]pass[/]" if result.passed else "[red]FAIL[/]\n" + "\n".join(result.failures)
                table.add_row(
                    result.case.name, result.case.language or "", str(len(result.case.turns)), verdict
                )
        database.dispose()
    console.print(table)
    console.print(f"{total - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


def chat(
    language: Annotated[str | None, typer.Option(help="Start in this language (en, ar, fa, sw, pl).")] = None,
    customer: Annotated[str | None, typer.Option(help="Sign in as a demo customer, e.g. C-005.")] = None,
    backoffice: Annotated[BackOfficeChoice, typer.Option(help="Where order data comes from.")] = (
        BackOfficeChoice.demo
    ),
) -> None:
    """Talk to the engine in the terminal; language, intent, slots and state beside each reply."""
    from bot.models import Conversation
    from tandem.db import get_engine
    from tandem.runtime import build_chat_engine
    from tandem.security import customer_token

    settings = get_settings()
    configure_logging("WARNING", json=settings.log_json)
    database = _seeded_engine(settings, settings.resolved_database_url)
    with console.status("loading the language models…"):
        engine = build_chat_engine(settings, _office(backoffice, settings))  # type: ignore[arg-type]
    scope = _scope(get_engine())
    token = customer_token(settings, customer) if customer else None
    with scope() as session:  # type: ignore[operator]
        conversation_id = engine.open(session, locale=language, customer_token=token).id
    console.print("[dim]Type a message; Ctrl-D to leave.[/dim]")
    while True:
        try:
            text = console.input("[bold]you>[/bold] ")
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        if not text.strip():
            continue
        with scope() as session:  # type: ignore[operator]
            conversation = session.get(Conversation, conversation_id)
            assert conversation is not None
            result = engine.handle(session, conversation, text[:4000])
        for message in result.messages:
            console.print(f"[cyan]bot>[/cyan] {message.text}")
            for citation in message.citations:
                console.print(f"      [dim]↳ {citation.title} — {citation.source}[/dim]")
            if message.quick_replies:
                console.print("      [dim]" + " | ".join(message.quick_replies) + "[/dim]")
        intent = result.intent
        console.print(
            f"      [dim]language={result.language} intent={intent.name if intent else '-'}"
            f" ({intent.confidence:.2f} {intent.source})"
            if intent
            else f"      [dim]language={result.language}",
            end="",
        )
        console.print(
            f" slots={intent.slots if intent else {}} awaiting={result.awaiting}"
            f" jobs={[j.kind for j in result.jobs]} handoff={result.handoff}[/dim]"
        )
    database.dispose()
