"""Results for people: terminal summaries, CSV/Excel/PNG outputs and the self-contained HTML report.

Importing this package makes ``materiel.report`` name it rather than the API's ``report``
function (Python binds a subpackage to its name in the parent), so the package is callable and
does what the function does: ``materiel.report(plan, folder)`` works either way (docs/api.md).
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


class _CallableReport(ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ..api import write_report

        return write_report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableReport
