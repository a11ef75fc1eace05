"""The course's implementation labs, trained on the learner's own code (``quizzer lab``).

Each lab is data (``spec.Lab``: knobs, goal, pieces, the course's experiments) plus a trusted side:
``drivers/<lab>.py`` is the training loop that runs in the sandboxed child around the learner's
pieces, and ``<lab>.py`` holds what only this process runs (held-out data, the evaluation of the
returned weights, the gradient check). ``core.run_lab`` ties them together.
"""
