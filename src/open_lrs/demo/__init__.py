"""Demo and test data: the demo organisations and learners, and generated registers."""
