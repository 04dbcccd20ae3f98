"""Benchmarks of the TeSLA server. `python -m benchmarks` runs them (see __main__)."""
