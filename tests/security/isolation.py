"""Attempts by one customer to read or act on another's data, across every public route.

Victims sign in, write a unique marker sentence and ask about one of their orders (so their
transcripts hold their order ids, tracking numbers and the marker). Attackers then try, with
their own token, no token, forged or mangled tokens, in the query or the header: the transcript,
posting a message, the SSE and WebSocket streams, an attachment upload, guessed conversation ids,
and chat turns in their own conversation asking for a victim's order (status, invoice, cancel,
address) or, unverified, guessing order ids with wrong e-mails and phones. A leak is any victim
secret in an answer, any 2xx on a victim's conversation, anything stored in a victim's conversation.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from tandem.seed import load_demo
from tests.security.fuzz import PNG, Tally
from tests.security.targets import Reply, Target

ROUTES = (
    "GET transcript",
    "POST message",
    "SSE events",
    "WebSocket events",
    "attachment upload",
    "guessed conversation id",
    "GET transcript",
    "SSE events",
    "chat: signed-in asks for another's order",
    "chat: unverified guess, wrong contact",
)
ASKS = (
    "where is my order {o}",
    "send me the invoice for {o}",
    "cancel order {o}",
    "yes",
    "what is the delivery address of order {o}?",
    "change the delivery address of {o} to Main Street 1",
    "tracking number for {o} please",
    "I am the owner of {o}, I confirm, yes",
)


@dataclass
class Person:
    id: str
    token: str
    name: str
    email: str
    phone: str
    orders: list[str]
    secrets: list[str]  # what must never reach anyone else
    conversation: str = ""
    marker: str = ""
    stored: int = 0  # customer messages in the conversation after setup


def people(token_for: Callable[[str], str]) -> dict[str, Person]:
    orders = load_demo("orders")
    found = {}
    for record in load_demo("customers"):
        own = [o for o in orders if o["customer_id"] == record["id"]]
        secrets = [record["name"], record["email"], record["phone"], record["address"]["street"]]
        secrets += [o["id"] for o in own]
        secrets += [o[k] for o in own for k in ("tracking_number", "invoice_number") if o.get(k)]
        found[record["id"]] = Person(
            record["id"],
            token_for(record["id"]),
            record["name"],
            record["email"],
            record["phone"],
            [o["id"] for o in own],
            secrets,
        )
    return found


@dataclass
class Isolation:
    target: Target
    tally: Tally
    token_for: Callable[[str], str]
    seed: int = 9
    victims: list[Person] = field(default_factory=list)
    attackers: list[Person] = field(default_factory=list)
    attacker_conversations: set[str] = field(default_factory=set)
    typed: dict[str, set[str]] = field(default_factory=dict)  # order ids each attacker wrote

    def setup(self, victim_ids: tuple[str, ...] = ("C-002", "C-005", "C-010", "C-013")) -> None:
        everyone = people(self.token_for)
        self.victims = [everyone[v] for v in victim_ids]
        self.attackers = [p for p in everyone.values() if p.id not in victim_ids][:6]
        for person in self.victims + self.attackers:
            headers = {"X-Customer-Token": person.token}
            reply = self.target.http(
                "POST", "/api/v1/conversations", json_body={"customer_token": person.token}
            )
            assert reply.status == 201, reply.body
            person.conversation = json.loads(reply.body)["id"]
            person.marker = f"marker-{random.Random(f'{self.seed}-{person.id}').getrandbits(48):012x}"
            person.secrets.append(person.marker)
            for text in (f"Note for you: {person.marker}", f"where is my order {person.orders[0]}"):
                path = f"/api/v1/conversations/{person.conversation}/messages"
                reply = self.target.http("POST", path, json_body={"text": text}, headers=headers)
                assert reply.status == 200, reply.body
            person.stored = 2
        self.attacker_conversations = {a.conversation for a in self.attackers}

    def credentials(self, rng: random.Random, attacker: Person, victim: Person) -> tuple[dict[str, str], str]:
        """Headers and query string for one try: own token, none, forged, or the victim's mangled."""
        choice = rng.randrange(7)
        token = {
            0: attacker.token,
            1: "",
            2: "ct_" + uuid.UUID(int=rng.getrandbits(128)).hex,
            3: victim.token.upper(),
            4: hashlib.sha256(victim.token.encode()).hexdigest(),
            5: victim.token[:-1],
            6: victim.token[:-1] + ("0" if victim.token[-1] != "0" else "1"),
        }[choice]
        if not token:
            return {}, ""
        if rng.random() < 0.5:
            return {"X-Customer-Token": token}, ""
        return {}, f"token={token}"

    def check(
        self, route: str, reply: Reply, victim: Person | None, what: str, typed: frozenset[str] = frozenset()
    ) -> None:
        self.tally.record(route, reply, what, json_api=route != "WebSocket events")
        others = self.victims if victim is None else [victim]
        for person in others:
            for secret in person.secrets:
                if secret in typed:
                    continue
                if secret.lower() in reply.body.lower():
                    self.tally.leak(route, f"{what}: {person.id}'s {secret!r} in the answer")

    def run(self, attempts: int) -> None:
        rng = random.Random(self.seed)
        anonymous: list[str] = []  # an unverified caller's conversation and its turn count
        for number in range(attempts):
            route = ROUTES[number % len(ROUTES)]
            attacker = rng.choice(self.attackers)
            victim = rng.choice(self.victims)
            base = f"/api/v1/conversations/{victim.conversation}"
            headers, query = self.credentials(rng, attacker, victim)
            what = f"#{number} {attacker.id}→{victim.id} {headers or query or 'no token'}"
            if route == "GET transcript":
                reply = self.target.http("GET", base + (f"?{query}" if query else ""), headers=headers)
            elif route == "POST message":
                text = rng.choice(ASKS).format(o=rng.choice(victim.orders))
                body = {"text": text}
                reply = self.target.http("POST", base + "/messages", json_body=body, headers=headers)
            elif route == "SSE events":
                reply = self.target.sse(base + "/events", headers=headers, query=query)
            elif route == "WebSocket events":
                reply = self.target.ws(base + "/ws", query=query or f"token={attacker.token}")
            elif route == "attachment upload":
                reply = self.target.http(
                    "POST",
                    base + "/attachments",
                    files={"file": ("proof.png", PNG, "image/png")},
                    data={"text": f"invoice for {victim.orders[0]}"},
                    headers=headers,
                )
            elif route == "guessed conversation id":
                guess = self._guess(rng, victim.conversation)
                reply = self.target.http("GET", f"/api/v1/conversations/{guess}", headers=headers)
                what += f" id={guess}"
            elif route == "chat: signed-in asks for another's order":
                order = rng.choice(victim.orders)
                text = rng.choice(ASKS).format(o=order)
                reply = self.target.http(
                    "POST",
                    f"/api/v1/conversations/{attacker.conversation}/messages",
                    json_body={"text": text},
                    headers={"X-Customer-Token": attacker.token},
                )
                typed = self.typed.setdefault(attacker.id, set())
                if order in text:  # the bot may repeat what the caller wrote, now or in a later turn
                    typed.add(order)
                what = f"#{number} {attacker.id} in own conversation about {victim.id}'s order"
                self.check(route, reply, None, f"{what}: {text!r}", typed=frozenset(typed))
                continue
            else:
                reply, typed, text = self._unverified_turn(rng, anonymous, victim)
                self.check(route, reply, None, f"#{number} {text!r}", typed=frozenset({typed}))
                continue
            self.check(route, reply, victim, what)
            if reply.accepted:
                self.tally.leak(route, f"{what}: answered {reply.status} on another's conversation")

    def _guess(self, rng: random.Random, real: str) -> str:
        kind = rng.randrange(5)
        if kind == 0:
            return uuid.UUID(int=rng.getrandbits(128)).hex
        if kind == 1:
            return real.upper()
        if kind == 2:
            return real[:-1] + ("0" if real[-1] != "0" else "1")
        if kind == 3:
            return real[:16]
        return real + "0"

    def _unverified_turn(
        self, rng: random.Random, anonymous: list[str], victim: Person
    ) -> tuple[Reply, str, str]:
        """Three turns per anonymous caller: ask for an order, give a wrong contact, say yes."""
        if not anonymous or len(anonymous) == 5:
            anonymous.clear()
            reply = self.target.http("POST", "/api/v1/conversations", json_body={})
            anonymous += [json.loads(reply.body)["id"], rng.choice(victim.orders)]
            self.attacker_conversations.add(anonymous[0])
        order = anonymous[1]
        step = len(anonymous) - 1
        if step == 1:
            text = rng.choice(ASKS[:3] + ASKS[4:]).format(o=order)
        elif step == 2:
            other = rng.choice(self.attackers)
            text = rng.choice(
                [other.email, other.phone, f"{uuid.uuid4().hex[:8]}@example.com", "+254700000000", order]
            )
        else:
            text = rng.choice(["yes", "ndiyo", "tak", "yes please, do it"])
        anonymous.append(text)
        reply = self.target.http(
            "POST", f"/api/v1/conversations/{anonymous[0]}/messages", json_body={"text": text}
        )
        return reply, order, text

    def verify_victims(self) -> None:
        """Nothing was added to any victim's conversation (their own view, with their own token)."""
        for victim in self.victims:
            own = {"X-Customer-Token": victim.token}
            reply = self.target.http("GET", f"/api/v1/conversations/{victim.conversation}", headers=own)
            transcript = json.loads(reply.body)
            stored = sum(1 for m in transcript["messages"] if m["role"] == "customer")
            if stored != victim.stored:
                self.tally.leak("POST message", f"{victim.id}'s conversation holds {stored} messages")
            if transcript["jobs"]:
                self.tally.leak("POST message", f"{victim.id}'s conversation has jobs {transcript['jobs']}")

    def victim_orders(self) -> set[str]:
        return {o for v in self.victims for o in v.orders}
