"""Hostile input against the public chat API, with a tally per category (shared with bench/hostile.py).

Hypothesis generates the inputs with ``derandomize=True`` (the same examples on every run) from
random Unicode of every plane plus explicit lists of nasty strings. A problem never stops the run:
each one is counted and described in the :class:`Tally`, and the caller asserts there are none.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.security.targets import Reply, Target, path_segment, problems

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff"]
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069"]
CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", "\u2029"]
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
COMBINING = ["\u0301", "\u0336", "\u0489", "\u20dd", "\ufe0f"]
SPECIAL = ZERO_WIDTH + BIDI + CONTROLS + LONE_SURROGATES + COMBINING

SQL_INJECTION = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE messages; --",
    "Robert'); DROP TABLE conversations;--",
    "' UNION SELECT email, phone, token_hash FROM customers --",
    "1; UPDATE jobs SET status='succeeded' --",
    '" OR ""="',
    "\\'; DELETE FROM customers; --",
    "%' AND 1=0 UNION SELECT name FROM customers WHERE '%'='",
    "SO-10031' OR customer_id='C-002",
]
HTML_INJECTION = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg/onload=alert(1)>',
    "</script><script>alert(document.cookie)</script>",
    '<a href="javascript:alert(1)">click</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>*{display:none}</style>",
    "&lt;b&gt;bold&lt;/b&gt; &amp; &#x3C;i>",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "<!-- ]]> -->",
]
ODD_TEXT = [
    "\x00",
    "a\x00b",
    "\ud800",
    "hi \udfff there",
    "\ud83d\ude00",  # a surrogate pair written as two escapes: one emoji once decoded
    "\u202eredro ym lecnac\u202c",
    "\ufeffhello",
    "S\u200bO-10\u200d049",
    "e" + "\u0301" * 500,
    "Z\u0336\u0489a\u0336\u0489l\u0336\u0489g\u0336\u0489o",
    "\U0001f3f3\ufe0f\u200d\U0001f308" * 50,
    "\U0010fffd\U000e0001\U0001d54f",
    "%00%0d%0a%s%n",
    "../../../../etc/passwd",
    "null",
    "\r\n\r\nHTTP/1.1 200 OK",
    " ",
    "\t\n",
    "x" * 4000,
    "x" * 4001,
    "ك" * 4000,
    "😀" * 4001,
]
NASTY = SQL_INJECTION + HTML_INJECTION + ODD_TEXT

# Any code point of any plane (surrogates included: they travel as \\uXXXX escapes in JSON).
ANY_CHAR = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.characters(max_codepoint=0x7F),
    st.sampled_from(SPECIAL),
)
HOSTILE_TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(ANY_CHAR, min_size=1, max_size=300),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=20)), min_size=2, max_size=5).map(
        "".join
    ),
)
SHORT_HOSTILE = st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, min_size=0, max_size=80))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(ANY_CHAR, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(ANY_CHAR, max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def settings_for(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@dataclass
class Count:
    tried: int = 0
    ok: int = 0  # 2xx (or an accepted WebSocket)
    refused: int = 0  # 4xx (or a refused WebSocket)
    server_errors: int = 0
    leaks: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Tally:
    """Counts per category; a problem is kept with the request that caused it."""

    counts: dict[str, Count] = field(default_factory=dict)

    def record(self, category: str, reply: Reply, what: str, *, json_api: bool = True) -> None:
        count = self.counts.setdefault(category, Count())
        count.tried += 1
        if reply.accepted:
            count.ok += 1
        elif reply.status >= 500 or reply.status == 0:
            count.server_errors += 1
        else:
            count.refused += 1
        for problem in problems(reply, json_api=json_api):
            count.problems.append(f"{what}: {problem}")

    def problem(self, category: str, description: str) -> None:
        self.counts.setdefault(category, Count()).problems.append(description)

    def leak(self, category: str, description: str) -> None:
        count = self.counts.setdefault(category, Count())
        count.leaks += 1
        count.problems.append(f"LEAK {description}")

    @property
    def tried(self) -> int:
        return sum(c.tried for c in self.counts.values())

    def all_problems(self) -> list[str]:
        return [f"[{name}] {p}" for name, count in self.counts.items() for p in count.problems]

    def summary(self) -> str:
        lines = [
            f"{'category':32} {'tried':>6} {'2xx':>6} {'4xx':>6} {'5xx':>5} {'leaks':>5} {'problems':>8}"
        ]
        for name, c in self.counts.items():
            lines.append(
                f"{name:32} {c.tried:6} {c.ok:6} {c.refused:6} {c.server_errors:5} {c.leaks:5}"
                f" {len(c.problems):8}"
            )
        return "\n".join(lines)


def wire(body: object) -> bytes:
    """JSON as a client sends it: ASCII with \\uXXXX escapes, so lone surrogates survive the trip."""
    return json.dumps(body, ensure_ascii=True).encode()


def decoded(raw: bytes) -> Any:
    """What the server's JSON parser makes of ``raw`` (an escaped surrogate pair is one character)."""
    return json.loads(raw)


def has_lone_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@dataclass
class Tracked:
    """A conversation the fuzz writes to, and what it should hold afterwards."""

    id: str
    headers: dict[str, str]
    texts: list[str] = field(default_factory=list)  # customer messages that must be stored, in order
    client_ids: set[str] = field(default_factory=set)
    uploads: int = 0


class HostileFuzz:
    """The categories of hostile input; ``run`` tries each with ``examples`` generated requests."""

    def __init__(self, target: Target, tally: Tally, signed_in_token: str) -> None:
        self.target = target
        self.tally = tally
        self.token = signed_in_token
        self.conversations: list[Tracked] = []
        self.created = 0  # conversations the API said it opened

    # -- setup and bookkeeping -------------------------------------------------------------

    def open(self, headers: dict[str, str] | None = None, **body: object) -> str:
        reply = self.target.http("POST", "/api/v1/conversations", json_body=body, headers=headers)
        assert reply.status == 201, reply.body
        self.created += 1
        return str(json.loads(reply.body)["id"])

    def setup(self) -> None:
        anonymous = [Tracked(self.open(), {}) for _ in range(2)]
        signed = Tracked(self.open(customer_token=self.token), {"X-Customer-Token": self.token})
        self.conversations = [*anonymous, signed]

    def post_message(self, category: str, conversation: Tracked, raw: bytes, what: str, **kw: Any) -> Reply:
        headers = {**conversation.headers, "Content-Type": "application/json", **kw.pop("headers", {})}
        reply = self.target.http(
            "POST", f"/api/v1/conversations/{conversation.id}/messages", content=raw, headers=headers
        )
        self.tally.record(category, reply, what)
        if reply.accepted:
            body = decoded(raw)
            client_id = body.get("client_message_id")
            if client_id is None or client_id not in conversation.client_ids:
                conversation.texts.append(body["text"])
            if client_id is not None:
                conversation.client_ids.add(client_id)
            self._check_turn(category, reply, body["text"], what)
        return reply

    def _check_turn(self, category: str, reply: Reply, text: str, what: str) -> None:
        """An accepted turn is JSON whose bot messages are plain strings (HTML stays text)."""
        try:
            result = json.loads(reply.body)
            assert all(isinstance(m["text"], str) for m in result["messages"])
        except (ValueError, KeyError, TypeError, AssertionError):
            self.tally.problem(category, f"{what}: accepted turn is not a TurnResult: {reply.body[:200]!r}")

    # -- categories --------------------------------------------------------------------------

    def run(self, examples: int) -> None:
        self.setup()
        self.message_text(examples)
        self.client_message_id(max(10, examples // 2))
        self.wrong_shapes(examples)
        self.nested_json(max(10, examples // 3))
        self.large_bodies()
        self.conversation_ids(examples)
        self.customer_tokens(examples)
        self.create_fields(examples)
        self.event_streams(max(10, examples // 2))
        self.attachments(max(10, examples // 2))
        self.verify_storage()

    def message_text(self, examples: int) -> None:
        for text in NASTY:  # every explicit string once, then generated ones
            self._text(text, self.conversations[len(text) % len(self.conversations)])

        @given(text=HOSTILE_TEXT, which=st.integers(0, 2))
        @settings_for(examples)
        def generated(text: str, which: int) -> None:
            self._text(text, self.conversations[which])

        generated()

    def _text(self, text: str, conversation: Tracked) -> None:
        raw = wire({"text": text})
        reply = self.post_message("message text", conversation, raw, f"text={text[:60]!r}")
        value = decoded(raw)["text"]
        should_refuse = not 1 <= len(value) <= 4000 or "\x00" in value or has_lone_surrogate(value)
        if reply.accepted == should_refuse:
            self.tally.problem(
                "message text", f"text={text[:60]!r} ({len(value)} chars): answered {reply.status}"
            )

    def client_message_id(self, examples: int) -> None:
        @given(client_id=SHORT_HOSTILE, which=st.integers(0, 2))
        @settings_for(examples)
        def generated(client_id: str, which: int) -> None:
            raw = wire({"text": "hello", "client_message_id": client_id})
            self.post_message("client_message_id", self.conversations[which], raw, f"id={client_id[:60]!r}")

        generated()

    def wrong_shapes(self, examples: int) -> None:
        wrong = st.one_of(
            JSON_VALUES.map(lambda v: {"text": v}),
            st.dictionaries(st.text(ANY_CHAR, max_size=12), JSON_VALUES, max_size=4),
            JSON_VALUES,
            st.builds(lambda t, v: {"text": t, "client_message_id": v}, st.sampled_from(NASTY), JSON_VALUES),
            st.builds(
                lambda t, k: {"text": t, k: True}, st.just("hi"), st.sampled_from(["admin", "role", "id"])
            ),
        )

        @given(body=wrong, which=st.integers(0, 2))
        @settings_for(examples)
        def generated(body: object, which: int) -> None:
            conversation = self.conversations[which]
            valid = (
                isinstance(body, dict)
                and set(body) <= {"text", "client_message_id"}
                and isinstance(body.get("text"), str)
                and 1 <= len(body["text"]) <= 4000
            )
            if valid:
                return  # a well-formed message belongs to the other categories
            self.post_message("wrong types and shapes", conversation, wire(body), f"body={str(body)[:80]!r}")

        generated()

        @given(raw=st.binary(max_size=300), which=st.integers(0, 2))
        @settings_for(max(10, examples // 3))
        def raw_bytes(raw: bytes, which: int) -> None:
            try:
                body = json.loads(raw)
                if isinstance(body, dict) and "text" in body:
                    return
            except ValueError:
                pass
            self.post_message("wrong types and shapes", self.conversations[which], raw, f"raw={raw[:60]!r}")

        raw_bytes()

    def nested_json(self, examples: int) -> None:
        @given(depth=st.integers(50, 30_000), kind=st.sampled_from(["list", "object", "text"]))
        @settings_for(examples)
        def generated(depth: int, kind: str) -> None:
            if kind == "list":
                raw = ("[" * depth + "]" * depth).encode()
            elif kind == "object":
                raw = ('{"a":' * depth + "1" + "}" * depth).encode()
            else:
                raw = ('{"text": ' + "[" * depth + "]" * depth + "}").encode()
            self.post_message("deeply nested JSON", self.conversations[0], raw, f"{kind} depth {depth}")

        generated()

    def large_bodies(self) -> None:
        for size in (100_000, 300_000, 1_000_000, 4_000_000):
            raw = wire({"text": "x" * size})
            self.post_message("100 KB+ bodies", self.conversations[1], raw, f"{size} chars")

            def chunks(raw: bytes = raw) -> Any:
                for start in range(0, len(raw), 65_536):
                    yield raw[start : start + 65_536]

            # No Content-Length: the limit must hold while the body streams in.
            reply = self.target.http(
                "POST",
                f"/api/v1/conversations/{self.conversations[1].id}/messages",
                content=chunks(),  # type: ignore[arg-type]
                headers={"Content-Type": "application/json"},
            )
            self.tally.record("100 KB+ bodies", reply, f"{size} chars, chunked")
            big_create = wire({"customer_token": "ct_" + "a" * size})
            reply = self.target.http(
                "POST",
                "/api/v1/conversations",
                content=big_create,
                headers={"Content-Type": "application/json"},
            )
            self.tally.record("100 KB+ bodies", reply, f"create with a {size}-char token")
        if self.tally.counts["100 KB+ bodies"].ok:
            self.tally.problem("100 KB+ bodies", "a body over the limit was accepted")

    def conversation_ids(self, examples: int) -> None:
        @given(
            value=st.one_of(
                SHORT_HOSTILE.filter(bool), st.sampled_from(["%00", "%FF", "%ED%A0%80", "%C0%AF"])
            )
        )
        @settings_for(examples)
        def generated(value: str) -> None:
            segment = value if value.startswith("%") else path_segment(value)
            base = f"/api/v1/conversations/{segment}"
            what = f"id={value[:60]!r}"
            for method, suffix, body in (("GET", "", None), ("POST", "/messages", {"text": "hi"})):
                reply = self.target.http(method, base + suffix, json_body=body)
                self.tally.record("conversation id (path)", reply, f"{method} {what}")
                if reply.accepted:
                    self.tally.problem("conversation id (path)", f"{method} {what}: answered {reply.status}")
            reply = self.target.sse(base + "/events")
            self.tally.record("conversation id (path)", reply, f"SSE {what}")
            reply = self.target.ws(base + "/ws")
            self.tally.record("conversation id (path)", reply, f"WS {what}", json_api=False)
            reply = self.target.http(
                "POST", base + "/attachments", files={"file": ("a.png", PNG, "image/png")}
            )
            self.tally.record("conversation id (path)", reply, f"upload {what}")

        generated()

    def customer_tokens(self, examples: int) -> None:
        latin1 = st.text(
            st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=200
        )
        headerish = st.one_of(
            latin1,
            st.sampled_from([s for s in SQL_INJECTION + HTML_INJECTION if s.isascii()]),
            st.just(self.token.upper()),
            st.just(self.token[:-1]),
            st.just("ct_" + "0" * 32),
        )

        @given(value=headerish, which=st.integers(0, 2))
        @settings_for(examples)
        def generated(value: str, which: int) -> None:
            conversation = self.conversations[which]
            headers = {"X-Customer-Token": value}
            what = f"token={value[:60]!r}"
            reply = self.target.http("GET", f"/api/v1/conversations/{conversation.id}", headers=headers)
            self.tally.record("X-Customer-Token", reply, f"GET {what}")
            signed = bool(conversation.headers)
            if signed and reply.accepted and value.strip() != self.token:
                self.tally.leak("X-Customer-Token", f"GET {what} read a signed-in conversation")
            raw = wire({"text": "where is my order?"})
            reply = self.post_message("X-Customer-Token", conversation, raw, f"POST {what}", headers=headers)
            if signed and reply.accepted and value.strip() != self.token:
                self.tally.leak("X-Customer-Token", f"POST {what} wrote to a signed-in conversation")
            reply = self.target.http("POST", "/api/v1/conversations", json_body={"customer_token": value})
            self.tally.record("X-Customer-Token", reply, f"create {what}")
            if reply.accepted:
                self.created += 1
                if value.strip() and value != self.token:  # "" opens an anonymous conversation
                    self.tally.leak("X-Customer-Token", f"create {what} signed in with a wrong token")

        generated()

    def create_fields(self, examples: int) -> None:
        field_value = st.one_of(
            st.none(), SHORT_HOSTILE, JSON_VALUES, st.sampled_from(["web", "en", "ar", "fa"])
        )

        @given(
            channel=field_value,
            locale=field_value,
            token=st.one_of(st.none(), SHORT_HOSTILE),
            extra=st.sampled_from([{}, {"admin": True}, {"customer_id": "C-002"}, {"verified": True}]),
        )
        @settings_for(examples)
        def generated(channel: object, locale: object, token: str | None, extra: dict[str, object]) -> None:
            body = {"channel": channel, "locale": locale, "customer_token": token, **extra}
            raw = wire(body)
            reply = self.target.http(
                "POST", "/api/v1/conversations", content=raw, headers={"Content-Type": "application/json"}
            )
            self.tally.record("create: channel / locale / token", reply, f"body={str(body)[:100]!r}")
            valid = (
                channel in (None, "web")
                and locale in (None, "en", "ar", "fa", "sw", "pl")
                and token in (None, "")
                and not extra
            )
            # channel=None is not "web": refusing it is fine, accepting it only when otherwise valid.
            if reply.accepted:
                self.created += 1
                if not valid:
                    self.tally.problem("create: channel / locale / token", f"accepted {str(body)[:100]!r}")

        generated()

    def event_streams(self, examples: int) -> None:
        resume = st.one_of(
            st.text(
                st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=20
            ),
            st.integers(-(2**70), 2**70).map(str),
            st.sampled_from(["²", "¹³", "9" * 20, str(2**63), str(2**31), str(2**31 - 1), "-1", "1e3", " 1"]),
        )

        @given(value=resume, which=st.integers(0, 2))
        @settings_for(examples)
        def generated(value: str, which: int) -> None:
            conversation = self.conversations[which]
            base = f"/api/v1/conversations/{conversation.id}"
            what = f"resume={value[:30]!r}"
            token = {"X-Customer-Token": self.token} if conversation.headers else {}
            reply = self.target.sse(base + "/events", headers={**token, "Last-Event-ID": value})
            self._stream("SSE / WebSocket resume", reply, f"SSE Last-Event-ID {what}")
            query = "after=" + path_segment(value) + (f"&token={self.token}" if token else "")
            reply = self.target.sse(base + "/events", headers=token, query=query)
            self._stream("SSE / WebSocket resume", reply, f"SSE ?after {what}")
            reply = self.target.ws(base + "/ws", query=query)
            self.tally.record("SSE / WebSocket resume", reply, f"WS ?after {what}", json_api=False)

        generated()

    def _stream(self, category: str, reply: Reply, what: str) -> None:
        self.tally.record(category, reply, what)
        if reply.status == 200 and not reply.body.startswith("retry:"):
            self.tally.problem(category, f"{what}: the stream broke at once: {reply.body[:120]!r}")
        for block in reply.body.split("\n\n"):
            for line in block.splitlines():
                if line.startswith("data: "):
                    try:
                        json.loads(line.removeprefix("data: "))
                    except ValueError:
                        self.tally.problem(category, f"{what}: event data is not JSON: {line[:120]!r}")

    def attachments(self, examples: int) -> None:
        kinds = st.sampled_from(
            [
                ("image/png", PNG),
                ("image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
                ("application/pdf", b"%PDF-1.4 hostile"),
                ("image/png", b"<script>alert(1)</script>"),
                ("text/html", b"<html><script>alert(1)</script></html>"),
                ("application/x-msdownload", b"MZ\x90\x00"),
                ("image/svg+xml", b"<svg onload=alert(1)>"),
            ]
        )

        @given(name=SHORT_HOSTILE, text=SHORT_HOSTILE, kind=kinds, which=st.integers(0, 2))
        @settings_for(examples)
        def generated(name: str, text: str, kind: tuple[str, bytes], which: int) -> None:
            conversation = self.conversations[which]
            content_type, data = kind
            filename = name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            form_text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            reply = self.target.http(
                "POST",
                f"/api/v1/conversations/{conversation.id}/attachments",
                files={"file": (filename, data, content_type)},
                data={"text": form_text},
                headers=conversation.headers,
            )
            self.tally.record("attachments", reply, f"name={name[:40]!r} text={text[:40]!r} {content_type}")
            if reply.accepted:
                conversation.uploads += 1
                conversation.texts.append(form_text.strip() or "\x00attachment")

        generated()

    def verify_storage(self) -> None:
        """What each conversation stores is exactly what was accepted: nothing refused, nothing lost."""
        for conversation in self.conversations:
            reply = self.target.http(
                "GET", f"/api/v1/conversations/{conversation.id}", headers=conversation.headers
            )
            transcript = json.loads(reply.body)
            stored = [m["text"] for m in transcript["messages"] if m["role"] == "customer"]
            expected = conversation.texts
            if len(stored) != len(expected):
                self.tally.problem(
                    "stored afterwards",
                    f"conversation {conversation.id}: {len(stored)} customer messages stored,"
                    f" {len(expected)} accepted",
                )
                continue
            for got, sent in zip(stored, expected, strict=True):
                if sent == "\x00attachment":
                    continue  # an attachment without text is stored under its (cleaned) file name
                if got != sent:
                    self.tally.problem("stored afterwards", f"stored {got[:60]!r}, sent {sent[:60]!r}")
