"""Batch registration: files of learners processed by workers."""
