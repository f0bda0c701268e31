"""The app's routers, one module per part of the workspace."""

from .account import router as account
from .runs import router as runs
from .share import router as share

ROUTERS = [account, runs, share]
