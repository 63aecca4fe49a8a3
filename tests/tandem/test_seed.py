"""The demo business seeds once and can be seeded again safely."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.staff.models import StaffUser
from api.staff.service import verify_password
from bot.models import Customer
from tandem.config import get_settings
from tandem.security import customer_token, token_hash
from tandem.seed import DEMO_STAFF, seed_front_office

pytestmark = pytest.mark.db


def test_seed_is_complete_and_repeatable(db: Session) -> None:
    first = seed_front_office(db, get_settings())
    second = seed_front_office(db, get_settings())
    assert (first.customers_added, first.staff_added) == (16, 3)
    assert (second.customers_added, second.staff_added) == (0, 0)
    assert db.scalar(select(func.count()).select_from(Customer)) == 16


def test_demo_staff_can_sign_in(db: Session) -> None:
    seed_front_office(db, get_settings())
    for email, _name, role, password in DEMO_STAFF:
        user = db.scalar(select(StaffUser).where(StaffUser.email == email))
        assert user is not None
        assert user.role == role
        assert verify_password(user.password_hash, password)
        assert not verify_password(user.password_hash, password + "x")


def test_customer_tokens_are_stored_hashed(db: Session) -> None:
    seed_front_office(db, get_settings())
    customer = db.get(Customer, "C-001")
    assert customer is not None
    token = customer_token(get_settings(), "C-001")
    assert customer.token_hash == token_hash(token) != token
