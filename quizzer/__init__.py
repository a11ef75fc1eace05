"""quizzer: exam practice and self-grading for recurrent neural networks.

Kept import-light on purpose: the CLI must start without numpy or sympy.
"""

__version__ = "0.1.0"
# The name on the package index (`quizzer` there is an unrelated project); the command and import stay quizzer.
DISTRIBUTION = "quizzer-rnn"
