"""Every sentence the labs say, in English and Japanese (placeholders named)."""

from __future__ import annotations

from quizzer.i18n.text import Text

MESSAGES: dict[str, Text] = {
    # bad input (exit 2)
    "unknown-lab": Text(en="No lab is called {id!r}; the labs are: {ids}.",
                        ja="{id!r} というラボはありません。ラボ: {ids}。"),
    "unknown-knob": Text(en="{lab} has no knob {name!r}; its knobs are: {knobs}.",
                         ja="{lab} に {name!r} という設定はありません。設定できるもの: {knobs}。"),
    "bad-set": Text(en="--set takes KNOB=VALUE, not {text!r}; the knobs of {lab} are: {knobs}.",
                    ja="--set は KNOB=VALUE の形で指定します ({text!r} ではなく)。{lab} の設定: {knobs}。"),
    "bad-value": Text(en="{name} must be {expected}, not {value!r} (knobs of {lab}: {knobs}).",
                      ja="{name} は {expected} でなければなりません ({value!r} ではなく)。{lab} の設定: {knobs}。"),
    "range": Text(en="a number from {lo:g} to {hi:g}", ja="{lo:g} 以上 {hi:g} 以下の数"),
    "int-range": Text(en="a whole number from {lo} to {hi}", ja="{lo} 以上 {hi} 以下の整数"),
    "one-of": Text(en="one of {choices}", ja="{choices} のいずれか"),
    "unreadable": Text(en="Cannot read {path}: {reason}.", ja="{path} を読み込めません: {reason}。"),
    "exists": Text(en="{path} already exists; choose another file with -o.",
                   ja="{path} はすでに存在します。-o で別のファイル名を指定してください。"),
    "blanks": Text(en="{path} still has {n} blank(s) to write (piece and line): {where}. Replace each ____ with your code.",
                   ja="{path} にはまだ書いていない空欄が {n} か所あります (部分と行番号): {where}。____ を自分のコードに置き換えてください。"),
    "missing": Text(en="{path} does not define {names}: keep the template's def lines and their names.",
                    ja="{path} に {names} が定義されていません。テンプレートの def 行と関数名はそのまま残してください。"),
    "syntax": Text(en="{path} line {line}: {message}.", ja="{path} の {line} 行目: {message}。"),
    "load": Text(en="{path} failed while loading (line {line}): {message}.",
                 ja="{path} の読み込み中にエラーが起きました ({line} 行目): {message}。"),
    "bad-plot": Text(en="--plot needs a file ending in .png or .svg, not {path!r}.",
                     ja="--plot には .png か .svg で終わるファイル名を指定してください ({path!r} ではなく)。"),
    "no-matplotlib": Text(en="--plot needs matplotlib: pip install 'quizzer[plot]'.",
                          ja="--plot には matplotlib が必要です: pip install 'quizzer[plot]'。"),
    # verdicts
    "passed": Text(en="Goal reached: {metric_text} (goal: {goal_text}).",
                   ja="目標達成: {metric_text} (目標: {goal_text})。"),
    "failed": Text(en="Goal not reached: {metric_text} (goal: {goal_text}).",
                   ja="目標未達成: {metric_text} (目標: {goal_text})。"),
    # diagnoses (what went wrong, and what to look at)
    "diverged": Text(
        en="The loss became {value} at iteration {step}: the gradients exploded. Lower the learning rate "
        "or the initial weights, or use a bounded activation (sigmoid, tanh).",
        ja="{step} 回目の学習で損失が {value} になりました: 勾配爆発です。学習率か重みの初期値を小さくするか、"
        "値が有界な活性化関数 (シグモイド関数, tanh) を使ってください。"),
    "exploded": Text(
        en="The gradients exploded (an entry of {value:.3g} by iteration {step}) and the network stopped learning: "
        "lower the learning rate or the initial weights, clip the gradients, or use a bounded activation.",
        ja="勾配爆発が起き ({step} 回目までに勾配の成分が {value:.3g})、学習が進まなくなりました。学習率か重みの初期値を"
        "小さくする、勾配クリッピングを使う、値が有界な活性化関数を使う、を試してください。"),
    "grad-wrong": Text(
        en="The gradient of {matrix} does not match the numerical gradient on a tiny case (relative error "
        "{error:.2g}){also}. {hint}",
        ja="小さな例で確かめると、{matrix} の勾配が数値微分と一致しません (相対誤差 {error:.2g}){also}。{hint}"),
    "grad-also": Text(en="; also wrong: {others}", ja="。ほかにも一致しないもの: {others}"),
    "hint-W_out": Text(
        en="Look at the output delta: y is already a sigmoid, so its derivative is y * (1 - y), not d_sigmoid(y).",
        ja="出力層のデルタを見直してください: y はすでにシグモイド関数の出力なので、微分は d_sigmoid(y) ではなく y * (1 - y) です。"),
    "hint-W": Text(
        en="Look at BPTT: delta[:, t] needs the term from the next step, delta[:, t+1] @ W.T (the recurrent term).",
        ja="BPTT を見直してください: delta[:, t] には次の時刻からの項 delta[:, t+1] @ W.T (中間層から中間層への項) が必要です。"),
    "hint-sine-out": Text(en="Look at the output layer's gradient: d(loss)/d(prediction) is 2 * (prediction - Y) / N.",
                          ja="出力層の勾配を見直してください: 予測値についての損失の微分は 2 * (予測 - Y) / N です。"),
    "hint-softmax": Text(en="d(loss)/d(logits) is (softmax(logits) - one_hot(targets)) / M, M the number of rows.",
                         ja="logits についての損失の勾配は (softmax(logits) - one_hot(targets)) / M です (M は行数)。"),
    "hint-W_in": Text(en="Look at how W_in_grad pairs X[:, t] with delta[:, t].",
                      ja="W_in_grad で X[:, t] と delta[:, t] をどう組み合わせているか見直してください。"),
    "forward-wrong": Text(
        en="{piece} does not compute what it should on a tiny case (largest difference {error:.2g}): check it first.",
        ja="小さな例で確かめると {piece} の結果が正しくありません (最大の差 {error:.2g})。まずここを見直してください。"),
    "update-sign": Text(
        en="The gradients are right but the update moves the weights up the gradient: it must subtract "
        "learning_rate * gradient.",
        ja="勾配は正しいのですが、更新で重みが勾配の方向に動いています: 学習率 × 勾配 を引く必要があります。"),
    "flat": Text(
        en="The loss hardly fell ({first:.4g} → {last:.4g}) although the gradients check out: the gradients are "
        "vanishing or the learning rate is too small. Try a larger learning_rate, more iterations, "
        "or a different initialisation.",
        ja="勾配は正しいのに損失がほとんど下がりませんでした ({first:.4g} → {last:.4g}): 勾配消失か、学習率が小さすぎます。"
        "learning_rate を大きくする、学習回数を増やす、重みの初期化を変える、を試してください。"),
    "not-enough": Text(
        en="The gradients check out and the loss fell ({first:.4g} → {last:.4g}), but not far enough: "
        "train longer or tune the knobs.",
        ja="勾配は正しく損失も下がりました ({first:.4g} → {last:.4g}) が、まだ足りません。学習回数を増やすか設定を調整してください。"),
    "crash": Text(en="Your code raised {message} at line {line} during training (iteration {step}).",
                  ja="学習中 ({step} 回目) に {line} 行目で {message} が発生しました。"),
    "crash-noline": Text(en="Your code raised {message} during training (iteration {step}).",
                         ja="学習中 ({step} 回目) に {message} が発生しました。"),
    "probe-crash-noline": Text(en="Your pieces fail on a tiny case: {message} (check what each function returns).",
                               ja="小さな例であなたの関数がエラーになります: {message} (各関数が返す値を確認してください)。"),
    "probe-crash": Text(en="Your pieces fail on a tiny case: {message} (line {line}).",
                        ja="小さな例であなたの関数がエラーになります: {message} ({line} 行目)。"),
    "timeout": Text(en="The run did not finish within the lab's {limit:g} s limit (stopped after iteration {step}).",
                    ja="ラボの制限時間 {limit:g} 秒以内に終わりませんでした ({step} 回目の後に停止)。"),
    "memory": Text(en="Your code ran out of memory: {message}.", ja="メモリが不足しました: {message}。"),
    "too-much-output": Text(en="The run was stopped after iteration {step}: your code wrote a file (or printed) more than 64 MiB.",
                            ja="{step} 回目の後で停止しました: コードが 64 MiB を超えるファイルを書き込みました (print の出力を含みます)。"),
    "cpu-limit": Text(en="The run used more than its {limit:g} s of CPU time (stopped after iteration {step}).",
                      ja="CPU 時間の上限 {limit:g} 秒を超えました ({step} 回目の後に停止)。"),
    "killed": Text(en="The training process ended abnormally ({detail}) after iteration {step}.",
                   ja="学習プロセスが異常終了しました ({detail})。{step} 回目の後。"),
    "no-weights": Text(en="The run returned no usable weights ({detail}).",
                       ja="学習結果の重みを受け取れませんでした ({detail})。"),
    "amplitude": Text(
        en="The free-running prediction fades or drifts away from the wave (largest error {error:.2f} "
        "within one period): train longer (the course saw the amplitude collapse with iters_num 100).",
        ja="自走予測が波形から外れるか振幅が小さくなります (1 周期内の最大誤差 {error:.2f})。学習回数を増やしてください "
        "(講座では iters_num 100 で振幅が 0 に近づきました)。"),
    # lab try
    "holds": Text(en="holds", ja="再現"),
    "differs": Text(en="differs", ja="異なる"),
    "wrote": Text(en="Wrote {path}: write the parts marked ____ ({pieces}), then run `quizzer lab run {id} {path}`.",
                  ja="{path} を書き出しました。____ の部分 ({pieces}) を書いてから `quizzer lab run {id} {path}` を実行してください。"),
    "metric-accuracy": Text(en="accuracy", ja="正解率"),
    "metric-free_run_rmse": Text(en="free-running RMSE", ja="自走予測の RMSE"),
    "metric-perplexity": Text(en="perplexity", ja="パープレキシティ"),
    # words on charts and tables
    "ui-knob": Text(en='knob', ja='設定'),
    "ui-default": Text(en='default', ja='既定値'),
    "ui-range": Text(en='range', ja='範囲'),
    "ui-goal": Text(en='goal', ja='目標'),
    "ui-pieces": Text(en='you write', ja='書く部分'),
    "ui-setting": Text(en='setting', ja='設定'),
    "ui-final_loss": Text(en='final loss', ja='最終損失'),
    "ui-metric": Text(en='metric', ja='評価値'),
    "ui-to_goal": Text(en='iters to goal', ja='目標到達の回数'),
    "ui-diverged": Text(en='diverged', ja='発散'),
    "ui-observed": Text(en='course notes observed', ja='講座のノートの観察'),
    "ui-verdict": Text(en='here', ja='今回'),
    "ui-yes": Text(en='yes', ja='はい'),
    "ui-no": Text(en='no', ja='いいえ'),
    "ui-loss": Text(en='loss', ja='損失'),
    "ui-accuracy": Text(en='accuracy (training)', ja='正解率 (学習データ)'),
    "ui-iteration": Text(en='iteration', ja='学習回数'),
    "ui-wave": Text(en='wave', ja='波形'),
    "ui-prediction": Text(en='free-running prediction', ja='自走予測'),
    "ui-printed": Text(en='Your code printed', ja='あなたのコードの出力'),
    "ui-time": Text(en='time', ja='時間'),
    "ui-questions": Text(en='Questions about this lab', ja='このラボに関する問題'),
    "ui-isolation": Text(en='isolation', ja='隔離'),
    "ui-heldout": Text(en='held-out', ja='未使用データ'),
    "ui-reached": Text(en='reached', ja='達成'),
    "ui-missed": Text(en='missed', ja='未達成'),
    "ui-lab": Text(en="lab", ja="ラボ"),
    "ui-labs": Text(en='Labs', ja='ラボ'),
    "ui-runs": Text(en='runs', ja='実行回数'),
    "ui-passed": Text(en='passed', ja='達成'),
    "ui-best": Text(en='best', ja='最良'),
    "ui-last": Text(en='last run', ja='最終実行'),
}


def say(key: str, lang: str = "en", **params: object) -> str:
    return MESSAGES[key].get(lang).format(**params)
