"""Benchmarks: a seeded synthetic corpus generator, the harness, and a SQLite FTS5 baseline."""
