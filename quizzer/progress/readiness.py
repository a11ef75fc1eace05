"""Exam readiness per topic and overall, from the progress store (the definition is in the README).

For each topic of the bank:

* ``seen``: the share of the topic's practicable items answered at least once;
* ``recall``: FSRS's predicted probability of recalling each seen item now (its retrievability),
  averaged over the seen items;
* ``exam``: the share of the topic's items answered right in the last ``RECENT_EXAMS`` finished
  mock exams (None if no exam asked the topic);
* ``readiness`` = seen × recall (the share of the whole topic you would recall now), averaged
  with ``exam`` when there is one.

Overall readiness is the mean of the topics' readiness weighted by the exam's topic weights.
"Study next" names the topics where weight × (1 − readiness) is largest: where practice would
add most to an exam score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from quizzer.bank import Bank
from quizzer.progress.exam import TOPIC_WEIGHTS
from quizzer.progress.session import practicable
from quizzer.progress.store import Store

RECENT_EXAMS = 3
STUDY_NEXT = 3


@dataclass(frozen=True)
class TopicReadiness:
    topic: str
    items: int
    seen: float
    recall: float | None
    exam: float | None
    readiness: float
    weight: int

    @property
    def command(self) -> str:
        return f"quizzer practice --topic {self.topic}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("seen", "recall", "exam", "readiness"):
            if data[key] is not None:
                data[key] = round(data[key], 4)
        data["command"] = self.command
        return data


@dataclass(frozen=True)
class Readiness:
    per_topic: tuple[TopicReadiness, ...]
    overall: float
    study_next: tuple[TopicReadiness, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": round(self.overall, 4),
            "per_topic": [t.to_dict() for t in self.per_topic],
            "study_next": [{"topic": t.topic, "readiness": round(t.readiness, 4), "command": t.command} for t in self.study_next],
        }


def readiness(bank: Bank, store: Store, *, now: datetime | None = None) -> Readiness:
    recall_now = store.retrievability(now=now)
    exam_tally: dict[str, list[int]] = {}
    for record in store.exams(finished=True)[-RECENT_EXAMS:]:
        for answer in record.answers:
            tally = exam_tally.setdefault(answer.topic, [0, 0])
            tally[0] += 1
            tally[1] += int(bool(answer.passed) and answer.response is not None)
    by_topic: dict[str, list[str]] = {}
    for item in bank.items.values():
        if practicable(item):
            by_topic.setdefault(item.topic, []).append(item.id)
    rows = []
    for topic in sorted(by_topic):
        ids = by_topic[topic]
        seen_ids = [i for i in ids if i in recall_now]
        seen = len(seen_ids) / len(ids)
        recall = sum(recall_now[i] for i in seen_ids) / len(seen_ids) if seen_ids else None
        asked, right = exam_tally.get(topic, (0, 0))
        exam = right / asked if asked else None
        study = seen * (recall or 0.0)
        value = study if exam is None else (study + exam) / 2
        rows.append(TopicReadiness(topic, len(ids), seen, recall, exam, value, TOPIC_WEIGHTS.get(topic, 1)))
    total_weight = sum(r.weight for r in rows) or 1
    overall = sum(r.readiness * r.weight for r in rows) / total_weight
    ranked = sorted(rows, key=lambda r: (-(r.weight * (1 - r.readiness)), r.readiness, r.topic))
    return Readiness(tuple(rows), overall, tuple(ranked[:STUDY_NEXT]))
