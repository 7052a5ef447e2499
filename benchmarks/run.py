"""The provider's benchmark suite: every figure beside its floor, against the real `terraform` CLI.

    .venv/bin/python benchmarks/run.py [--quick] [--out benchmarks/results/latest.json] [--dist dist]
                                       [--only rate_limited] [--only concurrent_runs]

benchmarks/README.md holds the method (what each section measures, how each floor is made) and
the latest full run; the code is the `bench` package beside this file. Prints one table and
progress lines on stderr; writes every figure, with machine details, as JSON, and a chart per
scale section as PNG next to it (with the `bench` extra, matplotlib). It is a benchmark: it
asserts nothing.
"""

from bench.cli import main

if __name__ == "__main__":
    main((__doc__ or "").split("\n\n")[0])
