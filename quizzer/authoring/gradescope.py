"""A Gradescope autograder in one zip, and the grading it runs on Gradescope.

``build_autograder`` writes the zip Gradescope asks for: ``setup.sh`` and ``run_autograder`` at its
root, beside a wheel of the running quizzer (this exact code and version, so the grades on
Gradescope are the grades on the instructor's machine) and the bank files that define the chosen
exercises. ``setup.sh`` installs the wheel into a virtual environment with its dependencies from
the package index; ``run_autograder`` calls ``quizzer autograde``, which is ``run_autograder`` below:
grade whatever is in ``<root>/submission`` and write ``<root>/results/results.json``. It runs this
module (``python -m quizzer.authoring.gradescope``) rather than a ``quizzer`` command: the command
layer's imports (typer, rich) are a third of a one-submission run, which Gradescope times.

The root is ``/autograder`` on Gradescope; ``$QUIZZER_AUTOGRADER_ROOT`` points it elsewhere, which
is how the tests run the generated scripts end to end.

The wheel is assembled here from the package's own files rather than by a build tool: the running
code may be an installed wheel (no pyproject to build from) or a checkout, and both hold every file
a wheel needs. Its dependencies come from pyproject.toml when there is one beside the package (the
checkout's truth), else from the installed distribution's metadata.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import json
import os
import sys
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quizzer import DISTRIBUTION, __version__
from quizzer.bank.model import Exercise
from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label

__all__ = ["ROOT_ENV", "Autograder", "autograder_root", "build_autograder", "build_wheel", "run_autograder"]

ROOT_ENV = "QUIZZER_AUTOGRADER_ROOT"
DEFAULT_ROOT = "/autograder"
CONFIG = "quizzer-autograder.json"
VENV = "quizzer-venv"  # below the root, made by setup.sh
SUBMISSION_SUFFIXES = (".py", ".ipynb")
_SKIP_DIRS = {"__pycache__", "__MACOSX", ".ipynb_checkpoints", ".git"}

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: quizzer {version} from the
# wheel beside this script (its dependencies from the package index), in a virtual environment.
set -euo pipefail
ROOT="${{{root_env}:-{default_root}}}"
HERE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    apt-get update -q && apt-get install -y -q python3 python3-venv python3-pip
fi
python3 -m venv "$ROOT/{venv}"
"$ROOT/{venv}/bin/python" -m pip install -q "$HERE/{wheel}"
"$ROOT/{venv}/bin/python" -I -m quizzer --version
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade {root}/submission, write {root}/results/results.json.
ROOT="${{{root_env}:-{default_root}}}"
cd "$ROOT" || exit 1
exec "$ROOT/{venv}/bin/python" -I -m quizzer.authoring.gradescope
"""


def autograder_root() -> Path:
    """``$QUIZZER_AUTOGRADER_ROOT``, else Gradescope's ``/autograder``."""
    return Path(os.environ.get(ROOT_ENV, "").strip() or DEFAULT_ROOT)


# --- the wheel ------------------------------------------------------------------------------------


def _package_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def _requirements() -> list[str]:
    """The runtime dependencies (no extras) of the running quizzer."""
    pyproject = _package_dir().parent / "pyproject.toml"
    # Python 3.10 has no tomllib: the installed metadata below says the same for an installed checkout
    if pyproject.is_file() and sys.version_info >= (3, 11):
        import tomllib

        with pyproject.open("rb") as f:
            project = tomllib.load(f).get("project", {})
        if project.get("name") == DISTRIBUTION:
            return list(project.get("dependencies", []))
    from importlib import metadata

    try:
        requires = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        raise QuizzerError(label("gs-no-metadata", "en")) from None
    return [r for r in requires if "extra ==" not in r]


def _wheel_files(bank_dirs: Sequence[Path]) -> list[tuple[str, Path]]:
    """(name in the wheel, file) for the package's code and the built-in bank."""
    package = _package_dir()
    files: list[tuple[str, Path]] = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and not _SKIP_DIRS.intersection(rel.parts) and path.suffix not in (".pyc", ".pyo"):
            files.append((f"quizzer/{rel.as_posix()}", path))
    if not (package / "_bank").is_dir():  # a checkout: the bank lives beside the package
        for root in bank_dirs:
            for part in ("questions", "exercises"):
                folder = root / part
                for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
                    files.append((f"quizzer/_bank/{part}/{path.relative_to(folder).as_posix()}", path))
    return files


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel() -> tuple[str, bytes]:
    """A pure-Python wheel of the running quizzer: (file name, bytes)."""
    from quizzer.bank.files import builtin_dirs

    stem = DISTRIBUTION.replace("-", "_")  # a wheel file names its distribution with underscores
    name = f"{stem}-{__version__}-py3-none-any.whl"
    info = f"{stem}-{__version__}.dist-info"
    metadata = "\n".join([
        "Metadata-Version: 2.1", f"Name: {DISTRIBUTION}", f"Version: {__version__}", "Requires-Python: >=3.10",
        *(f"Requires-Dist: {r}" for r in _requirements()), "", "",
    ])
    wheel = "Wheel-Version: 1.0\nGenerator: quizzer gradescope\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    entry_points = "[console_scripts]\nquizzer = quizzer.cli:run\n"
    buffer = io.BytesIO()
    record: list[str] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        def add(arcname: str, data: bytes) -> None:
            zf.writestr(zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
            record.append(f"{arcname},{_record_hash(data)},{len(data)}")

        for arcname, path in _wheel_files(builtin_dirs()):
            add(arcname, path.read_bytes())
        add(f"{info}/METADATA", metadata.encode())
        add(f"{info}/WHEEL", wheel.encode())
        add(f"{info}/entry_points.txt", entry_points.encode())
        record.append(f"{info}/RECORD,,")
        zf.writestr(zipfile.ZipInfo(f"{info}/RECORD", date_time=(2020, 1, 1, 0, 0, 0)),
                    "\n".join(record) + "\n", zipfile.ZIP_DEFLATED)
    return name, buffer.getvalue()


# --- the zip ----------------------------------------------------------------------------------------


def build_autograder(exercises: Sequence[Exercise], output: Path, *, force: bool = False, hidden_cases: int = 0,
                     lang: str = "en") -> Path:
    """Write the autograder zip for ``exercises``; QuizzerError when ``output`` exists and not ``force``."""
    if not exercises:
        raise QuizzerError(label("gs-no-exercises", lang))
    if output.exists() and not force:
        raise QuizzerError(label("gs-exists", lang, path=output))
    if output.is_dir():
        raise QuizzerError(label("gs-is-dir", lang, path=output))
    if hidden_cases < 0:
        raise QuizzerError(label("gs-hidden-negative", lang))
    wheel_name, wheel = build_wheel()
    bank: dict[str, bytes] = {}
    for exercise in exercises:  # each exercise's own bank file, so a custom bank travels with the zip
        source = Path(exercise.location.path)
        arcname = f"bank/exercises/{len(bank):02d}-{source.name}"
        if not any(name.endswith(f"-{source.name}") and data == source.read_bytes() for name, data in bank.items()):
            bank[arcname] = source.read_bytes()
    config = {"quizzer": __version__, "exercises": [e.id for e in exercises], "hidden_cases": hidden_cases,
              "lang": lang, "bank": "bank"}
    values = {"version": __version__, "root_env": ROOT_ENV, "default_root": DEFAULT_ROOT, "venv": VENV,
              "wheel": wheel_name, "root": DEFAULT_ROOT}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, text, mode in (("setup.sh", SETUP_SH.format(**values), 0o755),
                                    ("run_autograder", RUN_AUTOGRADER.format(**values), 0o755),
                                    (CONFIG, json.dumps(config, indent=2) + "\n", 0o644)):
            zinfo = zipfile.ZipInfo(arcname, date_time=time.localtime()[:6])
            zinfo.external_attr = (0o100000 | mode) << 16
            zf.writestr(zinfo, text, zipfile.ZIP_DEFLATED)
        zf.writestr(wheel_name, wheel)
        for arcname, data in bank.items():
            zf.writestr(arcname, data)
    try:
        tmp = output.with_name(f".{output.name}.tmp")
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, output)
    except OSError as exc:
        raise QuizzerError(label("cannot-write", lang, path=output, reason=exc.strerror or exc)) from None
    return output


# --- on Gradescope ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Autograder:
    """What ``build_autograder`` wrote into the zip's config: the exercises and how to show them."""

    exercises: tuple[str, ...]
    hidden_cases: int
    lang: str
    bank: Path

    @classmethod
    def read(cls, source: Path) -> Autograder:
        path = source / CONFIG
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(tuple(data["exercises"]), int(data.get("hidden_cases", 0)), str(data.get("lang", "en")),
                       source / str(data.get("bank", "bank")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise QuizzerError(label("gs-bad-config", "en", path=path, reason=exc)) from None


def _submissions(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and path.suffix.lower() in SUBMISSION_SUFFIXES and not _SKIP_DIRS.intersection(rel.parts) \
                and not any(part.startswith(".") for part in rel.parts):
            found.append(path)
    return found


def _functions(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _match(exercise: Exercise, sources: dict[Path, str], single: bool) -> Path | None:
    """The submitted file for ``exercise``: the one defining its function (named after it, if several)."""
    defining = [p for p, source in sources.items() if exercise.entry in _functions(source)]
    if len(defining) > 1:
        stem = exercise.id.replace("-", "_")
        named = [p for p in defining if p.stem.replace("-", "_") == stem]
        return (named or defining)[0]
    if defining:
        return defining[0]
    if single and len(sources) == 1:
        return next(iter(sources))  # the one file of a one-exercise autograder, whatever it defines
    return None


def run_autograder(root: Path) -> dict:
    """Grade ``<root>/submission`` against the configured exercises; write and return results.json.

    Anything that goes wrong still writes a results.json (score 0 and the reason), so a student
    never sees Gradescope's bare "the autograder failed".
    """
    started = time.monotonic()
    results_dir = root / "results"
    try:
        data = _grade_submission(root)
    except QuizzerError as exc:
        data = {"score": 0.0, "output": exc.message, "tests": []}
    data["execution_time"] = round(time.monotonic() - started, 3)
    try:
        results_dir.mkdir(parents=True, exist_ok=True)
        (results_dir / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                                 encoding="utf-8")
    except OSError as exc:
        raise QuizzerError(label("cannot-write", "en", path=results_dir / "results.json",
                                 reason=exc.strerror or exc)) from None
    return data


def _grade_submission(root: Path) -> dict:
    from quizzer.bank import load_bank
    from quizzer.engine.diagnose import case_name
    from quizzer.engine.grade import grade_source, read_submission

    config = Autograder.read(root / "source")
    lang = config.lang
    bank = load_bank([str(config.bank)] if config.bank.is_dir() else None)
    exercises = []
    for item_id in config.exercises:
        item = bank.get(item_id)
        if not isinstance(item, Exercise):
            raise QuizzerError(label("not-exercise", lang, id=item_id))
        exercises.append(item)
    files = _submissions(root / "submission")
    sources: dict[Path, str] = {}
    unreadable: list[str] = []
    for path in files:
        try:
            sources[path] = read_submission(path, lang=lang)
        except QuizzerError as exc:
            unreadable.append(exc.text(lang))
    tests: list[dict] = []
    feedback: list[str] = []
    score = 0.0
    for exercise in exercises:
        chosen = _match(exercise, sources, single=len(exercises) == 1)
        if chosen is None:
            from quizzer.engine.grade import prepare

            n = len(prepare(exercise).cases)
            reason = unreadable[0] if unreadable and len(files) == 1 else \
                label("gs-no-file", lang, entry=exercise.entry, files=len(files))
            feedback.append(f"{exercise.id}: {reason}")
            names = [c.name for c in prepare(exercise).cases]
            tests += [_test(exercise.id, case_name(name, lang), 0.0, 1.0, False, reason, i >= n - config.hidden_cases)
                      for i, name in enumerate(names)]
            continue
        result = grade_source(exercise, sources[chosen], lang=lang, filename=chosen.name)
        n = len(result.cases)
        feedback.append(f"{exercise.id} ({chosen.name}): {result.feedback}")
        tests += [_test(exercise.id, case_name(case.name, lang), case.score, case.max_score, case.passed,
                        case.message or label("gs-case-ok", lang), i >= n - config.hidden_cases)
                  for i, case in enumerate(result.cases)]
        score += result.score
    feedback += unreadable if len(files) != 1 else []
    return {"score": score, "output": "\n\n".join(feedback), "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def _test(exercise_id: str, case: str, score: float, max_score: float, passed: bool, output: str,
          hidden: bool) -> dict:
    return {"name": f"{exercise_id}: {case}", "score": score, "max_score": max_score,
            "status": "passed" if passed else "failed", "output": output,
            "visibility": "after_published" if hidden else "visible"}


def main() -> int:
    """What ``run_autograder`` runs: 0 once results.json is written (whatever the grade), else 2."""
    from quizzer.engine import spawn

    spawn.prespawn(1)  # the fork server imports numpy on the other core while the bank loads
    try:
        run_autograder(autograder_root())
    except QuizzerError:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
