"""Start-up time of the provider: process start until the go-plugin handshake line on stdout.

    .venv/bin/python benchmarks/startup.py [-n 15] [--warmups 2] [--dist dist]

Terraform starts the provider for every command (often several times per command) and waits for
its handshake, so this is latency every user pays. Two floors and two ways of starting the
provider are measured, every Python in isolated mode (-I), as the launcher runs:

1. floor: a bare `python -I -S -c "import grpc; print('x')"` from the venv (with the import path
   the launcher gives, as the framework floor), the least any Python provider built on grpc can
   take;
2. framework floor: a Python that imports what any provider built on `tf` with go-plugin's
   mutual TLS must import before it can hand-shake (grpc, tf's protocol modules, which bring
   protobuf, and ssl), so that the provider's own share shows;
3. venv launcher: the launcher `provider.install` writes (`./build.sh install`), installed into
   a temporary directory;
4. release binary: the PyInstaller build in dist/ (`tools/release.py dist`), extracted from its
   zip into a temporary directory; skipped when dist/ has no zip for this version and platform,
   or one older than the provider's sources.

With `--baseline DIR`, a checkout of another version (its own .venv, and dist/ for its release
binary) is measured in the same runs: "before and after" on one machine, at one time, e.g.

    git worktree add ../before v0.1.0 && (cd ../before && ./build.sh dist)
    .venv/bin/python benchmarks/startup.py --baseline ../before

Each is run after warm-ups N times, the cases taking turns run by run, so that a burst of load
on the machine falls on all of them alike; the process is killed once its first line is read.
Prints one table (median and p90 beside the floor's, and the median beside the framework
floor's) and writes it as JSON to benchmarks/results/startup.json. It is a benchmark: it
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "startup.json"
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
TIMEOUT = 60.0
# What any provider on `tf` with go-plugin's mutual TLS imports before it can hand-shake: grpc,
# tf's protocol modules (which bring protobuf) and provider base, and ssl for the TLS relay.
FRAMEWORK_FLOOR = (
    "import grpc, ssl, tf.provider, tf.gen.tfplugin_pb2_grpc, tf.gen.grpc_controller_pb2_grpc, "
    "tf.gen.grpc_stdio_pb2_grpc; print('x')"
)
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass
class Case:
    name: str
    command: list[str]
    shown: str = ""
    samples_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p90_ms(self) -> float:
        return statistics.quantiles(self.samples_ms, n=10, method="inclusive")[8]


def venv_python(repo: Path = REPO) -> str:
    found = repo / ".venv" / "bin" / "python"
    return str(found) if found.exists() or repo != REPO else sys.executable


def release_zip(dist: Path, repo: Path = REPO) -> Path:
    with (repo / "pyproject.toml").open("rb") as file:
        version = tomllib.load(file)["project"]["version"]
    machine = platform.machine().lower()
    target = f"{sys.platform.rstrip('0123456789')}_{_ARCHES.get(machine, machine)}"
    return dist / f"terraform-provider-okta_{version}_{target}.zip"


def release_problem(archive: Path, repo: Path = REPO) -> str | None:
    """Why the release zip cannot stand for the checkout `repo`: it is missing, or older than its sources."""
    if not archive.is_file():
        return f"{archive} does not exist"
    sources = [repo / "pyproject.toml", repo / "tools" / "release.py", *(repo / "provider").rglob("*.py")]
    if archive.stat().st_mtime < max(path.stat().st_mtime for path in sources):
        return f"{archive.name} is older than the sources it was built from"
    return None


def extract(archive: Path, destination: Path) -> Path:
    """Extract keeping each file's mode, as Terraform does; return the provider executable."""
    executable: Path | None = None
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            target = destination.joinpath(*info.filename.split("/"))
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(info) as reader, target.open("wb") as writer:
                shutil.copyfileobj(reader, writer)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)
            if "/" not in info.filename and info.filename.startswith("terraform-provider-"):
                executable = target
    if executable is None:
        raise SystemExit(f"{archive} has no terraform-provider-* executable at its root")
    return executable


def plugin_environment(home: Path, tmp: Path) -> dict[str, str]:
    """What Terraform gives a plugin it starts, and nothing of the caller's but PATH: its client
    certificate too, so that the plugin starts its mutual-TLS relay as it does under Terraform."""
    from provider.plugin.tls import generate

    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
        MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE,
        "PLUGIN_PROTOCOL_VERSIONS": "6",
        "PLUGIN_CLIENT_CERT": generate().cert_pem.decode(),
    }


def installed_launcher(python: str, mirror: Path) -> str:
    """The launcher `python -m provider.install` writes into `mirror` (what `./build.sh install`
    gives Terraform), as the checkout `python` belongs to writes it."""
    done = subprocess.run(
        # -I: the checkout `python` belongs to, not the current directory's, writes it.
        [python, "-I", "-m", "provider.install", str(mirror)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def python_cases(python: str, scratch: Path) -> list[Case]:
    """The floor, the framework floor and the venv launcher (installed under `scratch`), in that
    order; the floors start Python as the launcher does (-I -S, the same import path)."""
    from provider.install import import_path

    path = f"import sys; sys.path += {import_path(python)!r}; "
    return [
        Case(
            "floor: python -I -S -c 'import grpc'",
            [python, "-I", "-S", "-c", path + "import grpc; print('x')"],
        ),
        Case("framework floor: grpc, tf, protobuf, ssl", [python, "-I", "-S", "-c", path + FRAMEWORK_FLOOR]),
        Case("venv launcher (provider.install)", [installed_launcher(python, scratch)]),
    ]


def baseline_cases(checkout: Path, scratch: Path) -> tuple[list[Case], str | None]:
    """The venv launcher of another checkout and, when its dist/ holds a current one, its release
    binary (extracted under `scratch`); with why the release binary is not measured, or None."""
    python = venv_python(checkout)
    if not Path(python).exists():
        raise SystemExit(f"--baseline {checkout}: no .venv/bin/python there (./build.sh dist makes it)")
    cases = [Case("baseline: venv launcher", [installed_launcher(python, scratch / "mirror")])]
    archive = release_zip(checkout / "dist", checkout)
    unusable = release_problem(archive, checkout)
    if unusable is None:
        executable = extract(archive, scratch / "package")
        cases.append(Case("baseline: release binary", [str(executable)], f"{archive} extracted"))
    return cases, unusable


def sample(cases: list[Case], env: dict[str, str], runs: int, warmups: int) -> None:
    """Each case's samples in milliseconds, the cases taking turns run by run: a burst of load on
    the machine then falls on all of them alike, not on whichever was being measured."""
    for _ in range(warmups):
        for case in cases:
            time_to_first_line(case.command, env)
    for _ in range(runs):
        for case in cases:
            case.samples_ms.append(time_to_first_line(case.command, env) * 1000)


def time_to_first_line(command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `command` until it prints its first line; the process is then killed."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
        line = process.stdout.readline() if ready else b""
        elapsed = time.perf_counter() - started
        if not line:
            raise SystemExit(f"{command[0]} printed nothing within {TIMEOUT:.0f} s")
        return elapsed
    finally:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=15, help="measured runs per case (default 15)")
    parser.add_argument("--warmups", type=int, default=2, help="unmeasured runs first (default 2)")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="where the release zip is")
    parser.add_argument("--out", type=Path, default=RESULTS, help="JSON output file")
    parser.add_argument(
        "--baseline", type=Path, help="a checkout of another version to measure in the same runs"
    )
    args = parser.parse_args()

    python = venv_python()
    archive = release_zip(args.dist)
    unusable = release_problem(archive)
    with tempfile.TemporaryDirectory(prefix="tf-okta-startup-") as scratch:
        root = Path(scratch)
        # The plugin makes its socket directory under TMPDIR; a killed one leaves it behind.
        (root / "tmp").mkdir()
        env = plugin_environment(home=root, tmp=root / "tmp")
        cases = python_cases(python, root / "mirror")
        if unusable is None:
            executable = extract(archive, root / "package")
            shown = f"{archive.name} extracted: {executable.name}"
            cases.append(Case("release binary (PyInstaller)", [str(executable)], shown))
        else:
            print(f"(release binary not measured: {unusable}; `./build.sh dist` builds it)")
        if args.baseline is not None:
            baseline, unusable_baseline = baseline_cases(args.baseline.resolve(), root / "baseline")
            cases += baseline
            if unusable_baseline is not None:
                print(f"(baseline release binary not measured: {unusable_baseline})")
        sample(cases, env, args.runs, args.warmups)

    floor, framework = cases[0], cases[1]
    width = max(len(case.name) for case in cases)
    print(f"start-up to handshake, {args.runs} runs after {args.warmups} warm-ups, {platform.node()}")
    print(f"{'':{width}}  {'median':>9} {'x floor':>7}  {'p90':>9} {'x floor':>7}  {'x framework':>11}")
    rows = []
    for case in cases:
        median_ratio = case.median_ms / floor.median_ms
        p90_ratio = case.p90_ms / floor.p90_ms
        print(
            f"{case.name:{width}}  {case.median_ms:7.1f}ms {median_ratio:6.2f}x  "
            f"{case.p90_ms:7.1f}ms {p90_ratio:6.2f}x  {case.median_ms / framework.median_ms:10.2f}x"
        )
        rows.append(
            {
                "name": case.name,
                "command": case.shown or " ".join(case.command),
                "median_ms": round(case.median_ms, 2),
                "p90_ms": round(case.p90_ms, 2),
                "median_vs_floor": round(median_ratio, 3),
                "p90_vs_floor": round(p90_ratio, 3),
                "samples_ms": [round(sample, 2) for sample in case.samples_ms],
            }
        )
    if unusable is not None:
        rows.append({"name": "release binary (PyInstaller)", "skipped": unusable})
    for now_name, before_name in (
        ("venv launcher (provider.install)", "baseline: venv launcher"),
        ("release binary (PyInstaller)", "baseline: release binary"),
    ):
        now = next((case for case in cases if case.name == now_name), None)
        before = next((case for case in cases if case.name == before_name), None)
        if now is not None and before is not None:
            change = now.median_ms - before.median_ms
            print(
                f"{now_name} against the baseline: {change:+.1f} ms "
                f"({change / before.median_ms:+.1%}), medians of the same runs"
            )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "measure": "process start until the first stdout line (the go-plugin handshake)",
        "runs": args.runs,
        "warmups": args.warmups,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "results": rows,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
