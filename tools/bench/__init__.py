"""Measurements that write RESULTS.md: run them from the course root, on a quiet machine, as
``python -m tools.bench.benchmark`` (the notebooks' results) or ``python -m tools.bench.bench_loop``
(the training loop's speed)."""
