"""The app's routers, one module per part of the workspace."""

from .account import router as account
from .audit import router as audit
from .editor import router as editor
from .live_api import router as live_api
from .members import router as members
from .password import router as password
from .runs import router as runs
from .scenarios import router as scenarios
from .scenarios_api import router as scenarios_api
from .share import router as share

ROUTERS = [account, scenarios, editor, scenarios_api, live_api, runs, share, members, audit, password]
