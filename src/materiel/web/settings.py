"""What a deployment may tune, with safe defaults for one laptop."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    secure_cookies: bool = False  # True behind HTTPS: cookies are then sent over HTTPS only
    session_hours: float = 12.0
    max_upload_bytes: int = 5 * 1024 * 1024  # a scenario of a few thousand lines is well under 1 MB
    login_window_minutes: float = 15.0
    login_failures_allowed: int = 5  # per name within the window
    # per address: higher, since an office behind one NAT or proxy signs in from one address
    address_failures_allowed: int = 50
    run_workers: int = 1  # queue worker processes started with the server (0: none)
    scheduler: str | None = None  # a Dask scheduler address: runs go to the cluster
