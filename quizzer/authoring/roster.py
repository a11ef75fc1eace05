"""Student identity for a class batch: a roster CSV mapping submission files to students.

The roster is a CSV file with a header naming at least ``file`` and ``name`` (``id`` or
``student_id`` optional): one row per student, ``file`` being the submission's file name with or
without its extension (``tanaka.ipynb`` or ``tanaka``). Without a roster a student is named after
the file. ``identify`` attaches the students to a batch and lists what does not add up: students
with no submission, submissions no roster row names, rows or submissions that collide.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from quizzer.engine.grade import Graded
from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label

__all__ = ["Identity", "Roster", "Student", "identify", "read_roster"]

_FILE_COLUMNS = ("file", "filename", "submission")
_ID_COLUMNS = ("id", "student_id", "student id", "sid")
_NAME_COLUMNS = ("name", "student", "student_name", "student name")


@dataclass(frozen=True)
class Student:
    key: str  # the file name, or its stem, as the roster wrote it
    student_id: str
    name: str
    line: int


@dataclass(frozen=True)
class Roster:
    path: str
    students: tuple[Student, ...]


@dataclass
class Identity:
    """The batch with its students, and what the roster and the files disagree on."""

    graded: list[Graded]
    missing: list[Student] = field(default_factory=list)  # on the roster, no submission
    unlisted: list[str] = field(default_factory=list)  # submissions the roster does not name
    duplicates: list[str] = field(default_factory=list)  # one sentence per collision


def _column(header: list[str], names: Sequence[str]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def read_roster(path: str | Path, *, lang: str = "en") -> Roster:
    """The roster's students; QuizzerError naming the line of anything that does not parse."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise QuizzerError(label("roster-missing", lang, path=p)) from None
    except UnicodeDecodeError:
        raise QuizzerError(label("roster-not-utf8", lang, path=p)) from None
    except OSError as exc:
        raise QuizzerError(label("roster-unreadable", lang, path=p, reason=exc.strerror or exc)) from None
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise QuizzerError(label("roster-empty", lang, path=p))
        file_col, id_col, name_col = (_column(header, c) for c in (_FILE_COLUMNS, _ID_COLUMNS, _NAME_COLUMNS))
        if file_col is None or name_col is None:
            raise QuizzerError(label("roster-header", lang, path=p, found=", ".join(header)))
        students = []
        for row in reader:
            line = reader.line_num
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise QuizzerError(label("roster-fields", lang, path=p, line=line, want=len(header), got=len(row)))
            key = row[file_col].strip()
            if not key:
                raise QuizzerError(label("roster-no-file", lang, path=p, line=line))
            students.append(Student(key, row[id_col].strip() if id_col is not None else "", row[name_col].strip(),
                                    line))
    except csv.Error as exc:
        raise QuizzerError(label("roster-csv", lang, path=p, line=reader.line_num, reason=exc)) from None
    return Roster(str(p), tuple(students))


def identify(graded: Sequence[Graded], roster: Roster | None, *, lang: str = "en") -> Identity:
    """Each submission's student: the roster row naming its file (or stem), else the file's stem."""
    if roster is None:
        return Identity([replace(g, student=g.student or Path(g.file).stem) for g in graded])
    identity = Identity([])
    by_key: dict[str, Student] = {}
    ids: dict[str, Student] = {}
    for student in roster.students:
        earlier = by_key.get(student.key)
        if earlier is not None:
            identity.duplicates.append(label("roster-dup-file", lang, path=roster.path, line=student.line,
                                             file=student.key, first=earlier.line))
            continue
        by_key[student.key] = student
        if student.student_id:
            first = ids.get(student.student_id)
            if first is not None:
                identity.duplicates.append(label("roster-dup-id", lang, path=roster.path, line=student.line,
                                                 id=student.student_id, first=first.line))
            else:
                ids[student.student_id] = student
    matched: dict[Student, str] = {}
    for g in graded:
        name = Path(g.file).name
        found = by_key.get(name) or by_key.get(Path(name).stem)
        if found is None:
            identity.unlisted.append(name)
            identity.graded.append(replace(g, student=Path(name).stem))
            continue
        student = found
        if student in matched:
            identity.duplicates.append(label("roster-dup-submission", lang, name=student.name, first=matched[student],
                                             second=name))
        matched.setdefault(student, name)
        identity.graded.append(replace(g, student=student.name, student_id=student.student_id))
    identity.missing = [s for s in roster.students if s not in matched and by_key.get(s.key) is s]
    return identity
