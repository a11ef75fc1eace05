"""``python -m quizzer``."""

from quizzer.cli import run

run()
