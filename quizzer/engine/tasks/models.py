"""Tasks for the model exercises (exercises/models.yaml): VAE sampling, decoding, the LSTM and GRU
backward steps, HRED, the bidirectional layer and the stacked RNN.

Every task draws its inputs from ``numpy.random.default_rng([seed, salt])`` and computes the expected
outputs with the hidden reference. Beyond the usual traps (N, T, D, H all different, non-symmetric
weights, a D == H case, gates far from 0.5), the decoding cases are searched for, draw after draw of
the same generator, until they show what the exercise is about:

- greedy decoding: one sentence that ends on the end token before the length limit and one that runs
  into the limit, each with at least two different tokens;
- beam search: a width that finds a better sequence than greedy, a width that still misses the best
  one, and a tie at the edge of the beam that the documented order settles (the other order gives
  another answer).

Token ids come back from the learner as numbers; the grader compares them as float64, exactly enough
for small integers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from quizzer import reference as ref
from quizzer.engine.tasks import Case, register
from quizzer.engine.tasks._cases import GATE_SCALE, mat, rng_for, shapes, with_square

# How many draws a searched case may take; every seed so far needs fewer than a hundred.
MAX_DRAWS = 5000


def _dims(seed: int, square: bool = False) -> tuple[int, int, int, int]:
    """(N, T, D, H) all different (N 2..3, T 6 or 9, D 7..8, H 5; a second layer of 4), with ``square`` D == H."""
    N = 2 + seed % 2
    T = 6 + 3 * ((seed // 2) % 2)
    H = 5
    D = H if square else 7 + seed % 2
    return N, T, D, H


def _search(rng: np.random.Generator, draw: Callable[[np.random.Generator], dict | None], what: str) -> dict:
    for _ in range(MAX_DRAWS):
        found = draw(rng)
        if found is not None:
            return found
    raise RuntimeError(f"no case found for {what} in {MAX_DRAWS} draws")


# --- 1. VAE: reparameterization and the KL term ---------------------------------------------------


def _vae_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 2101 + square)
    N = 2 + seed % 2
    Z = N if square else 4 + seed % 2  # Z (4..5) differs from N (2..3) except in the square case
    args = {
        "mu": mat(rng, N, Z, scale=1.2),
        # log-variances from about -3 to 3, so exp(log_var), exp(0.5 * log_var) and log_var all differ
        "log_var": mat(rng, N, Z, scale=1.5),
        "eps": mat(rng, N, Z),
    }
    z = ref.reparameterize(**args)
    kl = ref.kl_standard_normal(args["mu"], args["log_var"])
    return Case(name, args, (z, kl), shapes(args))


@register("vae-reparameterize", outputs=("z", "kl"),
          description="reparameterize(mu, log_var, eps) -> (z, kl) with kl (N,) summed over the latent units")
def vae_cases(seeds: Sequence[int]) -> list[Case]:
    cases = with_square(seeds, _vae_case)
    return [Case(c.name.replace("D == H", "N == Z"), c.args, c.expected, c.shapes) for c in cases]


# --- 2. greedy decoding -----------------------------------------------------------------------------

VOCAB, EMB, DEC_H = 8, 4, 6
BOS, EOS = 0, 1


def _decoder_params(rng: np.random.Generator) -> dict:
    return {
        "h": np.tanh(mat(rng, DEC_H, scale=1.5)),
        "E": mat(rng, EMB, VOCAB),
        "W": mat(rng, DEC_H, EMB),
        "U": mat(rng, DEC_H, DEC_H),
        "b": mat(rng, DEC_H, scale=0.5),
        "V": mat(rng, VOCAB, DEC_H, scale=1.5),
        # the begin token is never predicted: it only starts the sentence
        "c": mat(rng, VOCAB, scale=0.5) - 10.0 * (np.arange(VOCAB) == BOS),
    }


def _greedy_draw(ends_on_eos: bool, max_len: int) -> Callable[[np.random.Generator], dict | None]:
    def draw(rng: np.random.Generator) -> dict | None:
        args = {**_decoder_params(rng), "bos": BOS, "eos": EOS, "max_len": max_len}
        tokens = ref.greedy_decode(**args)
        stopped = tokens[-1] == EOS
        if stopped != ends_on_eos or len(set(tokens.tolist())) < 2:
            return None
        if ends_on_eos and not 3 <= len(tokens) < max_len:
            return None
        # the fed-back token must matter: feeding the begin token at every step gives other words
        h, other = args["h"], []
        for _ in range(len(tokens)):
            h, logits = ref.decoder_step(BOS, h, args["E"], args["W"], args["U"], args["b"], args["V"], args["c"])
            other.append(int(np.argmax(logits)))
        return args if other != tokens.tolist() else None

    return draw


@register("seq2seq-greedy-decode", outputs=("tokens",),
          description="greedy_decode(h, E, W, U, b, V, c, bos, eos, max_len) -> token ids")
def greedy_decode_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 2201)
        for ends_on_eos, label in ((True, "ends on the end token"), (False, "reaches max_len")):
            max_len = 7 + seed % 2 if ends_on_eos else 5 + seed % 3
            args = _search(rng, _greedy_draw(ends_on_eos, max_len), f"greedy decoding, seed {seed}")
            tokens = ref.greedy_decode(**args).astype(np.float64)
            cases.append(Case(f"seed {seed}, {label}", args, (tokens,), shapes(args)))
    return cases


# --- 3. beam search ---------------------------------------------------------------------------------

BEAM_VOCAB, BEAM_T = 6, 4
# Word 0 is the begin token: row 0 of logp scores the first word, and column 0 is all but impossible.
BEGIN_PENALTY = 8.0


def _beam_with_reversed_ties(logp: np.ndarray, k: int, T: int) -> ref.Beam:
    """Beam search whose equal scores go the other way (larger token first): what the tie rule rules out."""
    beams = [ref.Beam((), 0.0)]
    for _ in range(T):
        candidates = [ref.Beam(beam.tokens + (v,), beam.score + logp[beam.tokens[-1] if beam.tokens else 0, v])
                      for beam in beams for v in range(logp.shape[1])]
        order = np.argsort(np.array([cand.score for cand in candidates]), kind="stable")[::-1]
        beams = [candidates[i] for i in order[:k]]
    return beams[0]


def _beam_draw(k: int, tie: bool) -> Callable[[np.random.Generator], dict | None]:
    def draw(rng: np.random.Generator) -> dict | None:
        logits = mat(rng, BEAM_VOCAB, BEAM_VOCAB, scale=1.5)
        logits[:, 0] -= BEGIN_PENALTY
        if tie:
            # two first words with bit-identical log-probabilities, ranked k and k + 1 after the start
            ranked = np.argsort(-logits[0], kind="stable")
            logits[0, ranked[k]] = logits[0, ranked[k - 1]]
        logp = ref.log_softmax(logits, axis=1)
        best = ref.beam_search(logp, k, BEAM_T)
        greedy = ref.beam_search(logp, 1, BEAM_T)
        exhaustive = ref.exhaustive_best(logp, BEAM_T)
        if tie:
            if _beam_with_reversed_ties(logp, k, BEAM_T).tokens == best.tokens:
                return None
        elif k > 1 and (best.tokens == greedy.tokens or best.tokens == exhaustive.tokens):
            return None  # the width must matter, and must not be enough to find the best sequence
        elif k == 1 and ref.beam_search(logp, 2, BEAM_T).tokens == best.tokens:
            return None
        return {"logp": logp, "k": k, "T": BEAM_T}

    return draw


@register("beam-search", outputs=("tokens", "score"),
          description="beam_search(logp, k, T) -> (tokens (T,), score) under the bigram log-probabilities logp")
def beam_search_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 2301)
        for k, tie, label in ((1, False, "width 1 (greedy)"), (2, False, "width 2"), (3, False, "width 3"),
                              (2, True, "width 2, a tie at the edge of the beam")):
            args = _search(rng, _beam_draw(k, tie), f"beam search, seed {seed}, {label}")
            best = ref.beam_search(args["logp"], k, BEAM_T)
            expected = (np.array(best.tokens, dtype=np.float64), np.array(best.score))
            cases.append(Case(f"seed {seed}, {label}", args, expected, shapes(args)))
    return cases


# --- 4. one LSTM step backward ----------------------------------------------------------------------

LSTM_GATE_SHIFT = (0.0, -1.0, 1.5, 0.5)  # forget gate mostly open, input gate mostly shut, as in extra.py


def _lstm_backward_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 2401 + square)
    N, _, D, H = _dims(seed, square)
    args = {
        "dh_next": mat(rng, N, H),
        "dc_next": mat(rng, N, H),
        "x": mat(rng, N, D),
        "h_prev": np.tanh(mat(rng, N, H, scale=2.0)),
        "c_prev": mat(rng, N, H, scale=1.5),
        "W": mat(rng, 4 * H, D, scale=0.7),
        "U": mat(rng, 4 * H, H, scale=0.7),
        "b": mat(rng, 4 * H, scale=0.5) + np.repeat(LSTM_GATE_SHIFT, H),
    }
    g = ref.lstm_step_backward(**args)
    return Case(name, args, (g.dx, g.dh_prev, g.dc_prev, g.dW, g.dU, g.db), shapes(args))


@register("lstm-backward-step", outputs=("dx", "dh_prev", "dc_prev", "dW", "dU", "db"),
          description="lstm_step_backward(dh_next, dc_next, x, h_prev, c_prev, W, U, b) -> gradients")
def lstm_backward_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _lstm_backward_case)


# --- 5. one GRU step backward (course convention) ---------------------------------------------------


def _gru_backward_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 2501 + square)
    N, _, D, H = _dims(seed, square)
    args: dict = {"dh_next": mat(rng, N, H), "x": mat(rng, N, D), "h_prev": np.tanh(mat(rng, N, H, scale=2.0))}
    for w, u in (("W_r", "U_r"), ("W_z", "U_z"), ("W", "U")):
        args[w] = mat(rng, H, D, scale=GATE_SCALE * 0.6)
        args[u] = mat(rng, H, H, scale=GATE_SCALE * 0.6)
    g = ref.gru_step_backward(**args)
    expected = (g.dx, g.dh_prev, g.dW_r, g.dU_r, g.dW_z, g.dU_z, g.dW, g.dU)
    return Case(name, args, expected, shapes(args))


@register("gru-backward-step", outputs=("dx", "dh_prev", "dW_r", "dU_r", "dW_z", "dU_z", "dW", "dU"),
          description="gru_step_backward(dh_next, x, h_prev, W_r, U_r, W_z, U_z, W, U) -> gradients")
def gru_backward_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _gru_backward_case)


# --- 6. HRED: the context RNN over utterance encodings ----------------------------------------------


@register("hred-context", outputs=("contexts",),
          description="hred_context(utts, W_e, U_e, b_e, W_c, U_c, b_c) -> (N, K, C) context states")
def hred_context_cases(seeds: Sequence[int]) -> list[Case]:
    cases = []
    for seed in seeds:
        rng = rng_for(seed, 2601)
        # N, K (utterances), L (words), D, H (encoder), C (context) all different
        N, K, L, D, H, C = 2 + seed % 2, 4, 5 + seed % 2, 8, 9, 7
        args = {
            "utts": mat(rng, N, K, L, D),
            "W_e": mat(rng, H, D, scale=0.7),
            "U_e": mat(rng, H, H, scale=0.7),
            "b_e": mat(rng, H, scale=0.5),
            "W_c": mat(rng, C, H, scale=1.0),
            "U_c": mat(rng, C, C, scale=0.8),
            "b_c": mat(rng, C, scale=0.5),
        }
        contexts = ref.hred_context_forward(**args)
        cases.append(Case(f"seed {seed}, {K} utterances of {L} words", args, (contexts,), shapes(args)))
    return cases


# --- 7. the whole bidirectional layer ---------------------------------------------------------------


def _bidirectional_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 2701 + square)
    N, T, D, H = _dims(seed, square)
    args = {"xs": mat(rng, N, T, D)}
    for side in ("f", "b"):
        args[f"W_{side}"] = mat(rng, H, D, scale=0.8)
        args[f"U_{side}"] = mat(rng, H, H, scale=0.8)
        args[f"b_{side}"] = mat(rng, H, scale=0.5)
    hs = ref.bidirectional_rnn_forward(**args)
    return Case(name, args, (hs,), shapes(args))


@register("bidirectional-forward", outputs=("hs",),
          description="bidirectional_forward(xs, W_f, U_f, b_f, W_b, U_b, b_b) -> (N, T, 2H)")
def bidirectional_forward_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _bidirectional_case)


# --- 8. two stacked RNN layers ----------------------------------------------------------------------


def _stacked_case(name: str, seed: int, square: bool) -> Case:
    rng = rng_for(seed, 2801 + square)
    N, T, D, H1 = _dims(seed, square)
    H2 = 4  # the second layer is narrower than the first, so a layer's weights cannot stand in for the other's
    args = {
        "xs": mat(rng, N, T, D),
        "W1": mat(rng, H1, D, scale=0.8),
        "U1": mat(rng, H1, H1, scale=0.8),
        "b1": mat(rng, H1, scale=0.5),
        "W2": mat(rng, H2, H1, scale=0.9),
        "U2": mat(rng, H2, H2, scale=0.8),
        "b2": mat(rng, H2, scale=0.5),
    }
    layers = [(args["W1"], args["U1"], args["b1"]), (args["W2"], args["U2"], args["b2"])]
    _, hs2 = ref.stacked_rnn_forward(args["xs"], layers)
    return Case(name, args, (hs2,), shapes(args))


@register("stacked-rnn", outputs=("hs",),
          description="stacked_rnn(xs, W1, U1, b1, W2, U2, b2) -> (N, T, H2) states of the second layer")
def stacked_rnn_cases(seeds: Sequence[int]) -> list[Case]:
    return with_square(seeds, _stacked_case)
