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
The code is the `bench` package beside this file, one module per section family. Prints one
table and progress lines on stderr; writes every figure, with machine details, as JSON, and a
chart per scale section as PNG next to it (with the `bench` extra, matplotlib). It is a
benchmark: it asserts nothing.
"""

from bench.cli import main

if __name__ == "__main__":
    main((__doc__ or "").split("\n\n")[0])
