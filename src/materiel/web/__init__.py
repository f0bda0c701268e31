"""The workspace's web app (``materiel serve``, docs/workspace.md): a team's scenarios, runs and
comparisons over the store, server-rendered, every asset served from the package."""

from .app import create_app

__all__ = ["create_app"]
