"""Finding a learner by demographics: normalisation, comparisons and Fellegi-Sunter scoring.

The modules here are the pure engine (no I/O beyond reading their own data files at import).
"""
