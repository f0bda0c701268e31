"""Users, teams and roles: passwords hashed with argon2, roles viewer < editor < admin per team."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ROLES, Membership, Team, User

_hasher = PasswordHasher()
MIN_PASSWORD = 10
NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")


class AccountError(ValueError):
    """A user, team or role that cannot be made as asked; the message says what would be valid."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters (this one has {len(password)})")
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_name(kind: str, name: str) -> str:
    name = name.strip()
    if not name or len(name) > 80 or not set(name) <= NAME_CHARS:
        raise AccountError(f"{kind} name {name!r}: use 1 to 80 letters, digits or . _ - @ (no spaces)")
    return name


def user_named(s: Session, name: str) -> User | None:
    return s.scalar(select(User).where(User.name == name))


def team_named(s: Session, name: str) -> Team | None:
    return s.scalar(select(Team).where(Team.name == name))


def ensure_team(s: Session, name: str) -> Team:
    """The team of that name, made if it does not exist."""
    team = team_named(s, _check_name("team", name))
    if team is None:
        team = Team(name=name.strip())
        s.add(team)
        s.flush()
    return team


def create_user(s: Session, name: str, password: str) -> User:
    name = _check_name("user", name)
    if user_named(s, name) is not None:
        raise AccountError(f"user {name!r} exists already; choose another name")
    user = User(name=name, password_hash=hash_password(password))
    s.add(user)
    s.flush()
    return user


def set_role(s: Session, user: User, team: Team, role: str) -> Membership:
    """Give ``user`` the role in ``team`` (replacing a previous one)."""
    if role not in ROLES:
        raise AccountError(f"role {role!r}: use one of {', '.join(ROLES)}")
    member = s.get(Membership, (user.id, team.id))
    if member is None:
        member = Membership(user_id=user.id, team_id=team.id, role=role)
        s.add(member)
    else:
        member.role = role
    s.flush()
    return member


def role_in(s: Session, user: User, team_id: int) -> str | None:
    member = s.get(Membership, (user.id, team_id))
    return member.role if member is not None else None


def at_least(role: str | None, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (viewer < editor < admin)."""
    return role is not None and ROLES.index(role) >= ROLES.index(needed)
