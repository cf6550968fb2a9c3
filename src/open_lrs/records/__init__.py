"""The Personal Learning Record: the qualification catalogue, learners' learning events, reading
them at enrolment, data challenges and the log of every read."""
