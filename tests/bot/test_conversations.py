"""Every YAML conversation under tests/conversations, played through the real engine.

The engine is the embedded one: the offline intent router (its index built once per test
session in a temp dir), the demo back office in memory with dates relative to today, and no
knowledge base (faq turns then answer "I didn't understand"; the YAML files only check what
the dialogue itself writes). Each conversation runs in a savepoint that is rolled back, on
SQLite and on PostgreSQL, over front-office data seeded once per database.

Conversations that fail because of an engine bug (not a wrong expectation) stay in the files
and are listed in ``KNOWN_ENGINE_BUGS`` (strict xfail: remove the entry when the bug is fixed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bot.engine import ConversationEngine
from bot.evaluation import ConversationCase, load_cases, run_case
from tandem.config import get_settings

pytestmark = pytest.mark.db

CONVERSATIONS_DIR = Path(__file__).resolve().parents[1] / "conversations"
LANGUAGES = ("en", "ar", "fa", "sw", "pl")
MIN_CASES_PER_LANGUAGE = 8

# name of the conversation -> (what the engine does wrong, strict). Dialogue bugs are strict
# xfails (an XPASS fails: remove the entry once fixed); understanding (NLU) bugs are not, because
# the router's examples and thresholds move often.
KNOWN_ENGINE_BUGS: dict[str, tuple[str, bool]] = {}


def conversation_files() -> list[Path]:
    return sorted(CONVERSATIONS_DIR.glob("*.yaml"))


def all_cases() -> list[tuple[Path, ConversationCase]]:
    return [(path, case) for path in conversation_files() for case in load_cases(path)]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60]


def _params() -> list[object]:
    params = []
    for index, (path, case) in enumerate(all_cases()):
        marks = []
        if case.name in KNOWN_ENGINE_BUGS:
            reason, strict = KNOWN_ENGINE_BUGS[case.name]
            marks.append(pytest.mark.xfail(reason=reason, strict=strict))
        params.append(pytest.param(case, id=f"{path.stem}-{index:03d}-{_slug(case.name)}", marks=marks))
    return params


# -- the engine and the database, shared with tests/bot/test_guardrails.py --------------------


def build_test_engine(cache_dir: Path, today: date) -> ConversationEngine:
    """The embedded engine over the demo back office on ``today``, without a knowledge base."""
    from agents import ToolRegistry
    from agents.demo import DemoBackOffice
    from bot.nlu import IntentRouter, ProductMatcher
    from bot.understanding import Understanding

    products = ProductMatcher.from_catalog()
    router = IntentRouter(products=products, cache_dir=cache_dir)
    return ConversationEngine(
        understanding=Understanding(router, products),
        tools=ToolRegistry(DemoBackOffice(today)),
        knowledge=None,
        today=lambda: today,
    )


@contextmanager
def seeded_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction holds the seeded demo front office; rolled back after."""
    from tandem.seed import seed_front_office

    with engine.connect() as connection:
        outer = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            seed_front_office(session, get_settings())
            session.commit()  # releases the savepoint into the outer transaction
        try:
            yield connection
        finally:
            outer.rollback()


SessionScope = Callable[[], AbstractContextManager[Session]]


@contextmanager
def rolled_back_scope(connection: Connection) -> Iterator[SessionScope]:
    """Session scopes for one conversation: every turn in one savepoint, undone afterwards."""
    savepoint = connection.begin_nested()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)

    @contextmanager
    def scope() -> Iterator[Session]:
        yield session
        session.flush()

    try:
        yield scope
    finally:
        session.close()
        savepoint.rollback()


@pytest.fixture(scope="session")
def test_today() -> date:
    return date.today()


@pytest.fixture(scope="session")
def chat_engine(tmp_path_factory: pytest.TempPathFactory, test_today: date) -> ConversationEngine:
    """One engine per session; the intent index is built once under the session's temp dir."""
    return build_test_engine(tmp_path_factory.getbasetemp() / "conversation-nlu", test_today)


@pytest.fixture(scope="module")
def seeded_connection(engine: Engine) -> Iterator[Connection]:
    with seeded_transaction(engine) as connection:
        yield connection


@pytest.fixture
def sessions(seeded_connection: Connection) -> Iterator[SessionScope]:
    with rolled_back_scope(seeded_connection) as scope:
        yield scope


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params())
def test_conversation(
    chat_engine: ConversationEngine, sessions: SessionScope, case: ConversationCase
) -> None:
    result = run_case(chat_engine, sessions, get_settings(), case)
    assert result.passed, f"{case.name}:\n  " + "\n  ".join(result.failures)


def test_every_language_has_enough_conversations() -> None:
    counts = dict.fromkeys(LANGUAGES, 0)
    for _, case in all_cases():
        if case.language in counts:
            counts[case.language] += 1
    assert all(n >= MIN_CASES_PER_LANGUAGE for n in counts.values()), counts
    assert sum(counts.values()) >= 45, counts


def test_conversation_names_are_unique_and_known_bugs_exist() -> None:
    names = [case.name for _, case in all_cases()]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert set(KNOWN_ENGINE_BUGS) <= set(names), set(KNOWN_ENGINE_BUGS) - set(names)


def test_every_conversation_file_declares_its_language() -> None:
    for path, case in all_cases():
        if path.stem in LANGUAGES:
            assert case.language == path.stem, (path.name, case.name)
