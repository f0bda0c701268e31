"""The app's routers, one module per part of the workspace."""

from .account import router as account
from .audit import router as audit
from .members import router as members
from .password import router as password

ROUTERS = [account, members, audit, password]
