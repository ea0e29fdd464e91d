"""Measurements that write RESULTS.md. Run them from the course root, on a quiet machine, as
modules: ``python -m tools.bench.benchmark`` (each notebook's headline result),
``python -m tools.bench.bench_loop`` (the training loop's speed), ``python -m tools.bench.bench_grade``
(the grader's)."""
