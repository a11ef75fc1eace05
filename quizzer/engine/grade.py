"""Grading a learner's code numerically against the hidden reference.

The pipeline for one submission:

1. ``prepare(exercise)`` builds the cases from the exercise's task and seeds and computes the
   reference outputs here, in quizzer's process (they are never sent to the submission's process).
   It is cached per exercise, so a batch pays once.
2. The submission runs in the sandbox (``quizzer.engine.sandbox``) with the exercise's ``provided``
   code as preamble; it hands back only float64 arrays.
3. Each case is compared here (``quizzer.engine.compare``): number of outputs, exact shape, finite
   values, then values with the exercise's tolerance.
4. A failing submission is explained (``quizzer.engine.diagnose``): first a known misconception
   whose outputs (or error) it reproduces on every case, then a generic arrangement of the right
   outputs (wrong order, transposed, batch reversed), then the first failing case.

Score scale: one point per case. ``score`` is the number of cases passed and ``max_score`` the
number of cases; ``passed`` means every case passed. The Gradescope file uses the same points
(one test per case, 1 or 0).
"""

from __future__ import annotations

import atexit
import csv
import io
import json
import os
import threading
import tokenize
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quizzer.bank.model import BLANK, Exercise, Misconception
from quizzer.engine import diagnose, notebook
from quizzer.engine.compare import compare, same
from quizzer.engine.sandbox import Limits, Runner, RunOutcome, SubmissionError
from quizzer.engine.tasks import Case, Task, get_task
from quizzer.errors import AnswerError, QuizzerError
from quizzer.results import CaseResult, Result

__all__ = [
    "Graded",
    "Prepared",
    "grade_file",
    "grade_many",
    "grade_response",
    "grade_source",
    "gradescope",
    "prepare",
    "result_rows",
    "source_for",
    "write_results",
]

OUTPUT_KEEP = 4000  # characters of the submission's captured output kept in a result
_ERROR_KINDS_MATCHED = ("exception", "bad-return", "syntax", "missing-entry")


# --- preparing an exercise ------------------------------------------------------------------


@dataclass
class Prepared:
    """An exercise ready to grade: its cases, reference outputs, and (lazily) its misconceptions' runs."""

    exercise: Exercise
    task: Task
    cases: list[Case]
    names: list[str]  # what the template defines, for NameError
    _misconceptions: list[tuple[Misconception, RunOutcome]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def args(self) -> list[dict]:
        return [case.args for case in self.cases]

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.task.outputs

    def misconceptions(self, runner: Runner) -> list[tuple[Misconception, RunOutcome]]:
        """Every misconception run through the sandbox on the same cases, once per exercise."""
        with self._lock:
            if self._misconceptions is None:
                jobs = []
                for m in self.exercise.misconceptions:
                    source = m.code if m.code is not None else self.exercise.filled(_as_expression(m.blank or ""))
                    jobs.append((source, self.exercise.entry, self.args, self.exercise.provided))
                # one after the other, on the fork server the caller just used: running them side by side
                # would start another server (a numpy import) while the batch's workers hold theirs
                outcomes = runner.run_many(jobs, workers=1) if jobs else []
                self._misconceptions = list(zip(self.exercise.misconceptions, outcomes))
            return self._misconceptions


_PREPARED: dict[tuple, Prepared] = {}
_PREPARED_LOCK = threading.Lock()


def prepare(exercise: Exercise) -> Prepared:
    key = (exercise.id, exercise.task, exercise.seeds, exercise.template, exercise.provided, exercise.entry,
           exercise.misconceptions)
    with _PREPARED_LOCK:
        prepared = _PREPARED.get(key)
        if prepared is None:
            if len(exercise.seeds) < 1:
                raise QuizzerError(f"exercise {exercise.id!r} has no seeds to build cases from")
            task = get_task(exercise.task)
            cases = task.cases(exercise.seeds)
            prepared = Prepared(exercise, task, cases, diagnose.template_names(exercise.template, exercise.entry))
            _PREPARED[key] = prepared
        return prepared


# --- a runner shared by the checker (practice sessions grade many answers) -------------------

_shared: dict[Limits, Runner] = {}
_shared_lock = threading.Lock()


def limits_for(exercise: Exercise, *, timeout: float | None = None, memory: int | None = None) -> Limits:
    """The sandbox limits for grading ``exercise``: ``timeout`` (seconds) and ``memory`` (MiB) when
    given (the command line), else the exercise's own ``limits``, else the defaults."""
    default = Limits()
    seconds = timeout if timeout is not None else exercise.limits.timeout
    mib = memory if memory is not None else exercise.limits.memory
    return Limits(wall_seconds=seconds if seconds is not None else default.wall_seconds,
                  memory_bytes=mib << 20 if mib is not None else default.memory_bytes)


def shared_runner(limits: Limits | None = None) -> Runner:
    """The process's runner for these limits (the defaults when None), started on first use."""
    limits = limits or Limits()
    with _shared_lock:
        runner = _shared.get(limits)
        if runner is None:
            runner = _shared[limits] = Runner(limits)
            atexit.register(runner.close)
        return runner


# --- the learner's response as source -------------------------------------------------------


def _as_expression(expr: str) -> str:
    expr = expr.strip()
    return f"({expr})" if "\n" in expr else expr


def _defines(source: str, entry: str) -> bool:
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry
               for node in tree.body)


def source_for(exercise: Exercise, response: str, *, lang: str = "en") -> str:
    """The source to run for a response: a whole file when it defines the entry function (or the
    exercise is a function exercise), else the expression that replaces the template's blank.

    Raises AnswerError for an empty answer or an expression that does not parse.
    """
    if exercise.type != "blank" or _defines(response, exercise.entry):
        return response
    import ast

    expr = response.strip()
    if not expr:
        raise AnswerError(diagnose.say("empty", lang, blank=BLANK))
    try:
        ast.parse(_as_expression(expr), mode="eval")
    except SyntaxError as exc:
        # the example is deliberately not this exercise's answer (an alternative would give it away)
        raise AnswerError(diagnose.say("not-expression", lang, message=exc.msg, blank=BLANK, example="a * b + c")) from None
    return exercise.filled(_as_expression(expr))


def has_blank(source: str) -> bool:
    """The template's ``____`` is still in the code (as a name, not in a comment or string)."""
    if BLANK not in source:
        return False
    try:
        return any(tok.type == tokenize.NAME and tok.string == BLANK
                   for tok in tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        # the file does not tokenize (a syntax error elsewhere): the header comment that names the
        # blank must not make it "still in the code"; let the sandbox report the syntax error and line
        return any(BLANK in line.split("#", 1)[0] for line in source.splitlines())


# --- grading ----------------------------------------------------------------------------------


def grade_source(exercise: Exercise, source: str, *, lang: str = "en", runner: Runner | None = None,
                 filename: str = "submission.py", response: str | None = None) -> Result:
    """Grade a whole source file (or a filled-in template) against the exercise's reference."""
    prepared = prepare(exercise)
    n = len(prepared.cases)
    if has_blank(source):
        feedback = diagnose.say("unfilled", lang, blank=BLANK)
        cases = tuple(CaseResult(c.name, False, 0.0, 1.0, feedback, {"input_shapes": _shape_dict(c)})
                      for c in prepared.cases)
        return Result(exercise.id, False, 0.0, float(n), feedback, None, response, cases,
                      {"diagnosis": "unfilled", "elapsed": 0.0, "output": ""})
    runner = runner or shared_runner(limits_for(exercise))
    outcome = runner.run(source, exercise.entry, prepared.args, preamble=exercise.provided, filename=filename)
    # a notebook's lines are counted across its joined cells: say which cell, and its own line
    line_label = notebook.line_label(source, lang) if notebook.is_notebook(filename) else None
    return _verdict(prepared, outcome, lang=lang, runner=runner, response=response, line_label=line_label)


def grade_response(exercise: Exercise, response: str, *, lang: str = "en", runner: Runner | None = None) -> Result:
    """Grade what a learner typed: an expression for the blank, or a whole file."""
    return grade_source(exercise, source_for(exercise, response, lang=lang), lang=lang, runner=runner,
                        response=response)


def grade_file(exercise: Exercise, path: str | os.PathLike, *, lang: str = "en",
               runner: Runner | None = None) -> Result:
    """Grade a file; QuizzerError (exit 2) when it cannot be read."""
    source = read_submission(path, lang=lang)
    if exercise.type == "blank" and not _defines(source, exercise.entry):
        try:  # a file holding only the expression for the blank
            source = source_for(exercise, source, lang=lang)
        except AnswerError:
            pass  # not an expression either: run it as it is, and report what the sandbox finds
    return grade_source(exercise, source, lang=lang, runner=runner, filename=Path(path).name or "submission.py")


def read_submission(path: str | os.PathLike, *, lang: str = "en") -> str:
    """A submission's Python source: a .py file's text, or a notebook's code cells (``engine.notebook``).

    Refuses pipes, devices and sockets: reading one could hang."""
    import stat

    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise QuizzerError.of("no-such-file", path=p) from None
    except OSError as exc:
        raise QuizzerError.of("cannot-read", path=p, reason=exc.strerror or type(exc).__name__) from None
    if stat.S_ISDIR(mode):
        raise QuizzerError.of("is-folder", path=p)
    if not stat.S_ISREG(mode):
        raise QuizzerError.of("not-regular", path=p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise QuizzerError.of("cannot-read", path=p, reason=exc.strerror or type(exc).__name__) from None
    if notebook.is_notebook(p):
        return notebook.notebook_source(data, name=p.name, lang=lang)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuizzerError.of("not-utf8", path=p) from None


def _shape_dict(case: Case) -> dict[str, list[int]]:
    return {k: list(v) for k, v in case.shapes.items()}


def _same_error(a: SubmissionError | None, b: SubmissionError | None) -> bool:
    return (a is not None and b is not None and a.kind in _ERROR_KINDS_MATCHED and a.kind == b.kind
            and a.exc_type == b.exc_type and a.message == b.message)


def _matches(sub: RunOutcome, mis: RunOutcome, prepared: Prepared) -> bool:
    """The submission reproduces the misconception on every case: equal outputs or the same error."""
    tol = prepared.exercise.tolerance
    for s, m in zip(sub.cases, mis.cases):
        if s.outputs is not None and m.outputs is not None:
            if not same(s.outputs, m.outputs, tol, equal_nan=True):
                return False
        elif not _same_error(s.error, m.error):
            return False
    # a misconception that is right on every case can never describe a failure
    return not all(m.outputs is not None and same(m.outputs, c.expected, tol)
                   for m, c in zip(mis.cases, prepared.cases))


def _verdict(prepared: Prepared, outcome: RunOutcome, *, lang: str, runner: Runner, response: str | None,
             line_label: Callable[[int], str] | None = None) -> Result:
    exercise = prepared.exercise
    entry, outputs, tol = exercise.entry, prepared.outputs, exercise.tolerance
    case_results: list[CaseResult] = []
    first_failure: tuple[Case, str] | None = None
    for case, got in zip(prepared.cases, outcome.cases):
        case_details: dict = {"input_shapes": _shape_dict(case),
                              "expected_shapes": [list(e.shape) for e in case.expected]}
        if got.error is not None:
            sentence = diagnose.error_sentence(got.error, lang=lang, entry=entry, names=prepared.names,
                                               line_label=line_label)
            case_details["error"] = _error_dict(got.error)
            passed = False
        else:
            assert got.outputs is not None
            case_details["received_shapes"] = [list(o.shape) for o in got.outputs]
            mismatch = compare(case.expected, got.outputs, outputs, tol)
            passed = mismatch is None
            if mismatch is None:
                sentence = ""
            else:
                sentence = diagnose.mismatch_sentence(mismatch, lang=lang, entry=entry, outputs=outputs)
                case_details["mismatch"] = mismatch.to_dict()
        if not passed and first_failure is None:
            first_failure = (case, sentence)
        case_results.append(CaseResult(case.name, passed, 1.0 if passed else 0.0, 1.0, sentence, case_details))

    n_passed = sum(c.passed for c in case_results)
    n = len(case_results)
    details: dict = {"elapsed": round(outcome.elapsed, 4), "output": _clip(outcome.output)}
    if outcome.error is not None:
        details["error"] = _error_dict(outcome.error)

    if first_failure is None:
        feedback = diagnose.say("pass", lang, n=n)
        details["diagnosis"] = "pass"
        return Result(exercise.id, True, float(n), float(n), feedback, None, response, tuple(case_results), details,
                      isolation=outcome.isolation)

    case, sentence = first_failure
    where = diagnose.case_sentence(case.name, case.shapes, sentence, lang)
    parts: list[str] = []
    misconception = None
    for index, (m, mis_outcome) in enumerate(prepared.misconceptions(runner)):
        if _matches(outcome, mis_outcome, prepared):
            misconception = index
            parts.append(m.feedback.get(lang))
            break
    if misconception is not None:
        details["diagnosis"] = "misconception"
        details["misconception"] = misconception
        error = outcome.error or next((c.error for c in outcome.cases if c.error is not None), None)
        if error is not None and error.exc_type in ("NameError", "UnboundLocalError"):
            parts.append(diagnose.say("misconception-error", lang, error=sentence.rstrip(".") + "."))
        else:
            parts.append(where)
    elif n_passed == 0 and (error := outcome.error or _shared_error(outcome)) is not None:
        details["diagnosis"] = error.kind
        parts.append(sentence)
    else:
        arranged = diagnose.arrangement([c.expected for c in prepared.cases], [c.outputs for c in outcome.cases],
                                        outputs, tol, lang)
        axis_sentence = None if arranged is not None else diagnose.normalised_axis(
            [c.expected for c in prepared.cases], [c.outputs for c in outcome.cases], outputs, tol, lang)
        if arranged is not None:
            details["diagnosis"] = "arrangement"
            parts.append(arranged)
        elif axis_sentence is not None:
            details["diagnosis"] = "axis"
            parts.extend((axis_sentence, where))
        else:
            details["diagnosis"] = "case"
            parts.append(where)
    if 0 < n_passed < n:
        parts.append(diagnose.say("partial", lang, passed=n_passed, total=n))
    feedback = ("" if lang == "ja" else " ").join(p.strip() for p in parts if p.strip())
    return Result(exercise.id, False, float(n_passed), float(n), feedback, None, response, tuple(case_results),
                  details, isolation=outcome.isolation)


def _shared_error(outcome: RunOutcome) -> SubmissionError | None:
    """The error every case failed with, when it is the same one: the submission's error, not one case's."""
    errors = [c.error for c in outcome.cases]
    first = errors[0] if errors else None
    if first is not None and all(e is not None and (e.kind, e.exc_type, e.message) ==
                                 (first.kind, first.exc_type, first.message) for e in errors):
        return first
    return None


def _clip(text: str) -> str:
    return text if len(text) <= OUTPUT_KEEP else text[:OUTPUT_KEEP] + "\n[... truncated]\n"


def _error_dict(error: SubmissionError) -> dict:
    return {"kind": error.kind, "exc_type": error.exc_type, "message": error.message, "name": error.name,
            "line": error.line, "traceback": error.traceback}


# --- many files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Graded:
    """One file of a batch and its result; the student is named after the file unless a roster says otherwise."""

    file: str
    result: Result
    student: str = ""
    student_id: str = ""


def grade_many(exercise: Exercise, paths: Sequence[str | os.PathLike], *, jobs: int = 2, lang: str = "en",
               on_result: Callable[[Graded], None] | None = None, limits: Limits | None = None,
               runner: Runner | None = None, on_start: Callable[[str], None] | None = None) -> list[Graded]:
    """Grade every file, ``jobs`` at a time, with one runner (one fork server per worker).

    A hostile or broken submission costs at most its own time limit: every file gets a Result, in
    the order of ``paths``; ``on_result`` is called as each one finishes (from a worker thread).
    ``runner`` (closed by the caller) may be given to reuse fork servers already started.
    """
    if jobs < 1:
        raise QuizzerError.of("jobs-at-least-one")
    prepared = prepare(exercise)
    results: list[Graded | None] = [None] * len(paths)

    def one(index: int) -> Graded:
        path = paths[index]
        if on_start is not None:
            on_start(str(path))
        try:
            source = read_submission(path, lang=lang)
        except QuizzerError as exc:
            n = float(len(prepared.cases))
            result = Result(exercise.id, False, 0.0, n, exc.message, details={"diagnosis": "unreadable"})
        else:
            result = grade_source(exercise, source, lang=lang, runner=runner, filename=Path(path).name)
        return Graded(str(path), result)

    own = runner is None
    runner = runner or Runner(limits or Limits())
    from concurrent.futures import ThreadPoolExecutor, as_completed  # logging comes with it: batches only

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = {pool.submit(one, i): i for i in range(len(paths))}
        for future in as_completed(futures):
            graded = future.result()
            results[futures[future]] = graded
            if on_result is not None:
                on_result(graded)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: start no further submission
        raise
    else:
        pool.shutdown()
    finally:
        if own:
            runner.close()
    return [g for g in results if g is not None]


# --- output files -----------------------------------------------------------------------------

RESULT_COLUMNS = ("file", "student", "student_id", "id", "passed", "score", "max_score", "feedback", "elapsed",
                  "isolation")


def result_rows(graded: Sequence[Graded]) -> list[dict]:
    return [{"file": g.file, "student": g.student or Path(g.file).stem, "student_id": g.student_id,
             "id": g.result.item_id, "passed": g.result.passed, "score": g.result.score,
             "max_score": g.result.max_score, "feedback": g.result.feedback,
             "elapsed": g.result.details.get("elapsed", 0.0), "isolation": g.result.isolation} for g in graded]


def gradescope(result: Result) -> dict:
    """Gradescope's results.json for one submission: one test per case, one point each."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": result.details.get("elapsed", 0.0),
        "output": result.feedback,
        "visibility": "visible",
        "extra_data": {"isolation": result.isolation},
        "tests": [
            {"name": case.name, "score": case.score, "max_score": case.max_score,
             "status": "passed" if case.passed else "failed", "output": case.message or "ok",
             "visibility": "visible"}
            for case in result.cases
        ],
    }


def write_results(path: str | os.PathLike, graded: Sequence[Graded], *, not_graded: Sequence[str] = (),
                  lang: str = "en") -> Path:
    """Write the batch's results as JSON (a list of objects) or CSV, chosen by the file's suffix.

    ``not_graded`` (a batch interrupted by Ctrl-C) adds one row per file left out, with ``passed``
    empty and the feedback "not graded (interrupted)" (in ``lang``), so the file says itself that it is
    incomplete.
    """
    from quizzer.i18n.labels import label

    target = Path(path)
    suffix = target.suffix.lower()
    rows = result_rows(graded)
    rows += [{"file": str(f), "id": graded[0].result.item_id if graded else "", "passed": None, "score": None,
              "max_score": None, "feedback": label("not-graded", lang), "elapsed": None} for f in not_graded]
    if suffix == ".json":
        text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    elif suffix == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=RESULT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    else:
        raise QuizzerError.of("results-suffix", path=target)
    from quizzer.paths import write_file

    write_file(target, text, newline="")
    return target
