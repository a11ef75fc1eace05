"""quizzer: exam practice and self-grading for recurrent neural networks.

Kept import-light on purpose: the CLI must start without numpy or sympy.
"""

__version__ = "0.1.0"
