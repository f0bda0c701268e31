"""The workspace under load (issue 12, docs/workspace.md): ``materiel serve`` with its queue workers on
loopback over a fresh SQLite store, and simulated users (asyncio, one HTTP client each) who sign in,
then browse the team, scenario, runs, run and compare pages and launch plans of a tiny scenario
(tests/fixtures/tiny.yaml) for a fixed time, each pausing 0.5-2 s between requests as a reader does.
Then the queue is left to drain (every launched run must end 'done'), and, on the quiet server, the
what-if re-plan is timed through the editor's live endpoint on the shipped default scenario.

    python -m benchmarks.run --workspace-only     # 50 users for 60 s; docs/performance.md "Workspace"
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

Record = dict[str, Any]
ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny.yaml"
PASSWORD = "a long enough password"
PAGE_TARGET_S = 0.200  # the target: pages p95 under 200 ms at 50 users
LIVE_TARGET_S = 0.5  # a what-if re-plan from the editor, median, warm, default scenario
ARRIVALS_S = 10.0  # the users arrive (and sign in) spread over the load's first seconds
# what a simulated user does next, and how often (a launch queues a tiny plan)
ACTIONS = {"team": 3, "scenario": 2, "runs": 3, "run": 3, "compare": 2, "launch": 1}
# uvicorn takes the client's address from X-Forwarded-For sent by a proxy on loopback: each simulated
# user comes from an address of its own, as a team's analysts reach the server through its TLS proxy
# (docs/workspace.md). The sign-in limit counts attempts per address too.
CSRF = re.compile(r'name="csrf(?:-token)?" (?:value|content)="([^"]+)"')


def _from(n: int) -> dict[str, str]:
    """The headers of simulated user ``n``'s requests: its own address, as the TLS proxy forwards it."""
    return {"X-Forwarded-For": f"10.1.{n // 250}.{n % 250 + 1}"}


def _seed(url: str, users: int) -> tuple[int, int, int, list[int]]:
    """A store made by the migrations with team "bench" (``users`` editors), a tiny scenario and the
    shipped default; (team id, tiny version id, default version id, the two scenarios' ids)."""
    from materiel.scenario.loader import resolve_path
    from materiel.store import Store
    from materiel.store.migrate import upgrade
    from materiel.store.scenarios import create_scenario, text_from_file
    from materiel.store.users import create_user, ensure_team, set_role

    upgrade(url)
    store = Store.open(url)
    try:
        with store.session() as s:
            team = ensure_team(s, "bench")
            for n in range(users):
                set_role(s, create_user(s, f"user{n:02d}", PASSWORD), team, "editor")
            tiny = create_scenario(s, team, "tiny", TINY.read_text(), "user00")
            default = create_scenario(s, team, "default", text_from_file(resolve_path(None)), "user00")
            return team.id, tiny.versions[0].id, default.versions[0].id, [tiny.id, default.id]
    finally:
        store.dispose()


def _statuses(url: str) -> dict[str, int]:
    """How many runs the store holds in each status."""
    from sqlalchemy import func, select

    from materiel.store import Store
    from materiel.store.models import Run

    store = Store.open(url)
    try:
        with store.session() as s:
            return dict(s.execute(select(Run.status, func.count()).group_by(Run.status)).all())
    finally:
        store.dispose()


def _tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it (the server's queue workers)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _peak_mb(pid: int) -> float:
    """A process's peak resident set size (``VmHWM``), in MB; 0 when it has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _error_kinds(log: str) -> dict[str, int]:
    """How many times each exception's last line appears in the server's log (its errors, summed)."""
    kinds: dict[str, int] = {}
    for line in log.splitlines():
        if re.match(r"^[\w.]+(Error|Exception|Timeout)\b", line):
            key = line[:160]
            kinds[key] = kinds.get(key, 0) + 1
    return kinds


def _percentiles(times: list[float]) -> Record:
    if len(times) < 2:
        return {"n": len(times), "p50_ms": 1000 * times[0] if times else None, "p95_ms": None, "p99_ms": None}
    q = statistics.quantiles(times, n=100, method="inclusive")
    return {"n": len(times), "p50_ms": 1000 * q[49], "p95_ms": 1000 * q[94], "p99_ms": 1000 * q[98]}


class Load:
    """What the simulated users did: each request's kind, seconds and whether it went wrong."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.launched: list[int] = []

    async def request(self, client, kind: str, method: str, path: str, ok: int = 200, **kw):
        tick = time.perf_counter()
        try:
            answer = await client.request(method, path, **kw)
        except Exception as exc:  # a refused or dropped connection is an error of the run, counted
            self.errors.append(f"{kind} {path}: {type(exc).__name__}: {exc}")
            return None
        self.times.setdefault(kind, []).append(time.perf_counter() - tick)
        if answer.status_code != ok:
            self.errors.append(f"{kind} {path}: HTTP {answer.status_code}")
            return None
        return answer


async def _user(load: Load, base: str, n: int, site: Record, seeded: list[int], until: float) -> None:
    """One analyst: signs in, then browses and launches until ``until``."""
    import httpx2 as httpx

    rng = random.Random(n)
    team, tiny = site["team"], site["tiny"]
    await asyncio.sleep(rng.uniform(0, ARRIVALS_S))
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=_from(n)) as client:
        form = await load.request(client, "sign-in", "GET", "/login")
        if form is None:
            return
        token = CSRF.search(form.text).group(1)
        data = {"name": f"user{n:02d}", "password": PASSWORD, "csrf": token}
        if await load.request(client, "sign-in", "POST", "/login", ok=303, data=data) is None:
            return
        page = await load.request(client, "team", "GET", f"/teams/{team}")
        if page is None:
            return
        token = CSRF.search(page.text).group(1)
        mine: list[int] = []
        kinds, weights = list(ACTIONS), list(ACTIONS.values())
        while time.perf_counter() < until:
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            kind = rng.choices(kinds, weights)[0]
            runs = mine or seeded
            if kind == "team":
                await load.request(client, kind, "GET", f"/teams/{team}")
            elif kind == "scenario":
                await load.request(client, kind, "GET", f"/scenarios/{rng.choice(site['scenarios'])}")
            elif kind == "runs":
                await load.request(client, kind, "GET", f"/teams/{team}/runs")
            elif kind == "run":
                await load.request(client, kind, "GET", f"/runs/{rng.choice(runs)}")
            elif kind == "compare":
                pair = rng.sample(seeded + mine, 2)
                await load.request(client, kind, "GET", f"/runs/compare?ids={pair[0]},{pair[1]}")
            else:
                data = {"csrf": token, "version_id": str(tiny)}
                answer = await load.request(client, kind, "POST", f"/teams/{team}/runs", ok=303, data=data)
                if answer is not None:
                    run_id = int(answer.headers["location"].rsplit("/", 1)[1])
                    mine.append(run_id)
                    load.launched.append(run_id)


async def _load(base: str, users: int, seconds: float, site: Record, seeded: list[int]) -> Load:
    load = Load()
    until = time.perf_counter() + seconds
    await asyncio.gather(*(_user(load, base, n, site, seeded, until) for n in range(users)))
    return load


def _launch_and_wait(base: str, team: int, version: int, count: int, url: str, timeout: float = 300) -> list[int]:
    """``count`` runs launched as user00 before the load, waited for; their ids."""
    import httpx2 as httpx

    with httpx.Client(base_url=base, timeout=60, headers=_from(1000)) as client:
        token = CSRF.search(client.get("/login").text).group(1)
        client.post("/login", data={"name": "user00", "password": PASSWORD, "csrf": token})
        token = CSRF.search(client.get(f"/teams/{team}").text).group(1)
        ids = []
        for _ in range(count):
            answer = client.post(f"/teams/{team}/runs", data={"csrf": token, "version_id": str(version)})
            ids.append(int(answer.headers["location"].rsplit("/", 1)[1]))
    _drain(url, timeout)
    return ids


def _drain(url: str, timeout: float) -> float:
    """Seconds until no run is queued or running (or ``timeout``)."""
    tick = time.perf_counter()
    while time.perf_counter() - tick < timeout:
        counts = _statuses(url)
        if not counts.get("queued") and not counts.get("running"):
            break
        time.sleep(0.25)
    return time.perf_counter() - tick


def _live(base: str, team: int, version: int, count: int) -> Record:
    """The editor's what-if re-plans on the default scenario through /api/live (the first, cold, call
    loads and plans the scenario; every move after it is a warm re-plan)."""
    import httpx2 as httpx

    from .live import slider_moves

    moves = slider_moves(count)
    with httpx.Client(base_url=base, timeout=120, headers=_from(1001)) as client:
        token = CSRF.search(client.get("/login").text).group(1)
        client.post("/login", data={"name": "user00", "password": PASSWORD, "csrf": token})
        token = CSRF.search(client.get(f"/teams/{team}").text).group(1)
        headers = {"X-CSRF-Token": token}
        tick = time.perf_counter()
        first = client.get(f"/api/live/{version}", headers=headers)
        first.raise_for_status()
        cold = time.perf_counter() - tick
        times, warm = [], 0
        for changes in moves:
            tick = time.perf_counter()
            answer = client.post(f"/api/live/{version}", json={"changes": changes, "whatifs": []}, headers=headers)
            times.append(time.perf_counter() - tick)
            answer.raise_for_status()
            warm += bool(answer.json().get("in_place"))
    return {
        "moves": len(times),
        "first_s": cold,
        "median_s": statistics.median(times),
        "p95_s": statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0],
        "in_place": warm,
        "target_s": LIVE_TARGET_S,
    }


def bench_workspace(users: int = 50, seconds: float = 60.0, workers: int = 2, moves: int = 20) -> Record:
    """The load test and the live re-plans; see the module's docstring."""
    from tests.pgserver import free_port

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/workspace.db"
        team, tiny, default, scenarios = _seed(url, users)
        site = {"team": team, "tiny": tiny, "scenarios": scenarios}
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "MATERIEL_DATABASE": url}
        log = Path(tmp) / "server.log"  # a file, not a pipe: a full pipe would stall the server's logging
        server = subprocess.Popen(
            [sys.executable, "-m", "materiel", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        try:
            for _ in range(600):
                try:
                    urllib.request.urlopen(f"{base}/login", timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
            seeded = _launch_and_wait(base, team, tiny, 2, url)
            tick = time.perf_counter()
            load = asyncio.run(_load(base, users, seconds, site, seeded))
            loaded_s = time.perf_counter() - tick
            drain_s = _drain(url, 900)
            statuses = _statuses(url)
            try:
                live = _live(base, team, default, moves)
            except Exception as exc:  # a server that no longer answers is a finding, kept in the record
                live = {"error": f"{type(exc).__name__}: {exc}", "target_s": LIVE_TARGET_S}
            processes = _tree(server.pid)
            peaks = {pid: _peak_mb(pid) for pid in processes}
        finally:
            server.terminate()
            server.wait(timeout=60)
        stderr = log.read_text(errors="replace")
    requests = sum(len(t) for t in load.times.values())
    pages = [t for kind, ts in load.times.items() if kind not in ("launch", "sign-in") for t in ts]
    return {
        "users": users,
        "seconds": seconds,
        "load_seconds": loaded_s,
        "queue_workers": workers,
        "database": "SQLite file",
        "scenario_launched": "tests/fixtures/tiny.yaml",
        "requests": requests,
        "requests_per_s": requests / loaded_s,
        "errors": len(load.errors),
        "error_examples": load.errors[:10],
        "launched": len(load.launched),
        "statuses": statuses,
        "all_done": set(statuses) == {"done"},  # every run in the store, launches whose answer was lost too
        "drain_s": drain_s,
        "latency": {kind: _percentiles(ts) for kind, ts in sorted(load.times.items())},
        "pages": _percentiles(pages),
        "live": live,
        "server_peak_mb": peaks.get(server.pid, 0.0),
        "worker_peak_mb": sorted((mb for pid, mb in peaks.items() if pid != server.pid), reverse=True),
        "server_errors": _error_kinds(stderr),
        "server_log_tail": stderr[-2000:],
        "load_average": [load_at_start, [round(x, 2) for x in os.getloadavg()]],
    }


def target_rows(ws: Record) -> list[tuple[str, str, str]]:
    """The workspace's targets as rows of docs/performance.md's table: (target, measured, verdict); storing
    a run against its solve has its own row (benchmarks/store.py)."""
    pages, live = ws["pages"], ws["live"]
    rows = [
        (
            f"workspace: pages p95 < {PAGE_TARGET_S * 1000:.0f} ms at {ws['users']} users",
            f"{pages['p95_ms']:.0f} ms p95 over {pages['n']:,} page requests; {ws['errors']} errors",
            _verdict(pages["p95_ms"] < PAGE_TARGET_S * 1000 and ws["errors"] == 0),
        ),
        (
            "workspace: every launched run completes",
            f"{ws['launched']} launched, runs in the store by status {ws['statuses']}, queue drained "
            f"{ws['drain_s']:.0f} s after the load",
            _verdict(set(ws["statuses"]) == {"done"} and ws["launched"] > 0),
        ),
        (
            f"workspace: a what-if re-plan from the editor < {live['target_s']:g} s (median, warm, default, via /api/live)",
            f"not measured: after the load the server did not answer ({live['error']})"
            if "error" in live
            else f"{live['median_s']:.3f} s median, {live['p95_s']:.3f} s p95 over {live['moves']} moves",
            "**not met**" if "error" in live else _verdict(live["median_s"] < live["target_s"]),
        ),
    ]
    return rows


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f}"


def section(ws: Record | None) -> list[str]:
    """The "Workspace" section of docs/performance.md."""
    if not ws:
        return ["Not measured in this run (`--workspace-only` measures it)."]
    again = (
        [f"Measured on its own (`--workspace-only`) at commit {ws['commit']}, {ws['measured']}.", ""]
        if "commit" in ws
        else []
    )
    live = ws["live"]
    lines = [
        *again,
        f"`materiel serve --workers {ws['queue_workers']}` on loopback over a fresh {ws['database']} "
        f"(made by the migrations), and {ws['users']} simulated users (asyncio, one HTTP client and session "
        f"each) for {ws['seconds']:.0f} s: they arrive spread over the first {ARRIVALS_S:.0f} s, each from an "
        "address of its own as the TLS proxy forwards it (`X-Forwarded-For`); each signs in, then, pausing 0.5–2 s between requests, opens the team, "
        "scenario, runs, run and compare pages and now and then launches a plan of "
        f"{ws['scenario_launched']} (weights {', '.join(f'{k} {v}' for k, v in ACTIONS.items())}). "
        f"Load average (1, 5, 15 min) at the start {ws['load_average'][0]}, at the end {ws['load_average'][1]}, "
        "on 2 cores shared by the server, its workers and the simulated users.",
        "",
        f"- requests: {ws['requests']:,} ({ws['requests_per_s']:.1f} a second); errors: **{ws['errors']}**"
        + (f" (first: {'; '.join(ws['error_examples'][:3])})" if ws["errors"] else ""),
        f"- runs launched during the load: {ws['launched']} answered; the queue drained {ws['drain_s']:.1f} s "
        f"after the load ended; the runs in the store by status at the end (the 2 made before the load and "
        f"any launch whose answer timed out included): {ws['statuses']}"
        + (" — every run completed" if set(ws["statuses"]) == {"done"} else " — **not every run completed**")
        + ("" if ws["launched"] else " (but no launch was answered during the load)"),
        f"- peak memory (VmHWM): server {ws['server_peak_mb']:.0f} MB; queue workers "
        + ", ".join(f"{mb:.0f}" for mb in ws["worker_peak_mb"])
        + " MB",
        "",
        "| request | n | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, p in ws["latency"].items():
        lines.append(f"| {kind} | {p['n']:,} | {_ms(p['p50_ms'])} | {_ms(p['p95_ms'])} | {_ms(p['p99_ms'])} |")
    p = ws["pages"]
    lines += [
        f"| **every page** (team, scenario, runs, run, compare) | {p['n']:,} | {_ms(p['p50_ms'])} "
        f"| **{_ms(p['p95_ms'])}** | {_ms(p['p99_ms'])} |",
        "",
        "*launch* is the launch form's POST (it queues the run and answers with a redirect); *sign-in* both the "
        "form and its POST (argon2 verifies the password on purpose slowly).",
        "",
        f"Errors in the server's log: {ws['server_errors'] or 'none'}.",
        "",
        f"What-if re-plans: not measured, the server did not answer after the load ({live['error']})."
        if "error" in live
        else f"What-if re-plans through the editor's endpoint (`POST /api/live/{{version}}`), after the load, on the "
        f"shipped default: the first request (which loads and plans the scenario) took {live['first_s']:.2f} s; "
        f"then {live['moves']} slider moves (benchmarks/live.py's seeded moves) took {live['median_s']:.3f} s "
        f"median, {live['p95_s']:.3f} s p95, {live['in_place']} of them re-solved in place — the target is "
        f"{live['target_s']:g} s. Storing a run against its solve is measured in *Storing runs* above.",
    ]
    return lines
