"""Speed and memory measurements, each printing medians and a ratio against a baseline run in
the same process, with the load average. Run from the checkout's root as modules,
``.venv/bin/python -m bench.NAME`` (README, Benchmarks): the project's packages come from the
installed checkout, and the scripts that drive a portal or a fuzzer reuse the tests' helpers
(``tests.support``), which only the checkout has."""
