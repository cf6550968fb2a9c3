"""The audit log as administrators search it: by learner, organisation, action and time.

``audit`` records, and every package calls it, so it sits at the bottom and knows nothing but
ids. Searching shows a row's organisation by UKPRN and its learner by ULN, so it sits above
organisations and learners, beside the other entry points that read them.
"""
