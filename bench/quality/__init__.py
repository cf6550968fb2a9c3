"""Matching-quality benchmark: our engine and Splink on the same searches (see
``bench/matching_quality.py``)."""
