"""``quizzer doctor``: what this machine offers to confine graded code, and the limits in force.

The facts come from ``quizzer.engine.confine.probe`` (the same probe the sandbox uses, so what is
printed here is what a grade will report as its isolation level); this module only renders them.
"""

from __future__ import annotations

import platform

import typer

from quizzer.cli.common import JsonOption, LangOption, console, handle_errors, print_json
from quizzer.i18n.labels import label


def doctor(json: JsonOption = False, lang: LangOption = None) -> None:
    """Show Landlock, seccomp, namespaces and the sandbox's limits on this machine."""
    from quizzer.cli.exercise import isolation_text
    from quizzer.engine import confine
    from quizzer.engine._sandbox_child import _MAX_PROCESSES
    from quizzer.engine.sandbox import Limits
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    found = confine.probe()
    limits = Limits()
    level = confine.level(found.missing())
    if json:
        print_json({
            "system": f"{platform.system()} {platform.release()}",
            "landlock_abi": found.landlock_abi, "seccomp": found.seccomp, "mount_namespace": found.mount,
            "user_namespaces": confine.user_namespaces(), "root": found.root,
            "own_uid": found.root and found.cap_setuid,
            "isolation": level, "missing": found.missing(),
            "limits": {"wall_seconds": limits.wall_seconds, "memory_bytes": limits.memory_bytes,
                       "scratch_bytes": limits.scratch_bytes, "scratch_files": limits.scratch_files,
                       "output_bytes": limits.output_bytes, "processes": _MAX_PROCESSES},
        })
        return

    def t(key: str, **values: object) -> str:
        return label(key, language, **values)

    def yes(flag: bool) -> str:
        return t("doctor-yes" if flag else "doctor-no")

    from rich.table import Table

    table = Table(title=t("doctor-title"), title_justify="left", show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row(t("doctor-system"), f"{platform.system()} {platform.release()}")
    abi = found.landlock_abi
    table.add_row(t("doctor-landlock"), t("doctor-landlock-abi", abi=abi,
                                          net=t("doctor-landlock-net") if abi >= 4 else "",
                                          scope=t("doctor-landlock-scope") if abi >= 6 else "")
                  if abi else t("doctor-no"))
    table.add_row(t("doctor-seccomp"), yes(found.seccomp))
    table.add_row(t("doctor-mount"), yes(found.mount))
    table.add_row(t("doctor-userns"), str(confine.user_namespaces()))
    table.add_row(t("doctor-uid"), yes(found.cap_setuid) if found.root else t("doctor-not-root"))
    table.add_row(t("isolation"), isolation_text(level, language))
    table.add_section()
    table.add_row(t("doctor-limits"), "")
    table.add_row(t("doctor-limit-time"), f"{limits.wall_seconds:g} s")
    table.add_row(t("doctor-limit-memory"), f"{limits.memory_bytes >> 20} MiB")
    table.add_row(t("doctor-limit-scratch"), t("doctor-limit-scratch-value", mib=limits.scratch_bytes >> 20,
                                               files=limits.scratch_files))
    table.add_row(t("doctor-limit-output"), f"{limits.output_bytes >> 10} KiB")
    table.add_row(t("doctor-limit-processes"), str(_MAX_PROCESSES))
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("doctor")(handle_errors(doctor))
