"""The trusted training loop of each lab, as plain modules (standard library and numpy only).

The parent imports them for their shared helpers (data encoding, weight initialisation, the
trusted forward pass) and sends their source text to the lab child, which executes it there to
drive the learner's pieces. Each defines ``PIECES`` (the functions the learner's file must
define), ``Diverged``, ``probe(ns, settings, case)`` and ``train(ns, settings, data, log)``.
"""
