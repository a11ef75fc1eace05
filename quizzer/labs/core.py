"""Run a lab: check the learner's file, train it in the child, judge the weights here."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from quizzer.labs.messages import say
from quizzer.labs.runner import ChildReport, run_child
from quizzer.labs.spec import BLANK, Lab, LabError, PythonSyntaxError, blanks

EXPLODED = 20.0  # a gradient entry this large: sigmoid and tanh runs that learn stay under ~15 here
LAB_IDS = ("binary-addition", "sine-prediction", "word-prediction")


def _side(lab_id: str) -> Any:
    return import_module(f"quizzer.labs.{lab_id.replace('-', '_')}")


def get_lab(lab_id: str) -> Lab:
    if lab_id not in LAB_IDS:
        raise LabError("unknown-lab", id=lab_id, ids=", ".join(LAB_IDS))
    lab: Lab = _side(lab_id).LAB
    return lab


def all_labs() -> list[Lab]:
    return [get_lab(i) for i in LAB_IDS]


@dataclass
class Diagnosis:
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        params = dict(self.params)
        if self.key == "grad-wrong":
            others = params.get("others") or []
            params["also"] = say("grad-also", lang, others=", ".join(others)) if others else ""
            params["hint"] = say(params["hint"], lang)
        return say(self.key, lang, **params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"key": self.key, "params": {k: v for k, v in self.params.items() if k != "hint"},
                "message": self.text(lang)}


@dataclass
class LabResult:
    id: str
    settings: dict[str, Any]
    passed: bool
    metric: float | None
    history: list[dict[str, Any]]
    elapsed: float
    diagnosis: Diagnosis | None
    isolation: str
    output: str
    detail: dict[str, Any] = field(default_factory=dict)
    crashed: bool = False  # the run ended without weights (crash, timeout, divergence)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def verdict(self, lang: str = "en") -> str:
        lab = get_lab(self.id)
        return say("passed" if self.passed else "failed", lang, metric_text=metric_text(lab, self.metric, lang),
                   goal_text=lab.goal.text.get(lang))

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        lab = get_lab(self.id)
        return {"id": self.id, "passed": self.passed, "metric": _finite(self.metric),
                "goal": lab.goal.to_dict(), "settings": self.settings,
                "history": [{"i": p["i"], "loss": _finite(p["loss"]), "acc": _finite(p.get("acc"))}
                            for p in self.history],
                "elapsed": round(self.elapsed, 3),
                "diagnosis": self.diagnosis.to_dict(lang) if self.diagnosis else None,
                "isolation": self.isolation, "detail": self.detail}


def _finite(value: float | None) -> float | str | None:
    if value is None:
        return None
    return value if math.isfinite(value) else str(value)  # JSON has no nan/inf


def metric_text(lab: Lab, metric: float | None, lang: str = "en") -> str:
    name = say(f"metric-{lab.goal.metric}", lang)
    if metric is None:
        return f"{name} —"
    if lab.goal.metric == "accuracy":
        return f"{name} {metric:.1%}"
    return f"{name} {metric:.4g}"


def read_source(source: str, path: str, lab: Lab) -> None:
    """Refuse a file with blanks left, a syntax error, or without the lab's pieces (exit 2)."""
    left = blanks(source)
    if left:
        where = ", ".join(f"{label or BLANK} ({line})" for line, label in left)
        raise LabError("blanks", path=path, n=len(left), where=where)
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise LabError("syntax", path=path, line=exc.lineno or "?", message=PythonSyntaxError(exc.msg)) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # e.g. a NUL byte, absurd nesting
        raise LabError("syntax", path=path, line="?", message=f"{type(exc).__name__}: {exc}") from None
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    missing = [name for name in _pieces(lab) if name not in defined]
    if missing:
        raise LabError("missing", path=path, names=", ".join(missing))


def _pieces(lab: Lab) -> tuple[str, ...]:
    """The driver's PIECES: the functions the learner's file must define."""
    for line in lab.driver().splitlines():
        if line.startswith("PIECES = "):
            return tuple(ast.literal_eval(line.partition("=")[2].strip()))
    return ()


def run_lab(lab_id: str, source: str, *, path: str = "lab.py", settings: dict[str, Any] | None = None,
            on_log: Callable[[dict[str, Any]], None] | None = None, time_limit: float | None = None,
            stop: Any = None) -> LabResult:
    """Train ``source`` (the learner's file) in the child and judge it here."""
    lab = get_lab(lab_id)
    side = _side(lab_id)
    settings = dict(settings or lab.defaults())
    read_source(source, path, lab)
    limit = time_limit or lab.time_limit
    report = run_child(driver=lab.driver(), source=source, filename=path, settings=settings,
                       data=side.data(settings), weight_shapes=side.weight_shapes(settings),
                       probe_shapes=side.probe_shapes(settings), time_limit=limit, on_log=on_log, stop=stop)
    return judge(lab, side, settings, report, path, limit)


def judge(lab: Lab, side: Any, settings: dict[str, Any], report: ChildReport, path: str,
          limit: float) -> LabResult:
    if report.missing:
        raise LabError("missing", path=path, names=", ".join(report.missing))
    if report.error and report.error["kind"] in ("syntax", "load"):
        raise LabError(report.error["kind"], path=path, line=report.error["line"] or "?",
                       message=report.error["message"])
    step = report.history[-1]["i"] if report.history else 0
    metric, detail = None, {}
    if report.weights is not None and not report.diverged:
        metric, detail = side.evaluate(report.weights, settings)
        if metric is not None and not math.isfinite(metric):
            metric = None
    passed = lab.goal.met(metric) and bool(detail.get("conditions_met", True))
    diagnosis = None if passed else _diagnose(lab, side, settings, report, step, limit)
    return LabResult(id=lab.id, settings=settings, passed=passed, metric=metric, history=report.history,
                     elapsed=report.elapsed, diagnosis=diagnosis, isolation=report.isolation,
                     output=report.output, detail=detail, crashed=report.weights is None)


def _diagnose(lab: Lab, side: Any, settings: dict[str, Any], report: ChildReport, step: int,
              limit: float) -> Diagnosis:
    if report.timed_out:
        return Diagnosis("timeout", {"limit": limit, "step": step})
    bad = next((p for p in report.history if not math.isfinite(p["loss"])), None)
    if report.diverged or bad is not None:
        point = bad or (report.history[-1] if report.history else {"i": 0, "loss": float("nan")})
        return Diagnosis("diverged", {"value": str(point["loss"]), "step": point["i"]})
    if report.error is not None:
        err = report.error
        if "[Errno 27]" in err["message"]:  # EFBIG: Python ignores SIGXFSZ, so the write fails instead
            return Diagnosis("too-much-output", {"step": step})
        if err["kind"] == "memory":
            return Diagnosis("memory", {"message": err["message"]})
        if err["kind"] == "probe":
            if err["line"] is None:
                return Diagnosis("probe-crash-noline", {"message": err["message"]})
            return Diagnosis("probe-crash", {"message": err["message"], "line": err["line"]})
        if err["line"] is not None:
            return Diagnosis("crash", {"message": err["message"], "line": err["line"], "step": step})
        return Diagnosis("crash-noline", {"message": err["message"], "step": step})
    if report.signal == "SIGXFSZ":
        return Diagnosis("too-much-output", {"step": step})
    if report.signal == "SIGXCPU":
        return Diagnosis("cpu-limit", {"limit": limit, "step": step})
    if report.signal is not None:
        return Diagnosis("killed", {"detail": report.signal, "step": step})
    if report.weights is None:
        return Diagnosis("no-weights", {"detail": "the process ended before returning them"})
    if report.probe is not None:
        finding = side.check_probe(report.probe, settings)
        if finding is not None:
            key = finding.pop("key")
            return Diagnosis(key, finding)
    spike = next((p for p in report.history if (p.get("gmax") or 0.0) > EXPLODED), None)
    if spike is not None:
        return Diagnosis("exploded", {"value": spike["gmax"], "step": spike["i"]})
    extra = getattr(side, "extra_diagnosis", None)
    if extra is not None:
        finding = extra(report, settings)
        if finding is not None:
            key = finding.pop("key")
            return Diagnosis(key, finding)
    losses = [p["loss"] for p in report.history]
    if len(losses) >= 4:
        quarter = max(1, len(losses) // 4)
        first = sum(losses[:quarter]) / quarter
        last = sum(losses[-quarter:]) / quarter
        if last > 0.8 * first:
            return Diagnosis("flat", {"first": first, "last": last})
        return Diagnosis("not-enough", {"first": first, "last": last})
    return Diagnosis("not-enough", {"first": losses[0] if losses else 0.0, "last": losses[-1] if losses else 0.0})


@dataclass
class TryRow:
    """One of the course's experiments, run: what happened beside what the notes observed."""

    label: str
    observed: Any  # Text
    expect: str | None
    result: LabResult

    @property
    def diverged(self) -> bool:
        return self.result.diagnosis is not None and self.result.diagnosis.key in ("diverged", "exploded")

    @property
    def iterations_to_goal(self) -> int | None:
        """The first logged iteration where the child's own accuracy reached the goal (binary
        addition only: the child reports it; the verdict itself never rests on it)."""
        lab = get_lab(self.result.id)
        if lab.goal.metric != "accuracy":
            return None
        for point in self.result.history:
            if point.get("acc") is not None and point["acc"] >= lab.goal.value:
                return int(point["i"])
        return None

    @property
    def holds(self) -> bool | None:
        """Whether the notes' observation held in this run (None: the notes predict nothing checkable)."""
        if self.expect == "pass":
            return self.result.passed
        if self.expect == "fail":
            return not self.result.passed
        if self.expect == "diverge":
            return self.diverged
        return None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        final = self.result.history[-1]["loss"] if self.result.history else None
        return {"setting": self.label, "observed": self.observed.get(lang), "holds": self.holds,
                "final_loss": _finite(final), "iterations_to_goal": self.iterations_to_goal,
                "diverged": self.diverged, "run": self.result.to_dict(lang)}


def try_lab(lab_id: str, source: str | None = None, *, path: str = "lab.py", seed: int | None = None,
            base: tuple[str, ...] | list[str] = (), workers: int = 2,
            on_done: Callable[[TryRow], None] | None = None) -> list[TryRow]:
    """Run every experiment of the lab (``workers`` children at a time), in the lab's order.
    ``base`` (KNOB=VALUE strings) applies to every experiment, before the experiment's own settings."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    lab = get_lab(lab_id)
    stop = threading.Event()
    if source is None:
        source = solution_source(lab)
    read_source(source, path, lab)
    common = lab.settings(base, seed=seed)

    def one(experiment: Any) -> TryRow:
        settings = {**common, **experiment.settings}
        row = TryRow(experiment.label, experiment.observed, experiment.expect,
                     run_lab(lab_id, source, path=path, settings=settings, stop=stop))
        if on_done is not None:
            on_done(row)
        return row

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = [pool.submit(one, e) for e in lab.experiments]
        return [f.result() for f in futures]
    except BaseException:  # Ctrl-C: the running children end now, the waiting runs never start
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def solution_source(lab: Lab) -> str:
    from quizzer.labs.spec import strip_markers

    return strip_markers(lab.solution())
