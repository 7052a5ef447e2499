"""Section 5, calls per operation: the emulator's journal beside the targets and the Go provider."""

from __future__ import annotations

from typing import Any

from okta_emulator import Emulator

from .harness import Bench, Run, api_calls, forget_state, new_apps, okta_config, progress
from .report import Row

GO_PROVIDER = {"create": 2, "refresh": 1, "action change": 2, "profile change": 2, "destroy": 0}
TARGETS = {"create": 1, "create, ?activate ignored": 2, "refresh": 1, "action change": 1, "destroy": 1}


def section_calls(bench: Bench, emulator: Emulator, rows: list[Row]) -> dict[str, Any]:
    progress("5. calls per operation (one resource; changes and destroy with -refresh=false)")
    emulator.latency_ms = 0
    env = bench.env(emulator)
    workdir = bench.workdir("calls")
    observed: dict[str, dict[str, Any]] = {}

    def count(operation: str, run: Run) -> None:
        calls = api_calls(emulator)
        observed[operation] = {"calls": len(calls), "exit_code": run.returncode, "journal": calls}
        progress(f"  {operation}: {len(calls)} ({'; '.join(calls)})")

    app_id = new_apps(emulator, 1)[0]
    (workdir / "main.tf").write_text(okta_config([app_id]))
    bench.init(workdir, env)
    emulator.store.clear_requests()
    count("create", bench.apply(workdir, env))
    emulator.store.clear_requests()
    count("refresh", bench.plan(workdir, env))
    (workdir / "main.tf").write_text(okta_config([app_id], token="t2"))
    emulator.store.clear_requests()
    count("profile change", bench.apply(workdir, env, "-refresh=false"))
    (workdir / "main.tf").write_text(okta_config([app_id], action="deactivate", token="t2"))
    emulator.store.clear_requests()
    count("action change", bench.apply(workdir, env, "-refresh=false"))
    (workdir / "main.tf").write_text(okta_config([app_id], token="t2"))
    emulator.store.clear_requests()
    count("action change back", bench.apply(workdir, env, "-refresh=false"))
    emulator.store.clear_requests()
    count("destroy", bench.run(workdir, env, "destroy", "-auto-approve", "-input=false", "-refresh=false"))

    ignoring = new_apps(emulator, 1)[0]
    (workdir / "main.tf").write_text(okta_config([ignoring]))
    forget_state(workdir)
    emulator.store.activate_in_post = False
    try:
        emulator.store.clear_requests()
        count("create, ?activate ignored", bench.apply(workdir, env))
    finally:
        emulator.store.activate_in_post = True

    second = bench.workdir("calls-import")
    (second / "main.tf").write_text(okta_config([ignoring]))
    bench.init(second, env)
    emulator.store.clear_requests()
    count("import", bench.run(second, env, "import", "-input=false", "okta_app_connection.many[0]", ignoring))

    order = [
        "create",
        "create, ?activate ignored",
        "refresh",
        "action change",
        "action change back",
        "profile change",
        "destroy",
        "import",
    ]
    for operation in order:
        target = TARGETS.get(operation)
        go = GO_PROVIDER.get(operation)
        notes = []
        if operation in GO_PROVIDER:
            notes.append(f"Go provider {go}")
        if operation == "destroy":
            notes.append("target: at most 1")
        if operation == "action change back":
            notes.append("deactivate -> activate")
            target = TARGETS["action change"]
        if operation == "create, ?activate ignored":
            notes.append("activate_in_post = False")
        rows.append(
            Row(
                "5. calls per operation",
                operation,
                float(observed[operation]["calls"]),
                None if target is None else float(target),
                "calls",
                "; ".join(notes) + ("; floor column is the target" if target is not None else ""),
            )
        )
    return {
        "note": "API calls in the emulator journal during the command; profile/action changes and destroy "
        "run with -refresh=false so only the operation is counted (a normal apply adds the refresh's calls)",
        "operations": observed,
        "go_provider": GO_PROVIDER,
        "targets": TARGETS,
    }
