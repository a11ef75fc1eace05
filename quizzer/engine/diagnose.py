"""Feedback that names the mistake: the sentences the grader says, in English and Japanese.

Everything here turns facts (a sandbox error, a ``Mismatch``, outputs that equal the reference in a
known wrong arrangement) into one sentence. The grading pipeline (``quizzer.engine.grade``) decides
which facts to report; nothing here runs code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from itertools import permutations

import numpy as np

from quizzer.bank.model import BLANK, Tolerance
from quizzer.engine.compare import Mismatch, same
from quizzer.i18n.text import Text

MESSAGES: dict[str, Text] = {
    "pass": Text(
        en="Correct: all {n} cases match the reference.",
        ja="正解です。全 {n} ケースで参照実装と一致しました。",
    ),
    "unfilled": Text(
        en="The blank {blank} is still in the code: replace it with your expression.",
        ja="空欄 {blank} がまだ残っています。ここを式で置き換えてください。",
    ),
    "empty": Text(
        en="The answer is empty: write the expression that replaces {blank}.",
        ja="解答が空です。{blank} に入る式を書いてください。",
    ),
    "not-expression": Text(
        en="This is not a Python expression ({message}): write only the expression that replaces {blank}, e.g. {example}.",
        ja="Python の式として読めません ({message})。{blank} に入る式だけを書いてください (例: {example})。",
    ),
    "syntax": Text(
        en="Syntax error on line {line}: {message}.",
        ja="{line} 行目に構文エラーがあります: {message}。",
    ),
    "syntax-noline": Text(
        en="Your code cannot be compiled: {message}.",
        ja="コードをコンパイルできません: {message}。",
    ),
    "timeout": Text(
        en="Time limit: {detail}. Look for a loop or a recursion that never ends.",
        ja="制限時間を超えました ({detail})。終わらないループや再帰がないか確認してください。",
    ),
    "memory": Text(
        en="Out of memory: {detail}. Look for a far too large array or a recursion that never ends.",
        ja="メモリが不足しました ({detail})。大きすぎる配列や終わらない再帰がないか確認してください。",
    ),
    "exit": Text(
        en="Your code ended its own process (exit(), sys.exit() or os._exit()) instead of returning a value: "
        "return the result from {entry}.",
        ja="値を返す前にプロセスを終了しました (exit()、sys.exit()、os._exit() など)。{entry} から結果を return してください。",
    ),
    "crash": Text(
        en="Your code's process crashed: {detail}.",
        ja="コードのプロセスが異常終了しました: {detail}。",
    ),
    "bad-return": Text(
        en="{entry} must return NumPy arrays: {detail}.",
        ja="{entry} は NumPy 配列を返す必要があります: {detail}。",
    ),
    "missing-entry": Text(
        en="The code does not define the function {entry}: keep the template's def line and its name.",
        ja="関数 {entry} が定義されていません。テンプレートの def 行と関数名はそのまま残してください。",
    ),
    "name-error": Text(
        en="'{name}' is not defined here; the template defines: {names}.",
        ja="'{name}' はここでは定義されていません。テンプレートで定義されている名前: {names}。",
    ),
    "unbound": Text(
        en="'{name}' has no value yet where you use it (it is the variable this very line assigns); "
        "the template defines: {names}.",
        ja="'{name}' は使われる時点でまだ値を持っていません (この行で代入される変数そのものです)。"
        "テンプレートで定義されている名前: {names}。",
    ),
    "stdin": Text(
        en="Your code reads standard input (input() or sys.stdin), which graded code never gets: "
        "use the function's arguments.",
        ja="標準入力 (input() や sys.stdin) を読んでいますが、採点時には入力はありません。関数の引数を使ってください。",
    ),
    "recursion": Text(
        en="Your code recursed without end (RecursionError{where}): check that every recursive call gets closer to a case that stops.",
        ja="再帰が終わりませんでした (RecursionError{where})。再帰呼び出しのたびに停止条件へ近づいているか確認してください。",
    ),
    "exception": Text(
        en="Your code raised {exc}{where}: {message}.",
        ja="コードの実行中に {exc} が発生しました{where}: {message}。",
    ),
    "keepdims": Text(
        en="A reduction (max, sum...) along axis {axis} dropped that axis{where}: an array shaped {full} cannot "
        "combine with one shaped {short}. Keep the axis with keepdims=True, e.g. x.max(axis={axis}, keepdims=True).",
        ja="axis {axis} に沿った集約 (max、sum など) でその軸が消えています{where}。形状 {full} の配列と {short} の配列は"
        "組み合わせられません。keepdims=True で軸を残してください (例: x.max(axis={axis}, keepdims=True))。",
    ),
    "count": Text(
        en="{entry} returned {got} array(s) but {expected} were expected ({names}, in that order).",
        ja="{entry} が返した配列は {got} 個ですが、{expected} 個 ({names}、この順) が必要です。",
    ),
    "shape": Text(
        en="Your result {output} has shape {got} but {expected} was expected.",
        ja="結果 {output} の形状は {got} ですが、期待される形状は {expected} です。",
    ),
    "shape-batch1": Text(
        en="Your result {output} has shape {got} but {expected} was expected: it only works for a batch of 1.",
        ja="結果 {output} の形状は {got} ですが、期待される形状は {expected} です。バッチサイズが 1 のときにしか正しく動きません。",
    ),
    "shape-broadcast": Text(
        en="Your result {output} has shape {got} but {expected} was expected "
        "(np.allclose would broadcast the two and could call them equal; the grader does not).",
        ja="結果 {output} の形状は {got} ですが、期待される形状は {expected} です "
        "(np.allclose ならブロードキャストして等しいと判定しかねませんが、採点では形状を厳密に比べます)。",
    ),
    "nonfinite": Text(
        en="Your result {output} contains {what} (first at index {index}).",
        ja="結果 {output} に {what} が含まれています (最初の位置はインデックス {index})。",
    ),
    "value": Text(
        en="Your result {output} differs from the reference: largest absolute error {abs}, largest relative "
        "error {rel}, first at index {index} (expected {e}, got {g}).",
        ja="結果 {output} が参照実装と一致しません。絶対誤差の最大値 {abs}、相対誤差の最大値 {rel}、"
        "最初の不一致はインデックス {index} (期待値 {e}、実際の値 {g})。",
    ),
    "case": Text(
        en="In case \"{case}\" (inputs {shapes}): {sentence}",
        ja="ケース「{case}」(入力 {shapes}) で: {sentence}",
    ),
    "wrong-axis": Text(
        en="The values of your {output} sum to 1 along axis {axis}, not along each row (the last axis): softmax normalises "
        "every row on its own. Use axis=-1 in the softmax, or in both the maximum and the sum (with keepdims=True).",
        ja="{output} は axis {axis} に沿った合計が 1 になっていて、行ごと (最後の軸) ではありません。ソフトマックスは"
        "行ごとに正規化します。ソフトマックスでも、最大値と合計でも axis=-1 を使ってください (keepdims=True を付けて)。",
    ),
    "whole-array": Text(
        en="The values of your {output} sum to 1 over the whole array, not along each row (the last axis): softmax normalises "
        "every row on its own. Use axis=-1 in the softmax, or in both the maximum and the sum (with keepdims=True).",
        ja="{output} は配列全体の合計が 1 になっていて、行ごと (最後の軸) ではありません。ソフトマックスは"
        "行ごとに正規化します。ソフトマックスでも、最大値と合計でも axis=-1 を使ってください (keepdims=True を付けて)。",
    ),
    "partial": Text(
        en="{passed} of {total} cases pass.",
        ja="{total} ケース中 {passed} ケースが正解です。",
    ),
    "order": Text(
        en="Your outputs are right but in the wrong order: return ({names}), in that order.",
        ja="出力の値は正しいのですが順番が違います。({names}) の順で返してください。",
    ),
    "transposed": Text(
        en="Your result {output} is the expected array transposed: check the weight layout "
        "(x.dot(W.T), one row of W per output unit) and which axis is which.",
        ja="結果 {output} は期待される配列の転置になっています。重みの向き (x.dot(W.T)、W の各行が出力ユニット) "
        "と軸の対応を確認してください。",
    ),
    "batch-reversed": Text(
        en="Your result {output} equals the expected one with the batch rows in reverse order: "
        "you reversed axis 0 (the batch) where axis 1 (time) was meant.",
        ja="結果 {output} は期待される配列のバッチの並びを逆にしたものです。"
        "時間軸 (axis 1) を反転すべきところでバッチ軸 (axis 0) を反転しています。",
    ),
    "misconception-error": Text(
        en="(Your code fails the same way: {error})",
        ja="(実際に同じ理由で失敗しています: {error})",
    ),
    "output-note": Text(
        en="Your code printed {n} characters of output; they were ignored.",
        ja="コードが出力した {n} 文字は採点では無視されました。",
    ),
}


def say(key: str, lang: str, **values: object) -> str:
    return MESSAGES[key].get(lang).format(**values)


def list_names(names: Sequence[str], lang: str) -> str:
    return ", ".join(names) if lang != "ja" else "、".join(names)


def fmt_shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(n)) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def fmt_index(index: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def fmt_number(x: float) -> str:
    return f"{x:.4g}"


# --- the template's names, for NameError ---------------------------------------------------


def template_names(template: str, entry: str) -> list[str]:
    """Names the learner may use at the blank: the entry's parameters, then the names assigned before
    the line holding the blank (in order), then the module's other top-level definitions.

    ``____`` is a valid identifier, so the template parses as it is.
    """
    try:
        tree = ast.parse(template)
    except SyntaxError:
        return []
    blank_line = next((i for i, line in enumerate(template.splitlines(), 1) if BLANK in line), None)
    names: list[str] = []

    def add(name: str) -> None:
        if name not in names and name != BLANK and not name.startswith("__"):
            names.append(name)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == entry:
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                add(arg.arg)
            stores = []  # ast.walk is breadth-first: sort by position to list names in source order
            for sub in ast.walk(node):
                if blank_line is not None and getattr(sub, "lineno", 0) >= blank_line:
                    continue
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    stores.append((sub.lineno, sub.col_offset, sub.id))
                elif isinstance(sub, ast.arg) and sub.lineno > node.lineno:
                    stores.append((sub.lineno, sub.col_offset, sub.arg))
            for _line, _col, name in sorted(stores):
                add(name)
    return names


# --- sentences for a sandbox error ---------------------------------------------------------


# Python's own words for the syntax errors a learner meets most, in Japanese. The original follows
# in parentheses (it is what a search engine knows); a message not listed here is kept as it is.
_BLOCKS_JA = {"function definition": "関数定義", "class definition": "クラス定義"}
_STATEMENT = re.compile(r"'(\w+)' statement")
_PYTHON_SYNTAX_JA: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), t) for p, t in (
    (r"invalid syntax\. Perhaps you forgot a comma\?", "文法に合わない書き方です。カンマを忘れていませんか"),
    (r"invalid syntax", "文法に合わない書き方です"),
    (r"expected '(?P<what>[^']+)'", "「{what}」が必要です"),
    (r"expected an indented block after (?P<block>.+?) on line (?P<at>\d+)",
     "{at} 行目の{block}の後には、字下げしたブロックが必要です"),
    (r"unexpected indent", "予期しない字下げがあります"),
    (r"unindent does not match any outer indentation level", "字下げの戻し位置が、外側のどの字下げとも合いません"),
    (r"inconsistent use of tabs and spaces in indentation", "字下げにタブとスペースが混在しています"),
    (r"'(?P<what>.)' was never closed", "「{what}」が閉じられていません"),
    (r"unmatched '(?P<what>.)'", "対応する開き括弧のない「{what}」があります"),
    (r"closing parenthesis '(?P<close>.)' does not match opening parenthesis '(?P<open>.)'.*",
     "閉じ括弧「{close}」が開き括弧「{open}」と対応していません"),
    (r"unterminated triple-quoted string literal.*", "三重引用符の文字列が閉じられていません"),
    (r"unterminated string literal.*", "文字列が閉じられていません"),
    (r"invalid non-printable character U\+3000", "全角スペースがあります"),
    (r"invalid non-printable character (?P<code>U\+[0-9A-F]+)", "目に見えない文字 {code} があります"),
    (r"invalid character '(?P<char>[\uff01-\uff5e])' \(U\+[0-9A-F]+\)",
     "全角文字「{char}」があります (半角で書きます)"),
    (r"invalid character '(?P<char>.)' \((?P<code>U\+[0-9A-F]+)\)", "Python では使えない文字「{char}」({code}) があります"),
    (r"invalid decimal literal", "数の書き方が正しくありません"),
    (r"cannot assign to (?P<what>.+?) here\. Maybe you meant '==' instead of '='\?",
     "ここでは代入できません。「=」ではなく「==」のつもりではありませんか"),
    (r"Missing parentheses in call to '(?P<name>\w+)'.*", "'{name}' の呼び出しに括弧がありません"),
    (r"'(?P<word>return|yield|await)' outside (?:async )?function", "関数の外に '{word}' があります"),
    (r"'(?P<word>break|continue)' (?:outside loop|not properly in loop)", "ループの外に '{word}' があります"),
))


def python_message(message: str, lang: str) -> str:
    """Python's message for a syntax error, in ``lang`` when it is one of the common ones."""
    if lang != "ja":
        return message
    for pattern, text in _PYTHON_SYNTAX_JA:
        found = pattern.fullmatch(message)
        if found:
            values = found.groupdict()
            if "block" in values:  # "function definition", "'if' statement"
                block = values["block"]
                statement = _STATEMENT.fullmatch(block)
                values["block"] = f" {statement.group(1)} 文" if statement else _BLOCKS_JA.get(block, f" {block} ")
            return f"{text.format(**values)} ({message})"
    return message


def error_sentence(error, *, lang: str, entry: str, names: Sequence[str],
                   line_label: Callable[[int], str] | None = None) -> str:
    """One sentence for a ``sandbox.SubmissionError``; ``line_label`` words a line number (a notebook's
    says which cell)."""
    kind = error.kind
    line = (line_label or str)(error.line) if error.line else None
    where = f" (line {line})" if line and lang != "ja" else (f" ({line} 行目)" if line else "")
    message = error.message.rstrip(".")
    if error.exc_type and message.startswith(error.exc_type + ": "):
        message = message[len(error.exc_type) + 2:]
    if kind == "syntax":
        if line:
            return say("syntax", lang, line=line, message=python_message(message, lang))
        return say("syntax-noline", lang, message=python_message(message, lang))
    if kind == "timeout":
        return say("timeout", lang, detail=sandbox_detail(message, lang))
    if kind == "memory":
        return say("memory", lang, detail=sandbox_detail(message, lang))
    if kind == "exit":
        return say("exit", lang, entry=entry)
    if kind == "crash":
        if "memory" in message:
            return say("memory", lang, detail=sandbox_detail(message, lang))
        return say("crash", lang, detail=sandbox_detail(message, lang))
    if kind == "bad-return":
        return say("bad-return", lang, entry=entry, detail=message)
    if kind == "missing-entry":
        return say("missing-entry", lang, entry=entry)
    # kind == "exception"
    if error.exc_type == "UnboundLocalError":
        name = error.name or _quoted_name(message)
        if name:
            return say("unbound", lang, name=name, names=list_names(names, lang))
    if error.exc_type == "NameError" and error.name:
        return say("name-error", lang, name=error.name, names=list_names(names, lang))
    if error.exc_type == "EOFError" or "stdin" in message or "reading from stdin" in message:
        return say("stdin", lang)
    if error.exc_type == "RecursionError":
        return say("recursion", lang, where=where)
    if error.exc_type == "ValueError":
        dropped = reduced_axis(message)
        if dropped is not None:
            return say("keepdims", lang, where=where, axis=dropped, full=fmt_shape(dropped_shapes(message)[0]),
                       short=fmt_shape(dropped_shapes(message)[1]))
    return say("exception", lang, exc=error.exc_type or "an error", where=where, message=message)


_BROADCAST = re.compile(r"operands could not be broadcast together with shapes \(([\d,]*)\)\s*\(([\d,]*)\)")


def dropped_shapes(message: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    found = _BROADCAST.search(message)
    if not found:
        return (), ()
    return tuple(int(n) for n in found[1].split(",") if n), tuple(int(n) for n in found[2].split(",") if n)


def reduced_axis(message: str) -> int | None:
    """The axis a reduction (max, sum, mean...) dropped, when a broadcast error pairs an array with the
    same shape less one axis: ``(3,7) (3,)`` is x beside x.max(axis=-1) without keepdims=True.
    Negative, counted from the end (-1 the last axis), as the learner writes it."""
    full, short = dropped_shapes(message)
    if len(full) != len(short) + 1:
        full, short = short, full
    if len(full) != len(short) + 1 or not short:
        return None
    for axis in range(len(full) - 1, -1, -1):
        if full[:axis] + full[axis + 1:] == short:
            return axis - len(full)
    return None


def _quoted_name(message: str) -> str | None:
    parts = message.split("'")
    return parts[1] if len(parts) >= 3 and parts[1].isidentifier() else None


# --- sentences for a mismatch --------------------------------------------------------------


def mismatch_sentence(m: Mismatch, *, lang: str, entry: str, outputs: Sequence[str]) -> str:
    if m.kind == "count":
        return say("count", lang, entry=entry, got=m.received_count, expected=m.expected_count,
                   names=", ".join(outputs))
    if m.kind == "shape":
        key = "shape-batch1" if m.batch_of_one else "shape-broadcast" if m.broadcastable else "shape"
        return say(key, lang, output=m.output, got=fmt_shape(m.received_shape), expected=fmt_shape(m.expected_shape))
    if m.kind == "nonfinite":
        return say("nonfinite", lang, output=m.output, what=m.nonfinite, index=fmt_index(m.first_index))
    return say("value", lang, output=m.output, abs=fmt_number(m.max_abs), rel=fmt_number(m.max_rel),
               index=fmt_index(m.first_index), e=fmt_number(m.expected_value), g=fmt_number(m.received_value))


# The sandbox (quizzer.engine.sandbox, _sandbox_child) words what stopped a submission in English,
# as results files keep it; the learner reads it in their language through these patterns.
_SANDBOX_DETAILS: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = tuple((re.compile(pattern), text) for pattern, text in (
    (r"the submission did not finish within the (?P<s>[\d.]+) s time limit",
     dict(ja="上限 {s} 秒")),
    (r"the submission used more than (?P<s>\d+) s of CPU time", dict(ja="CPU 時間が {s} 秒を超えました")),
    (r".* ran out of memory \(the limit is (?P<limit>[^)]+)\)(?P<rest>: .*)?",
     dict(ja="上限 {limit}{rest}")),
    (r"the submission's process was killed \(SIGKILL\); it may have used too much memory",
     dict(ja="プロセスが強制終了されました (SIGKILL)。メモリを使いすぎた可能性があります")),
    (r"the submission's process was killed for writing a file larger than the limit",
     dict(ja="上限より大きなファイルを書き込んだため、プロセスが強制終了されました")),
    (r"the submission's process crashed \((?P<signal>[^)]+)\)", dict(ja="プロセスが異常終了しました ({signal})")),
    (r"the submission started too many processes \(the limit is (?P<n>\d+)\)",
     dict(ja="プロセスを起動しすぎました (上限は {n})")),
    (r"the submission left processes behind that could not be stopped",
     dict(ja="止められないプロセスが残りました")),
    (r"the sandbox could not run the submission(?P<rest> \(.*\))?", dict(ja="サンドボックスで実行できませんでした{rest}")),
    (r"the sandbox lost the submission's process(?P<rest> \(.*\))?", dict(ja="サンドボックスが提出物のプロセスを見失いました{rest}")),
    (r"the submission's report could not be read", dict(ja="実行結果を読み取れませんでした")),
    (r"the submission's report has no result for this case", dict(ja="このケースの実行結果がありません")),
))


def sandbox_detail(message: str, lang: str) -> str:
    """What stopped a submission, as the sandbox said it (English), in ``lang`` when a pattern knows it."""
    if lang == "en":
        return message
    for pattern, text in _SANDBOX_DETAILS:
        found = pattern.fullmatch(message)
        if found:
            if lang not in text:
                return message
            return text[lang].format(**{k: v or "" for k, v in found.groupdict().items()})
    return message


# The tasks (quizzer.engine.tasks) name their cases in English from a few parts joined by ", "
# ("seed 3, 3-d input", "seed 1, D == H"); each part is rendered here in the learner's language. A
# part no pattern knows is shown as it is (tests/test_terminal.py checks every task's names in ja).
_CASE_PARTS: tuple[tuple[re.Pattern[str], Text], ...] = tuple((re.compile(pattern), text) for pattern, text in (
    (r"seed (?P<n>\d+)", Text(en="seed {n}", ja="シード {n}")),
    (r"(?P<n>\d+)-d input", Text(en="{n}-d input", ja="{n} 次元の入力")),
    (r"(?P<n>\d+) words", Text(en="{n} words", ja="{n} 単語")),
    (r"window (?P<n>\d+)", Text(en="window {n}", ja="ウィンドウ幅 {n}")),
    (r"batch of (?P<n>\d+)", Text(en="batch of {n}", ja="バッチサイズ {n}")),
    (r"a tree of (?P<n>\d+) leaves", Text(en="a tree of {n} leaves", ja="葉が {n} 個の木")),
    (r"(?P<k>\d+) utterances of (?P<n>\d+) words", Text(en="{k} utterances of {n} words", ja="{n} 単語の発話 {k} 個")),
    (r"(?P<what>global norm|norm) (?P<where>far above|above|below) the threshold",
     Text(en="{what} {where} the threshold", ja="{what}がしきい値{where}")),
    (r"ends on the end token", Text(en="ends on the end token", ja="終了トークンで終わる")),
    (r"reaches max_len", Text(en="reaches max_len", ja="max_len に達する")),
    (r"width (?P<n>\d+) \(greedy\)", Text(en="width {n} (greedy)", ja="ビーム幅 {n} (貪欲法)")),
    (r"width (?P<n>\d+)", Text(en="width {n}", ja="ビーム幅 {n}")),
    (r"a tie at the edge of the beam", Text(en="a tie at the edge of the beam", ja="ビームの境目に同点あり")),
    (r"zero gradient", Text(en="zero gradient", ja="勾配がゼロ")),
    (r"large \|x\| (?P<values>\(.*\))", Text(en="large |x| {values}", ja="大きな |x| {values}")),
    (r"rows around (?P<value>\+-\d+)", Text(en="rows around {value}", ja="行の値が {value} 付近")),
))
_CASE_WORDS = {"ja": {"global norm": "全体のノルム", "norm": "ノルム", "far above": "を大きく超える",
                      "above": "を超える", "below": "未満"}}


def case_name(name: str, lang: str) -> str:
    """A case's name (as the task wrote it, in English) in ``lang``: each part translated, formulas kept."""
    if lang == "en":
        return name
    words = _CASE_WORDS.get(lang, {})
    parts = []
    for part in re.split(r", (?![^()]*\))", name):  # not inside parentheses: "large |x| (30, 400, 800)"
        for pattern, text in _CASE_PARTS:
            found = pattern.fullmatch(part)
            if found:
                values = {k: words.get(v, v) for k, v in found.groupdict().items()}
                part = text.get(lang).format(**values)
                break
        parts.append(part)
    return ("、" if lang == "ja" else ", ").join(parts)


def case_sentence(name: str, shapes: dict, sentence: str, lang: str) -> str:
    described = ", ".join(f"{arg} {fmt_shape(shape)}" for arg, shape in shapes.items()) or "-"
    return say("case", lang, case=case_name(name, lang), shapes=described, sentence=sentence)


# --- generic diagnoses: the reference's outputs in a known wrong arrangement ----------------


def _sums_to_one(array: np.ndarray, axis: int | None) -> bool:
    return bool(np.allclose(np.sum(array, axis=axis), 1.0, rtol=0, atol=1e-6))


def normalised_axis(expected: Sequence[Sequence[np.ndarray]], received: Sequence[Sequence[np.ndarray] | None],
                    outputs: Sequence[str], tolerance: Tolerance, lang: str) -> str | None:
    """A sentence when an output that should be a distribution over the last axis (softmax, attention
    weights) comes back normalised along another axis, or over the whole array, in every case it is
    wrong: the wrong ``axis=`` named once instead of a value mismatch per case. None otherwise."""
    for k, name in enumerate(outputs):
        axes: list[tuple[int, int] | None] = []  # (axis, axis counted from the end), None: the whole array
        for e, r in zip(expected, received):
            if r is None or k >= len(e) or k >= len(r):
                return None
            exp, got = np.asarray(e[k], dtype=float), np.asarray(r[k], dtype=float)
            if exp.ndim < 2 or np.any(exp < 0) or not _sums_to_one(exp, -1):
                break  # not a distribution over the last axis: another output, or another exercise
            if got.shape != exp.shape or not np.all(np.isfinite(got)):
                return None
            if same([exp], [got], tolerance):
                continue
            if _sums_to_one(got, -1):
                return None  # rows are distributions: a value mistake, not an axis
            found = next((a for a in range(got.ndim - 1) if _sums_to_one(got, a)), None)
            if found is not None:
                axes.append((found, found - got.ndim))
            elif _sums_to_one(got, None):
                axes.append(None)
            else:
                return None
        else:
            if not axes:
                continue
            if all(a is None for a in axes):
                return say("whole-array", lang, output=name)
            if any(a is None for a in axes):
                return None
            positive = {a[0] for a in axes if a is not None}
            negative = {a[1] for a in axes if a is not None}
            axis = positive.pop() if len(positive) == 1 else negative.pop() if len(negative) == 1 else None
            if axis is not None:
                return say("wrong-axis", lang, output=name, axis=axis)
    return None


def arrangement(expected: Sequence[Sequence[np.ndarray]], received: Sequence[Sequence[np.ndarray] | None],
                outputs: Sequence[str], tolerance: Tolerance, lang: str) -> str | None:
    """A sentence when, on every case, the received outputs are the expected ones returned in another
    order, transposed, or with the batch rows reversed. None otherwise."""
    pairs = [(e, r) for e, r in zip(expected, received) if r is not None]
    if not pairs or len(pairs) != len(expected):
        return None
    n = len(pairs[0][0])
    if n > 1 and all(len(r) == n for _, r in pairs):
        for perm in permutations(range(n)):
            if perm == tuple(range(n)):
                continue
            if all(same([e[i] for i in perm], r, tolerance) for e, r in pairs):
                return say("order", lang, names=", ".join(outputs))
    if not all(len(r) == n for _, r in pairs):
        return None
    for k in range(n):
        name = outputs[k] if k < len(outputs) else f"output {k}"
        exp_k = [e[k] for e, _ in pairs]
        got_k = [r[k] for _, r in pairs]
        if all(np.ndim(e) >= 2 for e in exp_k) and all(
            same([np.swapaxes(e, -1, -2)], [g], tolerance) for e, g in zip(exp_k, got_k)
        ) and not all(same([np.swapaxes(e, -1, -2)], [e], tolerance) for e in exp_k):
            return say("transposed", lang, output=name)
        if all(np.ndim(e) >= 2 and np.shape(e)[0] > 1 for e in exp_k) and all(
            same([e[::-1]], [g], tolerance) for e, g in zip(exp_k, got_k)
        ):
            return say("batch-reversed", lang, output=name)
    return None
