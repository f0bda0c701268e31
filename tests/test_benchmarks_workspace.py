"""The workspace's load benchmark measures what it says, in miniature: a real ``materiel serve``
with a queue worker, simulated users who sign in, browse and launch, every launched run done, the
live endpoint's re-plans timed, and the docs' section and target rows from its record."""

from __future__ import annotations

from benchmarks.report import targets
from benchmarks.workspace import ACTIONS, bench_workspace, section, target_rows

from tests.markers import ONE_WORKER


@ONE_WORKER
def test_a_small_load_runs_without_errors_and_every_run_completes() -> None:
    record = bench_workspace(users=3, seconds=4, workers=1, moves=2)
    assert record["errors"] == 0, record["error_examples"]
    assert record["server_errors"] == {}, record["server_log_tail"]
    assert record["all_done"], record["statuses"]
    assert record["statuses"] == {"done": record["launched"] + 2}  # with the two made before the load
    assert set(record["latency"]) <= {"sign-in", *ACTIONS} and record["latency"]["sign-in"]["n"] == 6
    assert record["pages"]["n"] == sum(
        record["latency"][k]["n"] for k in ("team", "scenario", "runs", "run", "compare") if k in record["latency"]
    )
    assert record["live"]["moves"] == 2 and 0 < record["live"]["median_s"] < 60
    assert record["server_peak_mb"] > 0 and len(record["worker_peak_mb"]) >= 1
    text = "\n".join(section(record))
    assert "| **every page** (team, scenario, runs, run, compare) |" in text and "errors: **0**" in text
    rows = target_rows(record)
    assert [r[0].split(":")[0] for r in rows] == ["workspace"] * 3
    # every launched run completed; a load too short to launch any proves nothing
    assert rows[1][2] == ("**met**" if record["launched"] else "**not met**")
    assert section(None) == ["Not measured in this run (`--workspace-only` measures it)."]
    lost = {**record, "live": {"error": "ReadTimeout: timed out", "target_s": 0.5}}
    assert target_rows(lost)[2][1:] == (
        "not measured: after the load the server did not answer (ReadTimeout: timed out)",
        "**not met**",
    )
    assert targets({"sizes": [], "workspace": record}) == rows
