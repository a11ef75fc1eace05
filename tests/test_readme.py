"""The README's promises: its bank table is current and its commands exist."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT, run_cli


def test_bank_table_matches_the_bank():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- bank-table:start -->")[1].split("<!-- bank-table:end -->")[0].strip()
    current = subprocess.run([sys.executable, "scripts/bank_table.py"], capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert block == current, "run: python scripts/bank_table.py --write"


def test_bank_meets_the_course_coverage():
    import json

    items = json.loads(run_cli("list", "--json", "--bank", "builtin").stdout)
    questions = [i for i in items if i["kind"] == "question"]
    exercises = [i for i in items if i["kind"] == "exercise"]
    assert len(questions) >= 150 and len(exercises) >= 20
    per_topic: dict[str, int] = {}
    for q in questions:
        per_topic[q["topic"]] = per_topic.get(q["topic"], 0) + 1
    small = {t: n for t, n in per_topic.items() if n < 8}
    assert not small, small
    assert all(set(i["languages"]) == {"en", "ja"} for i in items)


def test_every_command_in_the_readme_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set(re.findall(r"^quizzer ([a-z]+)", readme, flags=re.MULTILINE))
    helptext = run_cli("--help").stdout
    known = set(re.findall(r"^  ([a-z]+)\s", helptext, flags=re.MULTILINE))
    assert used and used <= known, used - known
