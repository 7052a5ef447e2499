"""The fault model: random Terraform commands against the emulator, with random faults on any call.

A stateful property test (Hypothesis's RuleBasedStateMachine) drives the real servicer and
resource code in-process, over loopback HTTP to the in-process emulator, through sequences of
configure / change profile / change action / refresh / import / destroy on a few applications,
while `FaultInjector` (under the provider's retries, rate governor and logging) makes any attempt
meet a refused connection, a reset before or after the change lands, a 5xx, a 429 with sane or
garbage rate-limit headers, a truncated body or a slow answer. After every step it checks what
users rely on:

- after a successful step, state's `status` is what Okta reports (the emulator's admin API);
  after a failed apply that configured the connection at Okta, the connection is in state;
- a successful apply keeps every value it planned, leaves nothing unknown, and a plan after it
  (refresh included) plans no change;
- no step takes longer than its configured bounds allow (`request_timeout` per call,
  `max_wait_seconds`, a sane rate-limit reset; a wait for a reset beyond the one-minute window is
  cut short with Ctrl-C, after which the step must end at once), and none ends in an internal
  error;
- no secret (the API token, any connection token) appears in a diagnostic or a log record.

Terraform is modelled as it behaves: each command is a new provider process; state is what
ApplyResourceChange returned, a create with errors and a non-null state is recorded tainted
(the next apply replaces it), a failed refresh or import records nothing. The plan check runs
without faults. `HYPOTHESIS_PROFILE=dev` explores longer (see conftest.py and the README).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import pytest
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from okta_emulator import Emulator
from provider.plugin.servicer import INTERNAL_ERROR
from provider.provider import PROVIDER_SCHEMA
from provider.settings import ENVIRONMENT

from .injector import Fault, FaultInjector, attempt_faults
from .terraform import Command, State, inconsistencies, unknown_paths

API_TOKEN = "00fault-model-api-token-" + secrets.token_hex(8)
RATE_LIMIT = 1_000_000  # the emulator's own bucket never runs out: rate limits come as faults
APPS = 2
BASE_URLS = (None, "https://scim-a.example.com/v2", "https://scim-b.example.com/v2")
ACTIONS = ("activate", "deactivate")

# Bounds of a step: each API call may take `request_timeout` (retries and backoff included) plus
# this much for the attempt in flight; a step makes at most this many calls (an apply replacing a
# tainted connection: deactivate, the POST, the lifecycle call, each with a read-back).
ATTEMPT_SLACK = 0.5
STEP_SLACK = 5.0
IDLE_SLACK = 2.0
APPLY_CALLS = 6
OTHER_CALLS = 2
STOP_GRACE = 5.0  # after StopProvider (`stopping` set), how long a step may take to end

tokens = st.integers(min_value=0, max_value=2**40).map(lambda n: f"scim-secret-{n:010x}")


class LogRecords(logging.Handler):
    """Every log record, as text: the message, its arguments, extra fields and any traceback."""

    def __init__(self) -> None:
        super().__init__(level=1)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = f"{record.getMessage()} {vars(record)}"
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(text)


@contextmanager
def all_logs() -> Iterator[LogRecords]:
    """Capture every record of the provider and the emulator, down to TRACE (bodies included)."""
    handler = LogRecords()
    loggers = [logging.getLogger(name) for name in ("provider", "okta_emulator")]
    saved = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        # Not propagated: pytest would otherwise keep every TRACE record to print on a failure.
        logger.addHandler(handler)
        logger.setLevel(1)
        logger.propagate = False
    try:
        yield handler
    finally:
        for logger, (level, propagate) in zip(loggers, saved, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate


@dataclass
class Tracked:
    """One `okta_app_connection` as Terraform knows it: its configuration and its state."""

    app_id: str
    config: State | None = None
    state: State | None = None
    tainted: bool = False


def token_config(app_id: str, token: str, base_url: str | None, action: str) -> State:
    return {
        "id": app_id,
        "base_url": base_url,
        "action": action,
        "status": None,
        "authorize_url": None,
        "oauth_consent": None,
        "profile": {
            "auth_scheme": "TOKEN",
            "token": token,
            "client_id": None,
            "signing": None,
            "settings": None,
        },
    }


def _has_config(resource: Tracked) -> bool:
    return resource.config is not None


def _in_state(resource: Tracked) -> bool:
    return resource.state is not None


def _importable(resource: Tracked) -> bool:
    """Terraform imports into a configured address that has no state yet."""
    return resource.config is not None and resource.state is None


@dataclass(frozen=True)
class Harness:
    """What every example shares: the emulator, a client for its admin API, the log records."""

    emulator: Emulator
    admin: httpx.Client
    logs: LogRecords


class FaultModel(RuleBasedStateMachine):
    """Built by Hypothesis without arguments (so `@reproduce_failure` can go on this class)."""

    harness: ClassVar[Harness | None] = None

    def __init__(self) -> None:
        super().__init__()
        assert self.harness is not None, "test_fault_model sets the harness"
        self.emulator = self.harness.emulator
        self.admin = admin = self.harness.admin
        self.logs = self.harness.logs
        self.resources = [
            Tracked(admin.post("/emulator/apps", json={"kind": "org2org"}).json()["id"]) for _ in range(APPS)
        ]
        self.secrets = {API_TOKEN}
        self.provider_config: State = {}
        self.request_timeout = 0.0
        self.max_wait_seconds = 0.0

    def _pick(self, app: int, eligible: Callable[[Tracked], bool]) -> Tracked:
        """The `app`-th resource (modulo) among those a rule applies to; its precondition ensures one."""
        candidates = [resource for resource in self.resources if eligible(resource)]
        return candidates[app % len(candidates)]

    def _any(self, eligible: Callable[[Tracked], bool]) -> bool:
        return any(eligible(resource) for resource in self.resources)

    # --- the provider block -------------------------------------------------------------------

    @initialize(
        max_retries=st.integers(min_value=0, max_value=2),
        request_timeout=st.sampled_from([1, 2]),
        max_wait_seconds=st.sampled_from([0.5, 1]),
    )
    def provider_block(self, max_retries: int, request_timeout: int, max_wait_seconds: float) -> None:
        config: State = {attribute.name: None for attribute in PROVIDER_SCHEMA.attributes}
        config.update(
            org_url=self.emulator.url,
            api_token=API_TOKEN,
            max_retries=max_retries,
            min_wait_seconds=0.1,
            max_wait_seconds=max_wait_seconds,
            request_timeout=request_timeout,
        )
        self.provider_config = config
        self.request_timeout = float(request_timeout)
        self.max_wait_seconds = float(max_wait_seconds)

    # --- running a command, and what holds after any -------------------------------------------

    def _bound(self, calls: int, faults: list[Fault | None]) -> float:
        """The longest a step may take: each call's `request_timeout`, and the budget waits."""
        budget = sum(fault.budget_wait() for fault in faults if fault is not None)
        return STEP_SLACK + calls * (self.request_timeout + ATTEMPT_SLACK) + budget

    def _idle_bound(self, fault: Fault | None) -> float:
        """The longest from the end of an attempt that met `fault` to the end of the next one: a
        retry's backoff, the wait for the rate budget, then the attempt itself."""
        budget = 0.0 if fault is None else fault.budget_wait()
        return self.max_wait_seconds + budget + self.request_timeout + IDLE_SLACK

    def _overran(
        self, thread: threading.Thread, injector: FaultInjector, stopping: threading.Event, bound: float
    ) -> str:
        """Wait for the step; what it overran ("" if nothing): its bound, or the idle bound.

        A reset beyond the one-minute window may be bounded to it, so a correct provider may
        then wait up to a minute for the budget: rather than spend that minute, the watchdog
        presses Ctrl-C (StopProvider), after which the step must end at once.
        """
        give_up = time.monotonic() + bound
        while thread.is_alive():
            last = injector.last_fault
            idle_until = injector.last_progress + self._idle_bound(last)
            left = min(give_up, idle_until) - time.monotonic()
            if left > 0:
                thread.join(left)
            elif idle_until < give_up and last is not None and last.beyond_the_window:
                note(f"Ctrl-C while the provider waits after {last}")
                stopping.set()
                thread.join(STOP_GRACE)
                return "" if not thread.is_alive() else f"the step did not end {STOP_GRACE:g}s after Ctrl-C"
            elif idle_until < give_up:
                return f"no HTTP attempt ended for {self._idle_bound(last):g}s after one that met {last}"
            else:
                return f"the step ran for more than {bound:g}s"
        return ""

    def _command(
        self, label: str, calls: int, faults: list[Fault | None], body: Callable[[Command], None]
    ) -> Command:
        """Run `body` as one Terraform command under a watchdog, then check the step-wide invariants."""
        injector = FaultInjector(self.emulator, RATE_LIMIT)
        command = Command(self.provider_config, injector)
        self.admin.delete("/emulator/requests")
        self.logs.lines.clear()
        raised: list[BaseException] = []

        def run() -> None:
            try:
                if command.configure():
                    body(command)
            except BaseException as exc:
                raised.append(exc)

        started = time.monotonic()
        thread = threading.Thread(target=run, name="fault-model-step", daemon=True)
        injector.plan(faults)
        thread.start()
        overran = self._overran(thread, injector, command.stopping, self._bound(calls, faults))
        if overran:
            command.stopping.set()  # StopProvider: every wait must end now
            thread.join(STOP_GRACE)
        elapsed = time.monotonic() - started
        command.close()
        self.emulator.store.clear_faults()
        errors = [d.summary for d in command.diagnostics if d.severity == "error"]
        note(f"{label}: {elapsed:.2f}s, faults met {injector.served}, errors {errors}")
        assert not overran, (
            f"the step took longer than its configured bounds allow: {overran} (request_timeout "
            f"{self.request_timeout:g}, max_wait_seconds {self.max_wait_seconds:g}); "
            f"{'it ended within' if not thread.is_alive() else 'it was still running'} "
            f"{STOP_GRACE:g}s after StopProvider"
        )
        if raised:
            raise raised[0]
        internal = [d for d in command.diagnostics if d.summary == INTERNAL_ERROR]
        assert not internal, f"a step ended in an internal error: {internal}"
        for secret in self.secrets:
            leaked = [d for d in command.diagnostics if secret in d.summary or secret in d.detail]
            assert not leaked, f"a secret appears in diagnostics: {leaked}"
            assert not any(secret in line for line in self.logs.lines), "a secret appears in a log record"
        return command

    def _okta(self, app_id: str) -> dict[str, Any]:
        """The connection as the emulator's admin API reports it."""
        view: dict[str, Any] = self.admin.get(f"/emulator/apps/{app_id}").json()
        return view

    def _okta_acted(self, app_id: str) -> bool:
        """Whether Okta configured or enabled this connection during the last step (the journal).
        A deactivation does not count: it is how a replacement's destroy leaves the connection."""
        prefix = f"/api/v1/apps/{app_id}/connections/default"
        return any(
            entry["method"] == "POST"
            and entry["path"].startswith(prefix)
            and not entry["path"].endswith("/lifecycle/deactivate")
            and (200 <= entry["status"] < 300 or entry["fault"] == "reset_after")
            for entry in self.admin.get("/emulator/requests").json()
        )

    def _check_status(self, resource: Tracked) -> None:
        """After a successful step: state's status is Okta's."""
        if resource.state is not None:
            okta = self._okta(resource.app_id)["status"]
            assert resource.state["status"] == okta, (
                f"state says status {resource.state['status']}, Okta says {okta}"
            )

    # --- terraform apply ----------------------------------------------------------------------

    def _apply(self, resource: Tracked, faults: list[Fault | None]) -> None:
        outcome: dict[str, Any] = {}

        def body(command: Command) -> None:
            if resource.state is not None and resource.tainted:
                ok, _, _ = command.plan(resource.state, None)
                if not ok:
                    return
                resource.state = command.apply(resource.state, None, None)
                if command.failed:
                    return
                resource.tainted = False
            ok, planned, replace = command.plan(resource.state, resource.config)
            assert not replace, "a plan with the same id asks for replacement"
            if not ok or planned == resource.state:
                return
            creating = resource.state is None
            new_state = command.apply(resource.state, planned, resource.config)
            outcome.update(planned=planned, new_state=new_state)
            resource.state = new_state
            resource.tainted = creating and command.failed and new_state is not None

        command = self._command(f"apply {resource.app_id}", APPLY_CALLS, faults, body)
        if "new_state" not in outcome:
            return
        new_state = outcome["new_state"]
        assert new_state is None or not unknown_paths(new_state), (
            f"Terraform refuses unknown values after apply: {unknown_paths(new_state)}"
        )
        if command.failed:
            if self._okta_acted(resource.app_id) and self._okta(resource.app_id)["configured"]:
                assert resource.state is not None, (
                    "the apply failed after Okta configured the connection, and state does not have it"
                )
            return
        assert new_state is not None, "a successful apply returned no state"
        drift = inconsistencies(outcome["planned"], new_state)
        assert not drift, f"Provider produced inconsistent result after apply: {drift}"
        self._check_status(resource)
        self._plan_has_no_changes(resource)

    def _plan_has_no_changes(self, resource: Tracked) -> None:
        """`terraform plan` right after a successful apply, without faults: refresh, then plan."""
        result: dict[str, Any] = {}

        def body(command: Command) -> None:
            ok, refreshed = command.read(resource.state or {})
            assert ok and refreshed is not None, "the refresh after a successful apply failed"
            planned_ok, planned, replace = command.plan(refreshed, resource.config)
            result.update(ok=planned_ok, refreshed=refreshed, planned=planned, replace=replace)

        self._command(f"plan {resource.app_id}", OTHER_CALLS, [], body)
        assert result["ok"], "the plan after a successful apply failed"
        planned, refreshed = result["planned"], result["refreshed"]
        changed = sorted(name for name in planned if planned[name] != refreshed.get(name))
        assert not result["replace"] and not changed, f"the plan after a successful apply changes {changed}"

    @rule(
        app=st.integers(min_value=0, max_value=APPS - 1),
        token=tokens,
        base_url=st.sampled_from(BASE_URLS),
        action=st.sampled_from(ACTIONS),
        faults=attempt_faults(),
    )
    def configure(self, app: int, token: str, base_url: str | None, action: str, faults: list[Any]) -> None:
        resource = self.resources[app]
        self.secrets.add(token)
        resource.config = token_config(resource.app_id, token, base_url, action)
        self._apply(resource, faults)

    @rule(
        app=st.integers(min_value=0, max_value=APPS - 1),
        token=tokens,
        base_url=st.sampled_from(BASE_URLS),
        faults=attempt_faults(),
    )
    @precondition(lambda self: self._any(_has_config))
    def change_profile(self, app: int, token: str, base_url: str | None, faults: list[Any]) -> None:
        resource = self._pick(app, _has_config)
        self.secrets.add(token)
        resource.config = {**resource.config, "base_url": base_url}
        resource.config["profile"] = {**resource.config["profile"], "token": token}
        self._apply(resource, faults)

    @rule(
        app=st.integers(min_value=0, max_value=APPS - 1),
        action=st.sampled_from(ACTIONS),
        faults=attempt_faults(),
    )
    @precondition(lambda self: self._any(_has_config))
    def change_action(self, app: int, action: str, faults: list[Any]) -> None:
        resource = self._pick(app, _has_config)
        resource.config = {**resource.config, "action": action}
        self._apply(resource, faults)

    # --- terraform refresh, import, destroy -----------------------------------------------------

    @rule(app=st.integers(min_value=0, max_value=APPS - 1), faults=attempt_faults())
    @precondition(lambda self: self._any(_in_state))
    def refresh(self, app: int, faults: list[Any]) -> None:
        resource = self._pick(app, _in_state)
        current = resource.state

        def body(command: Command) -> None:
            ok, refreshed = command.read(current)
            if ok:
                resource.state = refreshed

        command = self._command(f"refresh {resource.app_id}", OTHER_CALLS, faults, body)
        if not command.failed:
            self._check_status(resource)

    @rule(app=st.integers(min_value=0, max_value=APPS - 1), faults=attempt_faults())
    @precondition(lambda self: self._any(_importable))
    def import_(self, app: int, faults: list[Any]) -> None:
        resource = self._pick(app, _importable)

        def body(command: Command) -> None:
            imported = command.import_(resource.app_id)
            if imported is not None:
                resource.state, resource.tainted = imported, False

        command = self._command(f"import {resource.app_id}", OTHER_CALLS, faults, body)
        if not command.failed:
            assert resource.state is not None, "a successful import recorded nothing"
            self._check_status(resource)

    @rule(app=st.integers(min_value=0, max_value=APPS - 1), faults=attempt_faults())
    @precondition(lambda self: self._any(_in_state))
    def destroy(self, app: int, faults: list[Any]) -> None:
        resource = self._pick(app, _in_state)
        prior = resource.state

        def body(command: Command) -> None:
            ok, _, _ = command.plan(prior, None)
            if ok:
                resource.state = command.apply(prior, None, None)
                resource.tainted = resource.tainted and resource.state is not None

        command = self._command(f"destroy {resource.app_id}", OTHER_CALLS, faults, body)
        if not command.failed:
            assert resource.state is None, "a successful destroy left the resource in state"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator(api_token=API_TOKEN, rate_limit_per_minute=RATE_LIMIT) as emu:
        yield emu


def test_fault_model(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    with all_logs() as logs, httpx.Client(base_url=emulator.url, timeout=10) as admin:
        monkeypatch.setattr(FaultModel, "harness", Harness(emulator, admin, logs))
        run_state_machine_as_test(FaultModel)
