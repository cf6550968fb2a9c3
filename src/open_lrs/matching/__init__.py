"""Finding a learner by demographics: normalisation, comparisons and Fellegi-Sunter scoring.

The engine: pure modules (no I/O beyond reading their own data files at import), and the
tables of keys and name counts (``store``). It imports nothing from ``learners`` or any
package above it; the search use case that answers with learners is ``learners.search``.
"""
