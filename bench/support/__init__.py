"""Helpers for benchmarks and tests: generated corpora and the extraction metric."""
