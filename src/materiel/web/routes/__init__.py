"""The app's routers, one module per part of the workspace."""

from .account import router as account
from .scenarios import router as scenarios

ROUTERS = [account, scenarios]
