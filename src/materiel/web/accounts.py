"""What a team's admin does to its members, and what a user does to their own password, each change
audited in the same transaction. A team never loses its last active admin."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from ..store.audit import record
from ..store.models import Membership, Team, User
from ..store.users import (
    AccountError,
    create_user,
    hash_password,
    password_matches,
    role_in,
    set_role,
    user_named,
)
from .auth import end_sessions
from .errors import Conflict, Forbidden, NotFound, WebError


def members(s: DbSession, team_id: int) -> list[Membership]:
    """The team's members, admins first, then by name."""
    rows = s.scalars(select(Membership).join(User).where(Membership.team_id == team_id)).all()
    order = {"admin": 0, "editor": 1, "viewer": 2}
    return sorted(rows, key=lambda m: (order.get(m.role, 3), m.user.name))


def _locked_team(s: DbSession, team_id: int) -> Team:
    """The team, locked for this transaction (PostgreSQL), so two admins changing roles at once
    cannot both pass the last-admin check."""
    team = s.scalar(select(Team).where(Team.id == team_id).with_for_update())
    if team is None:
        raise NotFound("Not found (or not shared with you).")
    return team


def _member(s: DbSession, team_id: int, user_id: int) -> Membership:
    member = s.get(Membership, (user_id, team_id))
    if member is None:
        raise NotFound(f"User {user_id} is not a member of this team.")
    return member


def _keep_an_admin(s: DbSession, team: Team, leaving: User, doing: str) -> None:
    """Refuse (409) when ``leaving`` is the team's last active admin."""
    others = s.scalar(
        select(func.count())
        .select_from(Membership)
        .join(User)
        .where(Membership.team_id == team.id, Membership.role == "admin", User.active, User.id != leaving.id)
    )
    if not others:
        raise Conflict(
            f"{leaving.name} is the last admin of team {team.name}; {doing} would leave it without one. "
            "Make another member admin first."
        )


def _account_error(error: AccountError) -> WebError:
    message = str(error)
    return WebError(message[0].upper() + message[1:] + ".", 409 if "exists already" in message else 400)


def add_member(
    s: DbSession, actor: User, team_id: int, name: str, role: str, password: str | None = None
) -> Membership:
    """Add an existing user to the team, or create the user when a password is given."""
    team = _locked_team(s, team_id)
    try:
        if password:
            user = create_user(s, name, password)
            record(s, actor, "create", "user", user.id, team_id, name=user.name)
        else:
            user = user_named(s, name.strip())
            if user is None:
                raise WebError(f"No user named {name.strip()!r}; give an initial password to create one.", 404)
            if role_in(s, user, team_id) is not None:
                raise Conflict(f"{user.name} is already a member of team {team.name}; change their role instead.")
        member = set_role(s, user, team, role)
    except AccountError as error:
        raise _account_error(error) from error
    record(s, actor, "role", "membership", user.id, team_id, user=user.name, role=role)
    return member


def change_role(s: DbSession, actor: User, team_id: int, user_id: int, role: str) -> Membership:
    team = _locked_team(s, team_id)
    member = _member(s, team_id, user_id)
    if member.role == "admin" and role != "admin":
        _keep_an_admin(s, team, member.user, f"making them {role}")
    try:
        set_role(s, member.user, team, role)
    except AccountError as error:
        raise _account_error(error) from error
    record(s, actor, "role", "membership", user_id, team_id, user=member.user.name, role=role)
    return member


def remove_member(s: DbSession, actor: User, team_id: int, user_id: int) -> None:
    team = _locked_team(s, team_id)
    member = _member(s, team_id, user_id)
    if member.role == "admin":
        _keep_an_admin(s, team, member.user, "removing them")
    name = member.user.name
    s.delete(member)
    record(s, actor, "delete", "membership", user_id, team_id, user=name)
    s.flush()


def set_active(s: DbSession, actor: User, team_id: int, user_id: int, active: bool) -> User:
    """Deactivate (signed out everywhere, no sign-in) or reactivate a member. The account is the
    user's in every team, so only an admin of every team the user is in may do it."""
    team = _locked_team(s, team_id)
    user = _member(s, team_id, user_id).user
    if user.id == actor.id and not active:
        raise Conflict("You cannot deactivate yourself; ask another admin.")
    elsewhere = [m.team.name for m in user.memberships if role_in(s, actor, m.team_id) != "admin"]
    if elsewhere:
        raise Forbidden(
            f"{user.name} is also in team {', '.join(sorted(elsewhere))}, where you are not admin; "
            "remove them from this team instead, or ask that team's admin."
        )
    if not active:
        for m in user.memberships:
            if m.role == "admin":
                _keep_an_admin(s, m.team if m.team_id != team.id else team, user, "deactivating them")
        end_sessions(s, user.id)
    user.active = active
    record(s, actor, "change", "user", user.id, team_id, user=user.name, active=active)
    s.flush()
    return user


def change_password(s: DbSession, user: User, current: str, new: str) -> None:
    """Change one's own password: the current one is required; every session of the user ends
    (the caller starts a new one for this browser)."""
    if not password_matches(user, current):
        raise Forbidden("The current password is not right; nothing was changed.")
    if new == current:
        raise WebError("The new password is the same as the current one; choose another.")
    try:
        user.password_hash = hash_password(new)
    except AccountError as error:
        raise _account_error(error) from error
    end_sessions(s, user.id)
    record(s, user, "change", "user", user.id, field="password")
    s.flush()
