"""Runnable benchmarks (not timed tests): `python -m bench` or `make bench`.

Every figure is measured against a baseline in the same process and reported as medians
and ratios; see bench/__main__.py for the list and bench/common.py for the helpers.
"""
