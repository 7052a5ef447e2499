"""The provider's benchmark suite: every figure beside its floor, against the real `terraform` CLI.

    .venv/bin/python benchmarks/run.py [--quick] [--out benchmarks/results/latest.json] [--dist dist]

Terraform starts the provider in a filesystem mirror (`provider.install`), and the provider
talks HTTP to the in-process Okta emulator on loopback. Each section compares what the provider
costs with the least anything could cost for the same work (its "floor"):

1. start-up: process start until the go-plugin handshake, for the venv launcher and the release
   binary (dist/*.zip, when built), beside a bare `python -c "import grpc"` (benchmarks/startup.py
   does the measuring), and the launcher again beside the "framework floor", a Python importing
   what every provider on `tf` with mutual TLS needs (protobuf, tf's protocol modules, ssl);
2. one resource: `terraform plan` / `apply` / refreshing `plan` of one `okta_app_connection` at
   0 ms latency, beside the same commands on one built-in `terraform_data` (median of runs, each
   apply on a fresh state);
3. scale: apply (create N) and refreshing plan for N x latency x -parallelism, with the provider's
   `max_concurrent_requests` set to the -parallelism value; floor = T(terraform_data, N, command)
   + S x T(start-up floor) + ceil(N x k / P) x latency, S = 4 for apply and 3 for plan, k = API
   calls per resource measured from the emulator's journal; each cell is the median of 3 runs;
3b. the same cells beside a floor whose terraform_data state is as large as the provider's (its
   strings padded): Terraform rewrites the whole local state after each resource it applies, so
   its own apply time grows with N x the state's size, which the schema, not the provider, sets;
   floor = max(T(padded terraform_data, N, command), ceil(N x k / P) x latency) + S x T(start-up
   floor), as that work is long enough to overlap the waits;
3c. the largest N at the highest latency again, the provider in turns with the plugin floor
   (`floor_provider.py`): the provider itself, same configuration and state, with its Okta
   client replaced by one that only waits the latency; the floor's time beside section 3's
   floor is the least a provider with this schema on this stack reaches, and the provider's
   beside the plugin floor's is what its HTTP client costs (the emulator's work included);
4. CPU per API call: user+sys CPU of every provider process during an apply of N=200 at 0 ms,
   divided by the API calls made, beside a bare httpx.Client GET loop against the emulator;
5. calls per operation (create, create when the org ignores ?activate, refresh, action change,
   profile change, destroy, import), beside the official Go provider's counts and the targets;
6. rate-limited: 300 creates against a 600/minute bucket (a 60 s window as at Okta, and the same
   rate in 10 s windows, which the creates outrun): wall time beside N x k / rate, failures and
   the share of calls answered 429;
6b. concurrent runs: three `terraform apply` at once, 45 creates each, against one bucket of 100
   a minute at 20 ms latency (issue 17's case), each provider knowing of the others only through
   the rate-limit headers: wall time beside N x k / rate in whole windows, failures and the share
   of calls answered 429;
7. memory: peak resident memory (VmHWM) of the provider during an apply and a refreshing plan of
   N=1000, beside a Python process that imports grpc;
8. where the CPU goes in those two runs: Terraform's own CPU beside its CPU for as many
   terraform_data, plain and padded to the same state size (section 3, when it ran that N), and
   the wall time beside all the CPU spent spread over the cores.

CPU and memory come from a wrapped launcher in a second plugin mirror: it runs the real
`provider.main` and, at exit, appends the process's `getrusage(RUSAGE_SELF)` CPU, its VmHWM and
its lifetime to the file named by OKTA_BENCH_CPU_FILE. (Not ru_maxrss: Terraform starts plugins
with vfork/CLONE_VM, and exec folds the parent's peak into the child's ru_maxrss, so it reports
Terraform's memory.) Everything (HOME, TMPDIR, the CLI config, mirrors, working directories)
lives in one temporary directory, removed at the end; TF_*/OKTA_*/CHECKPOINT*/PLUGIN_* variables
of the caller are not passed on. The emulator runs in this process, so at 0 ms latency it
competes with Terraform and the provider for the same cores.

The default run takes 20 to 25 minutes on 2 cores, with the VM's speed; `--quick` (N=50/60/100,
fewer repeats, the rate-limit window scaled down to 10 calls a second, the same rate, and 6b's to
10 s) under 2. `--only rate_limited` or `--only concurrent_runs` (repeatable) runs just those
sections, which start their own emulator.
Prints one table and progress lines on stderr; writes every figure, with machine details, as
JSON. It is a benchmark: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import startup

from okta_emulator import AppKind, Emulator
from provider.install import install

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "latest.json"
API_TOKEN = "00benchmark-api-token-5d2e8a"
USAGE_VARIABLE = "OKTA_BENCH_CPU_FILE"
COMMAND_TIMEOUT = 1800.0
CPU_SECTION = "8. where the CPU goes (the memory runs, 0 ms)"
SAME_SIZE_SECTION = "3b. scale, beside terraform_data with a state as large"
PLUGIN_FLOOR_SECTION = "3c. scale, beside the plugin floor: the provider with no HTTP"
CONCURRENT_SECTION = "6b. rate-limited, concurrent runs on one bucket"
CONCURRENT_LATENCY_MS = 20
FLOOR_PROVIDER = REPO / "benchmarks" / "floor_provider.py"
UNLIMITED = 1_000_000_000  # requests per window: the rate limit out of the way
STARTUPS = {"apply": 4, "plan": 3}  # S in the scale floor: provider starts per command
LABELS = {"apply": "apply (create N)", "plan": "plan (refresh N)"}
AUTO = {"apply": ("-auto-approve",), "plan": ()}
GO_PROVIDER = {"create": 2, "refresh": 1, "action change": 2, "profile change": 2, "destroy": 0}
TARGETS = {"create": 1, "create, ?activate ignored": 2, "refresh": 1, "action change": 1, "destroy": 1}

HEADER = """\
terraform {
  required_providers {
    okta = {
      source = "okta-py/okta"
    }
  }
}
"""

WRAPPER = '''\
#!{python} -I
"""Benchmark launcher: the provider, appending its CPU time, peak RSS and lifetime to $VAR at exit."""
import atexit
import os
import resource
import time

_STARTED = time.time()


def _peak_kib() -> int:
    # VmHWM: the peak of this process's own memory. ru_maxrss is not: Go and Python start
    # children with vfork/CLONE_VM, and exec folds the parent's peak into the child's ru_maxrss.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def _record() -> None:
    path = os.environ.get("{variable}")
    if path:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        line = (
            f"{{os.getpid()}} {{usage.ru_utime:.6f}} {{usage.ru_stime:.6f}} {{_peak_kib()}} "
            f"{{usage.ru_maxrss}} {{_STARTED:.6f}} {{time.time():.6f}}\\n"
        )
        with open(path, "a") as file:
            file.write(line)


atexit.register(_record)

from provider.main import main  # noqa: E402

main()
'''

# The plugin floor's launcher, installed where Terraform looks for okta-py/okta in its own mirror.
FLOOR_LAUNCHER = '''\
#!{python} -I
"""Benchmark launcher: the plugin floor, the provider with Okta answered in-process, no HTTP."""
import runpy

runpy.run_path({path!r}, run_name="__main__")
'''

# The memory floor: a process that imports grpc, reporting its own peak (see the wrapper).
IMPORT_GRPC_PEAK = """\
import grpc
with open("/proc/self/status") as status:
    print(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""

# The floor of section 4, run in its own process so that only the client's CPU is counted.
HTTPX_LOOP = """\
import resource, sys, httpx
url, token, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
headers = {"Authorization": f"SSWS {token}", "Accept": "application/json"}
with httpx.Client(headers=headers) as client:
    for _ in range(20):
        client.get(url).raise_for_status()
    before = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(calls):
        client.get(url)
    after = resource.getrusage(resource.RUSAGE_SELF)
print(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
"""

STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    """One line of the table: a figure beside its floor."""

    section: str
    case: str
    value: float | None
    floor: float | None
    unit: str
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.floor is None or self.floor <= 0:
            return None
        return self.value / self.floor

    def to_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "section": self.section,
            "case": self.case,
            "value": None if self.value is None else round(self.value, 4),
            "floor": None if self.floor is None else round(self.floor, 4),
            "unit": self.unit,
            "ratio": None if ratio is None else round(ratio, 3),
            "note": self.note,
        }


@dataclass
class Run:
    """One finished terraform command.

    `children_cpu`: user+sys CPU of Terraform and every provider process it started (they are
    reaped, so RUSAGE_CHILDREN counts them); `own_cpu`: this process's meanwhile, which is
    mostly the in-process emulator answering.
    """

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    children_cpu: float = 0.0
    own_cpu: float = 0.0

    def cpu_json(self) -> dict[str, float]:
        return {
            "terraform_and_providers_cpu_s": round(self.children_cpu, 3),
            "emulator_and_harness_cpu_s": round(self.own_cpu, 3),
        }


@dataclass(frozen=True)
class Usage:
    """What one provider process recorded at exit (times from just after the interpreter started)."""

    pid: int
    cpu_seconds: float
    peak_rss_kib: int  # VmHWM; -1 where /proc is missing
    ru_maxrss_kib: int  # includes the spawning parent's peak: not the provider's own
    started: float
    ended: float


@dataclass
class Profile:
    """The mode's sizes and repeats."""

    startup_runs: int
    startup_warmups: int
    one_resource_runs: int
    scale_sizes: list[int]
    scale_repeats: int
    latencies_ms: list[int]
    parallelisms: list[int]
    cpu_resources: int
    floor_calls: int
    rate_resources: int
    rate_buckets: list[tuple[int, int]]  # (limit, window seconds), each 600/minute
    concurrent_runs: int
    concurrent_creates: int  # per run
    concurrent_bucket: tuple[int, int]  # (limit, window seconds)
    memory_resources: int


FULL = Profile(
    startup_runs=15,
    startup_warmups=2,
    one_resource_runs=5,
    scale_sizes=[200, 1000],
    scale_repeats=3,
    latencies_ms=[0, 50],
    parallelisms=[10, 30],
    cpu_resources=200,
    floor_calls=500,
    rate_resources=300,
    rate_buckets=[(600, 60), (100, 10)],
    concurrent_runs=3,
    concurrent_creates=45,
    concurrent_bucket=(100, 60),
    memory_resources=1000,
)
QUICK = Profile(
    startup_runs=5,
    startup_warmups=1,
    one_resource_runs=3,
    scale_sizes=[50],
    scale_repeats=1,
    latencies_ms=[0, 50],
    parallelisms=[10, 30],
    cpu_resources=50,
    floor_calls=500,
    rate_resources=60,
    rate_buckets=[(10, 1)],
    concurrent_runs=3,
    concurrent_creates=45,
    concurrent_bucket=(100, 10),
    memory_resources=100,
)


def okta_config(
    app_ids: Sequence[str], *, action: str = "activate", token: str = "t", **settings: int
) -> str:
    """`okta_app_connection.many[*]`, one per application, with these provider settings."""
    arguments = "".join(f"  {name} = {value}\n" for name, value in settings.items())
    ids = ", ".join(f'"{app_id}"' for app_id in app_ids)
    return f"""{HEADER}
provider "okta" {{
{arguments}}}

locals {{
  app_ids = [{ids}]
}}

resource "okta_app_connection" "many" {{
  count  = length(local.app_ids)
  id     = local.app_ids[count.index]
  action = "{action}"
  profile {{
    auth_scheme = "TOKEN"
    token       = "{token}"
  }}
}}
"""


def data_config(count: int, input_length: int = 1) -> str:
    """The floor: `count` built-in terraform_data resources, no provider to start.

    Each holds a string of `input_length` characters, twice in state (as input and output).
    """
    return f"""
resource "terraform_data" "many" {{
  count = {count}
  input = "{"x" * input_length}"
}}
"""


def state_bytes(workdir: Path) -> int:
    return (workdir / "terraform.tfstate").stat().st_size


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def read_usage(path: Path) -> list[Usage]:
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        pid, user, system, peak, maxrss, started, ended = line.split()
        cpu = float(user) + float(system)
        found.append(Usage(int(pid), cpu, int(peak), int(maxrss), float(started), float(ended)))
    return sorted(found, key=lambda usage: usage.started)


def import_grpc_peak_kib(python: str, env: dict[str, str]) -> int:
    """Peak resident memory (VmHWM, KiB) of a Python process that imports grpc."""
    done = subprocess.run([python, "-c", IMPORT_GRPC_PEAK], env=env, capture_output=True, text=True)
    return int(done.stdout.strip() or -1)


class Bench:
    """The isolated world every command runs in: HOME, TMPDIR, mirrors, CLI configs, work dirs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.home.mkdir()
        self.tmp.mkdir()
        found = shutil.which("terraform")
        if found is None:
            raise SystemExit("no terraform on PATH (./build.sh installs one under .tools/)")
        self.terraform = found
        self.python = startup.venv_python()
        self.plain_config = self._mirror("plain")
        self.wrapped_config = self._mirror(
            "wrapped", WRAPPER.format(python=self.python, variable=USAGE_VARIABLE)
        )
        self.floor_config = self._mirror(
            "floor", FLOOR_LAUNCHER.format(python=self.python, path=str(FLOOR_PROVIDER))
        )
        self._workdirs = 0

    def _mirror(self, name: str, launcher_text: str | None = None) -> Path:
        """A filesystem mirror holding okta-py/okta; `launcher_text` replaces its launcher."""
        mirror = self.root / f"mirror-{name}"
        launcher = install(mirror, interpreter=self.python)
        if launcher_text is not None:
            launcher.write_text(launcher_text)
        config = self.root / f"terraformrc-{name}"
        config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
        )
        return config

    def env(self, emulator: Emulator | None = None, *, wrapped: bool = False) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TF_", "OKTA_", "CHECKPOINT", "PLUGIN_"))
        }
        env.update(
            HOME=str(self.home),
            TMPDIR=str(self.tmp),
            TF_CLI_CONFIG_FILE=str(self.wrapped_config if wrapped else self.plain_config),
            CHECKPOINT_DISABLE="1",
            TF_IN_AUTOMATION="1",
        )
        if emulator is not None:
            env.update(OKTA_ORG_URL=emulator.url, OKTA_API_TOKEN=API_TOKEN)
        return env

    def floor_env(self, emulator: Emulator, latency_ms: int) -> dict[str, str]:
        """Where okta-py/okta is the plugin floor, waiting `latency_ms` per call to Okta."""
        return {
            **self.env(emulator),
            "TF_CLI_CONFIG_FILE": str(self.floor_config),
            "FLOOR_LATENCY_MS": str(latency_ms),
        }

    def workdir(self, name: str) -> Path:
        self._workdirs += 1
        path = self.root / "work" / f"{self._workdirs:02d}-{name}"
        path.mkdir(parents=True)
        return path

    def run(self, workdir: Path, env: dict[str, str], *args: str) -> Run:
        children, own = cpu_seconds(resource.RUSAGE_CHILDREN), cpu_seconds(resource.RUSAGE_SELF)
        started = time.perf_counter()
        done = subprocess.run(
            [self.terraform, *args, "-no-color"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        run = Run(
            time.perf_counter() - started,
            done.returncode,
            done.stdout,
            done.stderr,
            cpu_seconds(resource.RUSAGE_CHILDREN) - children,
            cpu_seconds(resource.RUSAGE_SELF) - own,
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-8:]
            progress(f"  terraform {args[0]} exited {done.returncode}: " + " | ".join(tail))
        return run

    def init(self, workdir: Path, env: dict[str, str]) -> None:
        done = self.run(workdir, env, "init", "-input=false")
        if done.returncode != 0:
            raise SystemExit(f"terraform init failed in {workdir}:\n{done.stdout}\n{done.stderr}")

    def apply(self, workdir: Path, env: dict[str, str], *args: str) -> Run:
        return self.run(workdir, env, "apply", "-auto-approve", "-input=false", *args)

    def plan(self, workdir: Path, env: dict[str, str], *args: str) -> Run:
        return self.run(workdir, env, "plan", "-input=false", *args)

    def command(self, workdir: Path, env: dict[str, str], command: str, *args: str) -> Run:
        """`apply` or `plan`, as the sections name them."""
        return self.apply(workdir, env, *args) if command == "apply" else self.plan(workdir, env, *args)

    def version(self) -> str:
        done = subprocess.run(
            [self.terraform, "version", "-json"], env=self.env(), capture_output=True, text=True, check=False
        )
        try:
            return str(json.loads(done.stdout)["terraform_version"])
        except (ValueError, KeyError):
            return done.stdout.strip()


def forget_state(workdir: Path) -> None:
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        (workdir / name).unlink(missing_ok=True)


def new_apps(emulator: Emulator, count: int) -> list[str]:
    return [emulator.store.add_app(AppKind.ORG2ORG) for _ in range(count)]


def api_calls(emulator: Emulator) -> list[str]:
    """The journal as `METHOD /suffix?query` (suffix after /connections/default), oldest first."""
    calls = []
    for entry in emulator.store.requests():
        suffix = entry.path.rsplit("/default", 1)[-1] if "/connections/default" in entry.path else entry.path
        query = "&".join(f"{key}={value}" for key, value in sorted(entry.query.items()))
        calls.append(f"{entry.method} {suffix or '/'}{'?' + query if query else ''} -> {entry.status}")
    return calls


# --- 1. start-up --------------------------------------------------------------------------------


def section_startup(
    bench: Bench, profile: Profile, dist: Path, rows: list[Row]
) -> tuple[float, dict[str, Any]]:
    """Returns the floor's median in seconds, and the section's JSON; the release comes from `dist`."""
    progress("1. start-up: time to the go-plugin handshake")
    python = bench.python
    archive = startup.release_zip(dist)
    scratch = bench.root / "startup"
    (scratch / "tmp").mkdir(parents=True)
    env = startup.plugin_environment(home=bench.home, tmp=scratch / "tmp")
    cases = startup.python_cases(python)
    skipped = startup.release_problem(archive)
    if skipped is None:
        executable = startup.extract(archive, scratch / "package")
        cases.append(startup.Case("release binary (PyInstaller)", [str(executable)], archive.name))
    else:
        progress(f"  release binary not measured: {skipped}")
    for case in cases:
        for _ in range(profile.startup_warmups):
            startup.time_to_first_line(case.command, env)
        case.samples_ms = [
            startup.time_to_first_line(case.command, env) * 1000 for _ in range(profile.startup_runs)
        ]
        progress(f"  {case.name}: median {case.median_ms:.1f} ms")
    floor, framework = cases[0], cases[1]  # python_cases: floor, framework floor, launcher
    for case in cases[1:]:
        rows.append(Row("1. start-up", case.name, case.median_ms, floor.median_ms, "ms", "median"))
    launcher = cases[2]
    rows.append(
        Row(
            "1. start-up",
            f"{launcher.name}, beside the framework floor",
            launcher.median_ms,
            framework.median_ms,
            "ms",
            "median; the provider's own share",
        )
    )
    report = {
        "measure": "process start until the first stdout line (the go-plugin handshake)",
        "runs": profile.startup_runs,
        "warmups": profile.startup_warmups,
        "floor_median_ms": round(floor.median_ms, 2),
        "cases": [
            {
                "name": case.name,
                "command": case.shown or " ".join(case.command),
                "median_ms": round(case.median_ms, 2),
                "p90_ms": round(case.p90_ms, 2),
                "samples_ms": [round(sample, 2) for sample in case.samples_ms],
            }
            for case in cases
        ],
        "release_binary_skipped": skipped,
    }
    return floor.median_ms / 1000, report


# --- 2. one resource ----------------------------------------------------------------------------


def section_one_resource(
    bench: Bench, emulator: Emulator, profile: Profile, startup_floor: float, rows: list[Row]
) -> dict[str, Any]:
    progress(f"2. one resource: {profile.one_resource_runs} runs (+1 warm-up) per command")
    commands = ("plan (no state: create)", "apply (create)", "plan (refresh)")
    medians: dict[str, dict[str, float]] = {}
    samples: dict[str, dict[str, list[float]]] = {}
    for kind in ("terraform_data", "okta_app_connection"):
        workdir = bench.workdir(f"one-{kind}")
        env = bench.env(emulator)
        okta = kind == "okta_app_connection"
        (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)) if okta else data_config(1))
        bench.init(workdir, env)
        taken: dict[str, list[float]] = {command: [] for command in commands}
        for repeat in range(profile.one_resource_runs + 1):
            if okta:  # a fresh application each time: every apply is a real create
                (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)))
            forget_state(workdir)
            runs = [bench.plan(workdir, env), bench.apply(workdir, env), bench.plan(workdir, env)]
            if repeat > 0:
                for command, run in zip(commands, runs, strict=True):
                    taken[command].append(run.seconds)
        samples[kind] = taken
        medians[kind] = {command: statistics.median(values) for command, values in taken.items()}
        shown = ", ".join(f"{command} {seconds:.2f} s" for command, seconds in medians[kind].items())
        progress(f"  {kind}: {shown}")

    # Anatomy, once, with the wrapped launcher: how often Terraform starts the provider per
    # command, and how long each process lives and computes.
    workdir = bench.workdir("one-anatomy")
    (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)))
    bench.init(workdir, bench.env(emulator, wrapped=True))
    anatomy: dict[str, Any] = {}
    for command in commands:
        usage_file = bench.root / "usage-anatomy"
        run, summary = measured_command(bench, emulator, workdir, command.split()[0], usage_file)
        anatomy[command] = {"seconds": round(run.seconds, 3), "exit_code": run.returncode, **summary}
        lives = [process["alive_until_s"] - process["alive_from_s"] for process in summary["processes"]]
        progress(
            f"  anatomy of {command}: {run.seconds:.2f} s, {len(lives)} provider processes alive "
            f"{', '.join(f'{life:.2f}' for life in lives)} s"
        )

    for command in commands:
        starts = anatomy[command]["provider_processes"]
        with_startups = medians["terraform_data"][command] + starts * startup_floor
        rows.append(
            Row(
                "2. one resource",
                f"terraform {command}",
                medians["okta_app_connection"][command],
                medians["terraform_data"][command],
                "s",
                f"median; floor: one terraform_data; provider started {starts}x, "
                f"floor + {starts} x start-up floor = {with_startups:.2f} s",
            )
        )
    return {
        "runs": profile.one_resource_runs,
        "latency_ms": 0,
        "median_seconds": {kind: {c: round(s, 3) for c, s in m.items()} for kind, m in medians.items()},
        "samples_seconds": {
            kind: {c: [round(s, 3) for s in values] for c, values in taken.items()}
            for kind, taken in samples.items()
        },
        "anatomy_wrapped_launcher": anatomy,
    }


# --- 3. scale -----------------------------------------------------------------------------------


def section_scale(
    bench: Bench, emulator: Emulator, profile: Profile, startup_floor: float, rows: list[Row]
) -> dict[str, Any]:
    repeats = profile.scale_repeats
    progress(
        f"3. scale: N in {profile.scale_sizes}, latency in {profile.latencies_ms} ms, "
        f"-parallelism in {profile.parallelisms} (max_concurrent_requests = -parallelism), "
        f"median of {repeats} run(s) each"
    )
    commands = ("apply", "plan")
    baselines: dict[int, dict[str, list[float]]] = {}
    baseline_cpu: dict[int, dict[str, list[dict[str, float]]]] = {}
    matched: dict[int, dict[str, Any]] = {}
    cells: list[dict[str, Any]] = []
    for size in profile.scale_sizes:
        workdir = bench.workdir(f"scale-data-{size}")
        baselines[size], baseline_cpu[size] = data_runs(bench, workdir, data_config(size), repeats)
        baseline = {command: statistics.median(baselines[size][command]) for command in commands}
        data_state_bytes = state_bytes(workdir)
        progress(f"  terraform_data N={size}: apply {baseline['apply']:.2f} s, plan {baseline['plan']:.2f} s")

        workdir = bench.workdir(f"scale-okta-{size}")
        env = bench.env(emulator)
        (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)))
        bench.init(workdir, env)
        for latency in profile.latencies_ms:
            emulator.latency_ms = latency
            for parallelism in profile.parallelisms:
                flag = f"-parallelism={parallelism}"
                runs: dict[str, list[Run]] = {command: [] for command in commands}
                calls: dict[str, list[int]] = {command: [] for command in commands}
                peaks: dict[str, list[int]] = {command: [] for command in commands}
                for _ in range(repeats):
                    app_ids = new_apps(emulator, size)
                    config = okta_config(app_ids, max_concurrent_requests=parallelism)
                    (workdir / "main.tf").write_text(config)
                    forget_state(workdir)
                    for command in commands:
                        emulator.store.clear_requests()
                        run = bench.command(workdir, env, command, flag)
                        runs[command].append(run)
                        calls[command].append(len(emulator.store.requests()))
                        peaks[command].append(emulator.store.peak_in_flight)
                cell: dict[str, Any] = {"n": size, "latency_ms": latency, "parallelism": parallelism}
                for command in commands:
                    seconds = statistics.median(run.seconds for run in runs[command])
                    made = round(statistics.median(calls[command]))
                    waits = math.ceil(made / parallelism) * latency / 1000
                    floor = baseline[command] + STARTUPS[command] * startup_floor + waits
                    failed = [run.returncode for run in runs[command] if run.returncode]
                    cell[command] = {
                        "seconds": round(seconds, 3),
                        "samples_seconds": [round(run.seconds, 3) for run in runs[command]],
                        "samples_cpu": [run.cpu_json() for run in runs[command]],
                        "exit_codes": [run.returncode for run in runs[command]],
                        "api_calls": calls[command],
                        "calls_per_resource": round(made / size, 3),
                        "peak_in_flight": max(peaks[command]),
                        "floor_seconds": round(floor, 3),
                        "floor_terms": {
                            "terraform_data": round(baseline[command], 3),
                            "startups": round(STARTUPS[command] * startup_floor, 3),
                            "latency_waits": round(waits, 3),
                        },
                    }
                    label = LABELS[command]
                    rows.append(
                        Row(
                            "3. scale",
                            f"N={size} {latency:>2} ms P={parallelism} {label}",
                            seconds,
                            floor,
                            "s",
                            f"k={made / size:.2f}, peak in flight {max(peaks[command])}"
                            + (f", exit codes {failed}" if failed else ""),
                        )
                    )
                    shown = ", ".join(f"{run.seconds:.2f}" for run in runs[command])
                    last = runs[command][-1]
                    progress(
                        f"  N={size} latency={latency} ms P={parallelism} {command}: {shown} s "
                        f"(floor {floor:.2f} s, {made} calls, peak in flight {max(peaks[command])}; "
                        f"CPU terraform+provider {last.children_cpu:.1f} s, emulator {last.own_cpu:.1f} s)"
                    )
                cells.append(cell)
        emulator.latency_ms = 0
        okta_state_bytes = state_bytes(workdir)
        matched[size] = same_size_baseline(bench, size, data_state_bytes, okta_state_bytes, repeats)
        for cell in cells:
            if cell["n"] == size:
                same_size_rows(cell, matched[size], startup_floor, rows)
    return {
        "repeats": repeats,
        "startup_floor_seconds": round(startup_floor, 4),
        "startups_per_command": STARTUPS,
        "terraform_data_seconds": {
            str(size): {command: [round(value, 3) for value in values] for command, values in taken.items()}
            for size, taken in baselines.items()
        },
        "terraform_data_cpu": {str(size): taken for size, taken in baseline_cpu.items()},
        "terraform_data_same_state_size": {str(size): taken for size, taken in matched.items()},
        "cells": cells,
        "note": "seconds: median of the runs; every run creates N new applications "
        "on a fresh state; max_concurrent_requests is set to the -parallelism value; terraform_data "
        "runs at -parallelism=10",
    }


def data_runs(
    bench: Bench, workdir: Path, config: str, repeats: int
) -> tuple[dict[str, list[float]], dict[str, list[dict[str, float]]]]:
    """Apply then plan `config` (terraform_data only) `repeats` times from an empty state, at
    -parallelism=10; returns each command's seconds and CPU, one entry per repeat."""
    env = bench.env()
    (workdir / "main.tf").write_text(config)
    bench.init(workdir, env)
    seconds: dict[str, list[float]] = {command: [] for command in AUTO}
    cpu: dict[str, list[dict[str, float]]] = {command: [] for command in AUTO}
    for _ in range(repeats):
        forget_state(workdir)
        for command in AUTO:
            run = bench.run(workdir, env, command, "-input=false", "-parallelism=10", *AUTO[command])
            seconds[command].append(run.seconds)
            cpu[command].append(run.cpu_json())
    return seconds, cpu


def same_size_baseline(
    bench: Bench, size: int, data_state_bytes: int, okta_state_bytes: int, repeats: int
) -> dict[str, Any]:
    """terraform_data again, its strings padded until its state is as large as the provider's.

    Terraform rewrites the whole local state after every resource it applies, so an apply of N
    costs it time in proportion to N x the state's size; a floor with a smaller state leaves
    that cost of the schema's size to the provider's account.
    """
    padding = max(0, round((okta_state_bytes - data_state_bytes) / (2 * size)))
    workdir = bench.workdir(f"scale-data-same-size-{size}")
    taken, cpu = data_runs(bench, workdir, data_config(size, input_length=1 + padding), repeats)
    found: dict[str, Any] = {
        "input_length": 1 + padding,
        "state_bytes": state_bytes(workdir),
        "provider_state_bytes": okta_state_bytes,
        "seconds": {command: [round(value, 3) for value in values] for command, values in taken.items()},
        "median_seconds": {command: statistics.median(values) for command, values in taken.items()},
        "cpu": cpu,
    }
    progress(
        f"  terraform_data N={size}, state as large as the provider's ({found['state_bytes']} bytes, "
        f"provider {okta_state_bytes}): apply {found['median_seconds']['apply']:.2f} s, "
        f"plan {found['median_seconds']['plan']:.2f} s"
    )
    return found


def same_size_rows(
    cell: dict[str, Any], matched: dict[str, Any], startup_floor: float, rows: list[Row]
) -> None:
    """The cell's figures again, beside a floor whose terraform_data state is as large.

    Not the additive formula of section 3: Terraform's work on a large state is long enough to
    overlap the waits on Okta, so the least the command can take is the longer of the two.
    """
    for command in ("apply", "plan"):
        figures = cell[command]
        floor = (
            max(matched["median_seconds"][command], figures["floor_terms"]["latency_waits"])
            + STARTUPS[command] * startup_floor
        )
        figures["floor_same_state_size_seconds"] = round(floor, 3)
        label = LABELS[command]
        rows.append(
            Row(
                SAME_SIZE_SECTION,
                f"N={cell['n']} {cell['latency_ms']:>2} ms P={cell['parallelism']} {label}",
                figures["seconds"],
                floor,
                "s",
                f"state: terraform_data {matched['state_bytes']} bytes, "
                f"provider {matched['provider_state_bytes']}",
            )
        )


# --- 3c. the plugin floor -----------------------------------------------------------------------


def section_plugin_floor(
    bench: Bench, emulator: Emulator, profile: Profile, scale: dict[str, Any], rows: list[Row]
) -> dict[str, Any]:
    """The plugin floor and the provider in turns, at section 3's largest N and highest latency."""
    size, latency, repeats = max(profile.scale_sizes), max(profile.latencies_ms), profile.scale_repeats
    progress(
        f"3c. the plugin floor and the provider in turns: N={size}, {latency} ms, -parallelism in "
        f"{profile.parallelisms}, median of {repeats} run(s) each"
    )
    emulator.latency_ms = latency
    envs = {"floor": bench.floor_env(emulator, latency), "provider": bench.env(emulator)}
    workdirs = {who: bench.workdir(f"plugin-floor-{who}-{size}") for who in envs}
    cells: list[dict[str, Any]] = []
    for parallelism in profile.parallelisms:
        flag = f"-parallelism={parallelism}"
        section3 = next(
            cell
            for cell in scale["cells"]
            if (cell["n"], cell["latency_ms"], cell["parallelism"]) == (size, latency, parallelism)
        )
        runs: dict[tuple[str, str], list[Run]] = {(who, command): [] for who in envs for command in AUTO}
        for _ in range(repeats):
            for who, workdir in workdirs.items():
                config = okta_config(new_apps(emulator, size), max_concurrent_requests=parallelism)
                (workdir / "main.tf").write_text(config)
                if not (workdir / ".terraform.lock.hcl").exists():
                    bench.init(workdir, envs[who])
                forget_state(workdir)
                for command in AUTO:
                    runs[who, command].append(bench.command(workdir, envs[who], command, flag))
        cell: dict[str, Any] = {"parallelism": parallelism}
        for command in AUTO:
            # The resource is the provider's own, so it makes the same calls: section 3's floor holds.
            formula = section3[command]["floor_seconds"]
            taken = {who: statistics.median(run.seconds for run in runs[who, command]) for who in envs}
            failed = [run.returncode for who in envs for run in runs[who, command] if run.returncode]
            cpu = statistics.median(run.children_cpu for run in runs["floor", command])
            cell[command] = {
                who: {
                    "seconds": round(taken[who], 3),
                    "samples_seconds": [round(run.seconds, 3) for run in runs[who, command]],
                    "samples_cpu": [run.cpu_json() for run in runs[who, command]],
                    "exit_codes": [run.returncode for run in runs[who, command]],
                }
                for who in envs
            }
            cell[command]["floor_seconds"] = round(formula, 3)
            case = f"N={size} {latency:>2} ms P={parallelism} {LABELS[command]}"
            failures = f"; exit codes {failed}" if failed else ""
            rows.append(
                Row(
                    PLUGIN_FLOOR_SECTION,
                    f"{case}: the plugin floor",
                    taken["floor"],
                    formula,
                    "s",
                    f"the provider with Okta answered in-process after the latency, {cpu:.1f} s of CPU "
                    f"with Terraform's on {os.cpu_count()} cores; floor: section 3's{failures}",
                )
            )
            rows.append(
                Row(
                    PLUGIN_FLOOR_SECTION,
                    f"{case}: okta_app_connection, in turns",
                    taken["provider"],
                    taken["floor"],
                    "s",
                    "floor: the plugin floor; the ratio is the HTTP client's share, with the emulator "
                    f"answering on the same cores{failures}",
                )
            )
            shown_runs = {who: ", ".join(f"{run.seconds:.2f}" for run in runs[who, command]) for who in envs}
            progress(
                f"  P={parallelism} {command}: plugin floor {shown_runs['floor']} s, provider "
                f"{shown_runs['provider']} s (section 3's floor {formula:.2f} s)"
            )
        cells.append(cell)
    emulator.latency_ms = 0
    return {"n": size, "latency_ms": latency, "repeats": repeats, "cells": cells}


# --- 4. CPU per API call ------------------------------------------------------------------------


def httpx_floor_seconds_per_call(bench: Bench, emulator: Emulator, calls: int) -> float:
    app_id = new_apps(emulator, 1)[0]
    url = f"{emulator.url}/api/v1/apps/{app_id}/connections/default"
    done = subprocess.run(
        [bench.python, "-I", "-c", HTTPX_LOOP, url, API_TOKEN, str(calls)],
        env=bench.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the httpx floor loop failed:\n{done.stderr}")
    return float(done.stdout.strip()) / calls


def usage_summary(usages: list[Usage], calls: int, since: float) -> dict[str, Any]:
    """CPU, memory and lifetime of a command's provider processes; `since`: when it started."""
    total = sum(usage.cpu_seconds for usage in usages)
    idle = min((usage.cpu_seconds for usage in usages), default=0.0)
    busiest = max((usage.cpu_seconds for usage in usages), default=0.0)
    return {
        "provider_processes": len(usages),
        "processes": [
            {
                "alive_from_s": round(usage.started - since, 3),
                "alive_until_s": round(usage.ended - since, 3),
                "cpu_s": round(usage.cpu_seconds, 4),
                "peak_rss_kib": usage.peak_rss_kib,
                "ru_maxrss_kib": usage.ru_maxrss_kib,
            }
            for usage in usages
        ],
        "cpu_seconds_total": round(total, 4),
        "cpu_seconds_least_busy_process": round(idle, 4),
        "api_calls": calls,
        "cpu_us_per_call": round(total / calls * 1e6, 1) if calls else None,
        # Every process pays about the least busy one's CPU just to start and answer the schema.
        "cpu_us_per_call_without_startups": (
            round((total - idle * len(usages)) / calls * 1e6, 1) if calls else None
        ),
        # The process that made the calls, less a start-up.
        "cpu_us_per_call_busiest_process": round((busiest - idle) / calls * 1e6, 1) if calls else None,
    }


def measured_command(
    bench: Bench, emulator: Emulator, workdir: Path, command: str, usage_file: Path
) -> tuple[Run, dict[str, Any]]:
    """Run apply or plan with the wrapped provider; the summary of its processes' usage."""
    usage_file.unlink(missing_ok=True)
    emulator.store.clear_requests()
    env = {**bench.env(emulator, wrapped=True), USAGE_VARIABLE: str(usage_file)}
    since = time.time()
    run = bench.command(workdir, env, command)
    summary = usage_summary(read_usage(usage_file), len(emulator.store.requests()), since)
    summary["cpu_budget"] = {
        "wall_s": round(run.seconds, 3),
        "terraform_cpu_s": round(run.children_cpu - summary["cpu_seconds_total"], 3),
        "provider_cpu_s": summary["cpu_seconds_total"],
        "emulator_and_harness_cpu_s": round(run.own_cpu, 3),
    }
    return run, summary


def section_cpu(bench: Bench, emulator: Emulator, profile: Profile, rows: list[Row]) -> dict[str, Any]:
    size = profile.cpu_resources
    progress(f"4. CPU per API call: apply of N={size} at 0 ms, P=10, wrapped launcher")
    emulator.latency_ms = 0
    workdir = bench.workdir(f"cpu-{size}")
    (workdir / "main.tf").write_text(okta_config(new_apps(emulator, size)))
    bench.init(workdir, bench.env(emulator, wrapped=True))
    run, summary = measured_command(bench, emulator, workdir, "apply", bench.root / "usage-cpu")
    floor = httpx_floor_seconds_per_call(bench, emulator, profile.floor_calls)
    processes, calls = summary["provider_processes"], summary["api_calls"]
    progress(
        f"  {processes} provider processes, {summary['cpu_seconds_total']} s CPU for {calls} calls "
        f"({summary['cpu_us_per_call']} µs/call); httpx floor {floor * 1e6:.0f} µs/call"
    )
    if calls:
        section = "4. CPU per API call"
        rows.append(
            Row(
                section,
                f"provider, all {processes} processes (apply N={size})",
                summary["cpu_us_per_call"],
                floor * 1e6,
                "µs",
                f"{summary['cpu_seconds_total']} s CPU / {calls} calls; floor: httpx GET loop",
            )
        )
        rows.append(
            Row(
                section,
                "provider, start-up CPU taken out",
                summary["cpu_us_per_call_without_startups"],
                floor * 1e6,
                "µs",
                f"minus {processes} x the least busy process ({summary['cpu_seconds_least_busy_process']} s)",
            )
        )
        rows.append(
            Row(
                section,
                "provider, the calling process, start-up taken out",
                summary["cpu_us_per_call_busiest_process"],
                floor * 1e6,
                "µs",
                "ApplyResourceChange work + HTTP, per call",
            )
        )
    return {
        "n": size,
        "latency_ms": 0,
        "parallelism": 10,
        "apply_seconds": round(run.seconds, 3),
        "apply_exit_code": run.returncode,
        **summary,
        "httpx_floor_calls": profile.floor_calls,
        "httpx_floor_cpu_us_per_call": round(floor * 1e6, 1),
    }


# --- 5. calls per operation ---------------------------------------------------------------------


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


# --- 6. rate-limited ----------------------------------------------------------------------------


def section_rate_limited(bench: Bench, profile: Profile, quick: bool, rows: list[Row]) -> dict[str, Any]:
    size = profile.rate_resources
    progress(f"6. rate-limited: {size} creates against buckets of 600/minute {profile.rate_buckets}")
    cases = []
    for limit, window in profile.rate_buckets:
        with Emulator(api_token=API_TOKEN) as emulator:
            emulator.store.rate_limiter.configure(limit=limit, window_seconds=window)
            app_ids = new_apps(emulator, size)
            workdir = bench.workdir(f"rate-{limit}-{window}")
            env = bench.env(emulator)
            (workdir / "main.tf").write_text(okta_config(app_ids))
            bench.init(workdir, env)
            emulator.store.clear_requests()
            run = bench.apply(workdir, env)
            calls = len(emulator.store.requests())
            limited = emulator.store.count_status(429)
            answered = calls - limited
            created = sum(1 for app_id in app_ids if emulator.store.connection(app_id).status == "ENABLED")
            rate = limit / window
            floor = answered / rate
            window_floor = (math.ceil(answered / limit) - 1) * window if answered else 0
            case = {
                "n": size,
                "limit": limit,
                "window_seconds": window,
                "seconds": round(run.seconds, 3),
                "exit_code": run.returncode,
                "not_created": size - created,
                "api_calls": calls,
                "answered_429": limited,
                "share_429": round(limited / calls, 4) if calls else None,
                "calls_per_resource": round(answered / size, 3),
                "floor_seconds_n_k_over_rate": round(floor, 3),
                "fixed_window_floor_seconds": window_floor,
            }
            cases.append(case)
            progress(
                f"  limit {limit}/{window} s: {run.seconds:.2f} s, exit {run.returncode}, "
                f"{size - created} not created, {limited}/{calls} answered 429"
            )
            bucket = f"{limit}/{window} s" + (" (window scaled down, same rate)" if window != 60 else "")
            rows.append(
                Row(
                    "6. rate-limited",
                    f"apply, {size} creates, bucket {bucket}",
                    run.seconds,
                    floor,
                    "s",
                    f"exit {run.returncode}, {size - created} not created, "
                    f"{limited}/{calls} = {100 * limited / max(calls, 1):.1f}% answered 429; "
                    f"fixed-window floor {window_floor} s",
                )
            )
    return {
        "note": "floor = N x k / rate (600/minute); a fixed window admits `limit` calls at once, so the "
        "least a fixed-window bucket allows is (ceil(calls / limit) - 1) x window"
        + ("; quick mode scales the window down at the same rate" if quick else ""),
        "cases": cases,
    }


# --- 6b. concurrent runs on one bucket ----------------------------------------------------------


def section_concurrent_runs(bench: Bench, profile: Profile, quick: bool, rows: list[Row]) -> dict[str, Any]:
    runs, size = profile.concurrent_runs, profile.concurrent_creates
    limit, window = profile.concurrent_bucket
    progress(
        f"6b. concurrent runs: {runs} applies of {size} creates against one bucket of {limit}/{window} s"
    )
    with Emulator(api_token=API_TOKEN, latency_ms=CONCURRENT_LATENCY_MS) as emulator:
        emulator.store.rate_limiter.configure(limit=limit, window_seconds=window)
        env = bench.env(emulator)
        apps = [new_apps(emulator, size) for _ in range(runs)]
        workdirs = []
        for index, app_ids in enumerate(apps):
            workdir = bench.workdir(f"concurrent-{index}")
            (workdir / "main.tf").write_text(okta_config(app_ids))
            bench.init(workdir, env)
            workdirs.append(workdir)
        emulator.store.clear_requests()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=runs) as pool:
            done = list(pool.map(lambda workdir: bench.apply(workdir, env), workdirs))
        seconds = time.perf_counter() - started
        calls = len(emulator.store.requests())
        limited = emulator.store.count_status(429)
        not_created = sum(
            1
            for app_ids in apps
            for app_id in app_ids
            if emulator.store.connection(app_id).status != "ENABLED"
        )
    answered = calls - limited
    failed = sum(1 for run in done if run.returncode != 0)
    rate_floor = answered / (limit / window)
    window_floor = (math.ceil(answered / limit) - 1) * window if answered else 0
    progress(
        f"  {seconds:.2f} s, {failed} runs failed, {not_created} not created, {limited}/{calls} answered 429"
    )
    rows.append(
        Row(
            CONCURRENT_SECTION,
            f"{runs} applies at once, {size} creates each, bucket {limit}/{window} s, "
            f"{CONCURRENT_LATENCY_MS} ms",
            seconds,
            window_floor,
            "s",
            f"{failed} runs failed, {not_created} not created, "
            f"{limited}/{calls} = {100 * limited / max(calls, 1):.1f}% answered 429; "
            f"N x k / rate {rate_floor:.1f} s",
        )
    )
    return {
        "note": "floor = N x k / rate in whole windows: (ceil(calls / limit) - 1) x window, the least a "
        "fixed-window bucket allows" + ("; quick mode scales the window down" if quick else ""),
        "runs": runs,
        "creates_per_run": size,
        "limit": limit,
        "window_seconds": window,
        "latency_ms": CONCURRENT_LATENCY_MS,
        "seconds": round(seconds, 3),
        "exit_codes": [run.returncode for run in done],
        "not_created": not_created,
        "api_calls": calls,
        "answered_429": limited,
        "share_429": round(limited / calls, 4) if calls else None,
        "floor_seconds_n_k_over_rate": round(rate_floor, 3),
        "fixed_window_floor_seconds": window_floor,
    }


# The sections that start their own emulator, and can run on their own (--only).
STANDALONE: dict[str, Callable[[Bench, Profile, bool, list[Row]], dict[str, Any]]] = {
    "rate_limited": section_rate_limited,
    "concurrent_runs": section_concurrent_runs,
}


# --- 7. memory ----------------------------------------------------------------------------------


def section_memory(
    bench: Bench,
    emulator: Emulator,
    profile: Profile,
    data_cpu: dict[str, dict[str, list[dict[str, float]]]],
    rows: list[Row],
) -> dict[str, Any]:
    """Peak memory, and where the CPU goes: Terraform's share beside its share with terraform_data.

    `data_cpu`: section 3's CPU of the terraform_data runs of the same N, by floor ("plain", and
    "same state size"), where section 3 ran that N.
    """
    size = profile.memory_resources
    progress(f"7. memory: apply and refreshing plan of N={size} at 0 ms, P=10, wrapped launcher")
    emulator.latency_ms = 0
    floor_kib = import_grpc_peak_kib(bench.python, bench.env())
    workdir = bench.workdir(f"memory-{size}")
    (workdir / "main.tf").write_text(okta_config(new_apps(emulator, size)))
    bench.init(workdir, bench.env(emulator, wrapped=True))
    report: dict[str, Any] = {
        "n": size,
        "measure": "VmHWM of each provider process at exit (ru_maxrss would include Terraform's own "
        "peak: the provider is exec'd from a vfork/CLONE_VM child, and exec keeps the old mm's peak)",
        "floor_import_grpc_peak_rss_kib": floor_kib,
    }
    for command in ("apply", "plan"):
        run, summary = measured_command(bench, emulator, workdir, command, bench.root / f"usage-{command}")
        sizes = [process["peak_rss_kib"] for process in summary["processes"]]
        peak, least = max(sizes, default=0), min(sizes, default=0)
        report[command] = {
            "seconds": round(run.seconds, 3),
            "exit_code": run.returncode,
            "peak_rss_kib": peak,
            "least_peak_rss_kib": least,
            **summary,
        }
        budget = summary["cpu_budget"]
        progress(
            f"  {command}: peak RSS {peak / 1024:.1f} MiB over {len(sizes)} provider processes; "
            f"{budget['wall_s']} s wall, CPU: terraform {budget['terraform_cpu_s']} s, provider "
            f"{budget['provider_cpu_s']} s, emulator {budget['emulator_and_harness_cpu_s']} s"
        )
        label = LABELS[command]
        rows.append(
            Row(
                "7. memory",
                f"provider peak RSS, {label}, N={size}",
                peak / 1024,
                floor_kib / 1024,
                "MiB",
                f"floor: VmHWM of python -c 'import grpc'; least provider process {least / 1024:.1f} MiB",
            )
        )
        for floor_name, runs in data_cpu.items():
            rows.append(
                Row(
                    CPU_SECTION,
                    f"Terraform's own CPU, {label}, N={size}, beside {floor_name} terraform_data",
                    budget["terraform_cpu_s"],
                    statistics.median(taken["terraform_and_providers_cpu_s"] for taken in runs[command]),
                    "s",
                    f"floor: Terraform's CPU for as many {floor_name} terraform_data (section 3)",
                )
            )
        busy = budget["terraform_cpu_s"] + budget["provider_cpu_s"] + budget["emulator_and_harness_cpu_s"]
        cores = os.cpu_count() or 1
        rows.append(
            Row(
                CPU_SECTION,
                f"wall time, {label}, N={size}",
                budget["wall_s"],
                busy / cores,
                "s",
                f"floor: all CPU ({budget['terraform_cpu_s']:.1f} s Terraform, "
                f"{budget['provider_cpu_s']:.1f} s provider, {budget['emulator_and_harness_cpu_s']:.1f} s "
                f"emulator) spread over {cores} cores",
            )
        )
    return report


# --- the table ----------------------------------------------------------------------------------


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "calls":
        return f"{value:.0f}" if value == int(value) else f"{value:.2f}"
    if unit == "s":
        return f"{value:.2f} s"
    if unit in ("ms", "MiB"):
        return f"{value:.1f} {unit}"
    return f"{value:.0f} {unit}"


def print_table(rows: list[Row], title: str) -> None:
    width = max(len(row.case) for row in rows)
    print(title)
    print(f"{'':{width}}  {'measured':>10}  {'floor':>10}  {'ratio':>6}  note")
    section = ""
    for row in rows:
        if row.section != section:
            section = row.section
            print(f"-- {section} " + "-" * (width + 30 - len(section)))
        ratio = row.ratio
        print(
            f"{row.case:{width}}  {shown(row.value, row.unit):>10}  {shown(row.floor, row.unit):>10}  "
            f"{'—' if ratio is None else f'{ratio:.2f}x':>6}  {row.note}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller N, fewer repeats (under 2 minutes)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    parser.add_argument(
        "--dist", type=Path, default=REPO / "dist", help="where the release zip is (default dist/)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(STANDALONE),
        help="run only this section (repeatable); the others need the full run",
    )
    args = parser.parse_args()
    profile = QUICK if args.quick else FULL
    mode = "quick" if args.quick else "full"
    started_at = datetime.datetime.now(datetime.UTC)
    rows: list[Row] = []
    sections: dict[str, Any] = {}

    with tempfile.TemporaryDirectory(prefix="tf-okta-bench-") as scratch:
        bench = Bench(Path(scratch))
        terraform_version = bench.version()
        progress(f"{mode} run, terraform {terraform_version}, {os.cpu_count()} CPUs, scratch {scratch}")
        if not args.only:
            startup_floor, sections["startup"] = section_startup(bench, profile, args.dist, rows)
            with Emulator(api_token=API_TOKEN) as emulator:
                emulator.store.rate_limiter.configure(limit=UNLIMITED, window_seconds=60)
                sections["one_resource"] = section_one_resource(bench, emulator, profile, startup_floor, rows)
                sections["scale"] = section_scale(bench, emulator, profile, startup_floor, rows)
                sections["plugin_floor"] = section_plugin_floor(
                    bench, emulator, profile, sections["scale"], rows
                )
                sections["cpu_per_call"] = section_cpu(bench, emulator, profile, rows)
                sections["calls_per_operation"] = section_calls(bench, emulator, rows)
                scale, same_n = sections["scale"], str(profile.memory_resources)
                data_cpu = {
                    name: runs
                    for name, runs in (
                        ("plain", scale["terraform_data_cpu"].get(same_n)),
                        (
                            "same-state-size",
                            scale["terraform_data_same_state_size"].get(same_n, {}).get("cpu"),
                        ),
                    )
                    if runs
                }
                sections["memory"] = section_memory(bench, emulator, profile, data_cpu, rows)
        for name in args.only or list(STANDALONE):
            sections[name] = STANDALONE[name](bench, profile, args.quick, rows)

    order = [
        "1. start-up",
        "2. one resource",
        "3. scale",
        SAME_SIZE_SECTION,
        PLUGIN_FLOOR_SECTION,
        "4. CPU per API call",
        "5. calls per operation",
        "6. rate-limited",
        CONCURRENT_SECTION,
        "7. memory",
        CPU_SECTION,
    ]
    rows.sort(key=lambda row: order.index(row.section))
    duration = time.perf_counter() - STARTED
    title = (
        f"okta-py/okta benchmarks ({mode}), terraform {terraform_version}, {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, {duration:.0f} s"
    )
    print_table(rows, title)
    report = {
        "mode": mode,
        "date": started_at.isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 1),
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "machine": platform.machine(),
            "node": platform.node(),
            "python": platform.python_version(),
            "terraform": terraform_version,
        },
        "table": [row.to_json() for row in rows],
        "sections": sections,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
