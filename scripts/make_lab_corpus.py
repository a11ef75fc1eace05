"""Write quizzer/labs/data/corpus.txt: the word-prediction lab's text, from a small grammar.

The corpus is written for quizzer (no third-party text, same MIT licence as the project): short
sentences about a village, drawn from the grammar below with a fixed seed, so that a small RNN can
learn its regularities (agreement, which verbs take which objects, where sentences end) in seconds.
Run it again only to change the corpus; the lab's goal was measured on the committed file.
"""

from __future__ import annotations

import random
from pathlib import Path

SUBJECTS = {
    "the cat": "s", "the dog": "s", "the old farmer": "s", "the baker": "s", "a small bird": "s",
    "the children": "p", "the farmers": "p", "two dogs": "p", "the birds": "p", "we": "p",
}
INTRANSITIVE = {"s": ["sleeps", "runs", "sings", "waits", "rests"], "p": ["sleep", "run", "sing", "wait", "rest"]}
TRANSITIVE = {
    "s": {"eats": ["bread", "the fish", "an apple"], "sees": ["the river", "the moon", "the hill"],
          "likes": ["the garden", "warm milk", "the rain"], "carries": ["a basket", "the bread", "water"]},
    "p": {"eat": ["bread", "the fish", "an apple"], "see": ["the river", "the moon", "the hill"],
          "like": ["the garden", "warm milk", "the rain"], "carry": ["a basket", "the bread", "water"]},
}
PLACES = ["in the garden", "by the river", "on the hill", "near the mill", "under the tree"]
TIMES = ["in the morning", "at night", "after dinner", "every day", "before the rain"]


def sentence(rng: random.Random) -> str:
    subject = rng.choice(list(SUBJECTS))
    number = SUBJECTS[subject]
    if rng.random() < 0.4:
        words = [subject, rng.choice(INTRANSITIVE[number])]
    else:
        verb = rng.choice(list(TRANSITIVE[number]))
        words = [subject, verb, rng.choice(TRANSITIVE[number][verb])]
    roll = rng.random()
    if roll < 0.35:
        words.append(rng.choice(PLACES))
    elif roll < 0.65:
        words.append(rng.choice(TIMES))
    return " ".join(words) + " ."


def main() -> None:
    rng = random.Random(1955)
    lines = [sentence(rng) for _ in range(1200)]
    header = ("# quizzer word-prediction corpus: written for the project from a small grammar "
              "(scripts/make_lab_corpus.py); licence: MIT, like quizzer itself.\n")
    out = Path(__file__).resolve().parent.parent / "quizzer" / "labs" / "data" / "corpus.txt"
    out.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
