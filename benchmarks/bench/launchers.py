"""The programs the benchmark writes out: the provider's launchers and the floors' Python snippets."""

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
