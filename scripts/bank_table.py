"""Print the README's bank-size tables from `quizzer list --json` (per topic, type and language).

Usage: python scripts/bank_table.py            # print the tables
       python scripts/bank_table.py --write    # replace them in README.md between the markers
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bank-table:start -->", "<!-- bank-table:end -->"
QUESTION_TYPES = ("choice", "numeric", "symbolic", "text", "flashcard")
EXERCISE_TYPES = ("blank", "function")


def rows() -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "quizzer", "list", "--json", "--bank", "builtin"], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def tables(items: list[dict]) -> str:
    types = QUESTION_TYPES + EXERCISE_TYPES
    by_topic: dict[str, Counter] = {}
    for item in items:
        by_topic.setdefault(item["topic"], Counter())[item["type"]] += 1
    head = "| topic | " + " | ".join(types) + " | questions | exercises |"
    lines = [head, "|" + "---|" * (len(types) + 3)]
    total: Counter = Counter()
    for topic in sorted(by_topic):
        counts = by_topic[topic]
        total.update(counts)
        questions = sum(counts[t] for t in QUESTION_TYPES)
        exercises = sum(counts[t] for t in EXERCISE_TYPES)
        lines.append(f"| {topic} | " + " | ".join(str(counts[t] or "") for t in types) + f" | {questions} | {exercises} |")
    questions = sum(total[t] for t in QUESTION_TYPES)
    exercises = sum(total[t] for t in EXERCISE_TYPES)
    lines.append("| **all** | " + " | ".join(f"**{total[t]}**" for t in types) + f" | **{questions}** | **{exercises}** |")
    languages = Counter(lang for item in items for lang in item["languages"])
    parameterised = sum(item["parameterised"] for item in items)
    course = sum(item["source"].startswith(("confirmation-test:", "exercise-challenge:")) for item in items)
    lines += [
        "",
        (f"{len(items)} items: complete in English {languages['en']}, in Japanese {languages['ja']}; "
        f"{parameterised} parameterised (fresh values at every serving); {course} taken from the course's "
        "confirmation tests and exercise challenges, the rest original."),
    ]
    return "\n".join(lines)


def main() -> None:
    text = tables(rows())
    if "--write" in sys.argv:
        readme = ROOT / "README.md"
        content = readme.read_text(encoding="utf-8")
        before, _, rest = content.partition(START)
        _, _, after = rest.partition(END)
        readme.write_text(f"{before}{START}\n{text}\n{END}{after}", encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
