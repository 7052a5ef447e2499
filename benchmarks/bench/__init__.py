"""The benchmark of okta-py/okta, run by `benchmarks/run.py` (`./build.sh bench`).

One module per section family: `start` (1), `one_resource` (2), `scale` (3, 3b, 3c),
`cpu_memory` (4, 7, 8), `calls` (5), `rate_limits` (6, 6b). They share `harness` (the isolated
world, its mirrors and terraform commands), `processes` (what the wrapped launcher records),
`launchers`, `profile` (full and --quick); `report` prints the table and writes the JSON, and
`charts` draws the scale sections. benchmarks/README.md describes the method.
"""
