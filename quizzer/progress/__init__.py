"""The learner's progress: the SQLite store with its FSRS scheduling, and practice sessions over it."""
