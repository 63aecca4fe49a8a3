"""Seed the demo business: front-office customers, staff accounts, the sandbox back office."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.staff.models import StaffUser
from api.staff.service import create_staff
from bot.models import Customer
from tandem.config import DEMO_DATA_DIR, Settings
from tandem.security import customer_token, token_hash

DEMO_STAFF = (
    ("agent@baobab.example.com", "Amani Agent", "agent", "agent-demo-pass"),
    ("ops@baobab.example.com", "Olek Ops", "ops", "ops-demo-pass"),
    ("admin@baobab.example.com", "Ada Admin", "admin", "admin-demo-pass"),
)


@dataclass
class SeedReport:
    customers_added: int = 0
    staff_added: int = 0
    customer_tokens: dict[str, str] = field(default_factory=dict)


def load_demo(name: str, demo_dir: Path = DEMO_DATA_DIR) -> list[dict[str, Any]]:
    """One of the demo files (catalog, customers, orders) as a list of records."""
    data: list[dict[str, Any]] = json.loads((demo_dir / f"{name}.json").read_text("utf-8"))
    return data


def seed_front_office(session: Session, settings: Settings) -> SeedReport:
    """Add demo customers and staff that are missing; existing rows are left alone."""
    report = SeedReport()
    known = set(session.scalars(select(Customer.id)))
    for record in load_demo("customers"):
        token = customer_token(settings, record["id"])
        report.customer_tokens[record["id"]] = token
        if record["id"] in known:
            continue
        session.add(
            Customer(
                id=record["id"],
                name=record["name"],
                email=record["email"].lower(),
                phone=record["phone"],
                preferred_language=record["preferred_language"],
                company=record.get("company"),
                tax_id=record.get("tax_id"),
                token_hash=token_hash(token),
            )
        )
        report.customers_added += 1
    staff_emails = set(session.scalars(select(StaffUser.email)))
    for email, name, role, password in DEMO_STAFF:
        if email not in staff_emails:
            create_staff(session, email=email, name=name, role=role, password=password)
            report.staff_added += 1
    session.flush()
    return report
