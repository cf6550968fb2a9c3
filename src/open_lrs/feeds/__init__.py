"""Data feeds into the Personal Learning Record: ILR returns, awarding organisations' loads and
school results. Readers are pure (bytes in, awards out); ``loading`` files them on learners."""
