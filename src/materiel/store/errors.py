"""What can go wrong with the store, as exceptions whose message a person can act on: the CLI prints
it on one line (exit 2) and the web shows it."""

from __future__ import annotations


class StoreError(Exception):
    """A store operation that cannot be done as asked; the message says why and what to do."""


class StoreUnavailable(StoreError):  # noqa: N818 (the name the web and CLI catch)
    """The database cannot be reached, or went away during the operation (nothing was written)."""


class OutdatedDatabaseError(StoreError):
    """The database's schema is not the one this version of materiel needs."""


class NotFoundError(StoreError):
    """No such scenario, version or run (or it was deleted)."""


class ConflictError(StoreError):
    """A save based on a version that is no longer the newest: someone else saved in between."""


class InvalidScenarioError(StoreError):
    """Scenario text that does not load; ``errors`` are the loader's located messages."""

    def __init__(self, message: str, errors: list | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []
