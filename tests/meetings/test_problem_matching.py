"""Matching that understands Chinese (issue 20, item 1): the methods compared on the labelled pairs.

meetings/data/problem_pairs.tsv holds the pairs (text_a, text_b, same, theme): the same problem said
differently and different problems that share words. Each method's threshold is picked on the themes it
is not scored on (leave one theme out), so the figures say how well a threshold carries to new problems;
the pinned figures are those pooled over the seven held-out themes.
"""

import csv
import difflib
import math
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from meetings import quality

PAIRS = Path(quality.__file__).parent / "data" / "problem_pairs.tsv"


@cache
def pairs() -> tuple[tuple[str, str, int, str], ...]:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        return tuple((r["text_a"], r["text_b"], int(r["same"]), r["theme"]) for r in csv.DictReader(f, delimiter="\t"))


def difflib_ratio(a, b):
    return difflib.SequenceMatcher(None, quality.normalize(a), quality.normalize(b), autojunk=False).ratio()


def bigrams(text):
    t = quality.normalize(text)
    return Counter(t[i : i + 2] for i in range(len(t) - 1))


@cache
def idf():
    texts = {t for a, b, _, _ in pairs() for t in (a, b)}
    df = Counter(g for t in texts for g in bigrams(t))
    return {g: math.log((1 + len(texts)) / (1 + n)) + 1 for g, n in df.items()}


def bigram_tfidf_cosine(a, b):
    w = idf()
    va = {g: n * w.get(g, 1.0) for g, n in bigrams(a).items()}
    vb = {g: n * w.get(g, 1.0) for g, n in bigrams(b).items()}
    dot = sum(v * vb.get(g, 0.0) for g, v in va.items())
    norm = math.sqrt(sum(v * v for v in va.values())) * math.sqrt(sum(v * v for v in vb.values()))
    return dot / norm if norm else 0.0


def jieba_words_token_set(a, b):
    return fuzz.token_set_ratio(" ".join(quality.words(a)), " ".join(quality.words(b)))


# name -> score function; a higher score means "more likely the same problem".
SCORES = {
    "difflib ratio": difflib_ratio,
    "char bigram TF-IDF cosine": bigram_tfidf_cosine,
    "jieba words + token_set_ratio": jieba_words_token_set,
    "jieba concepts + token_set_ratio": quality.problem_similarity,
}


def prf(predicted, labels):
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    fp = sum(p and not y for p, y in zip(predicted, labels, strict=True))
    fn = sum(y and not p for p, y in zip(predicted, labels, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 3), round(recall, 3), round(f1, 3)


def best_threshold(scores, labels):
    """The threshold with the highest F1 (the lowest such one, halfway below the next score)."""
    candidates = sorted(set(scores))
    return max(candidates, key=lambda t: (prf([s >= t for s in scores], labels)[2], -t))


@cache
def figures() -> dict[str, tuple[float, float, float, float]]:
    """method -> (precision, recall, F1 over the held-out themes, threshold picked on all pairs)."""
    rows = pairs()
    labels = [bool(y) for _, _, y, _ in rows]
    themes = sorted({t for *_, t in rows})
    out = {}
    predicted = [quality.is_repeat(a, b) for a, b, _, _ in rows]
    out["difflib rule today (ratio ≥ 0.8 or contained)"] = (*prf(predicted, labels), quality.REPEAT_THRESHOLD)
    for name, score in SCORES.items():
        scores = [score(a, b) for a, b, _, _ in rows]
        predicted = [False] * len(rows)
        for theme in themes:
            train = [i for i, r in enumerate(rows) if r[3] != theme]
            t = best_threshold([scores[i] for i in train], [labels[i] for i in train])
            for i, r in enumerate(rows):
                if r[3] == theme:
                    predicted[i] = scores[i] >= t
        out[name] = (*prf(predicted, labels), round(best_threshold(scores, labels), 3))
    return out


def test_the_labelled_set_has_200_pairs_of_both_kinds():
    rows = pairs()
    assert len(rows) >= 200
    assert 0.35 < sum(y for _, _, y, _ in rows) / len(rows) < 0.65
    assert len({(a, b) for a, b, _, _ in rows}) == len(rows)  # no pair twice
    assert all(a != b for a, b, _, _ in rows)


# (precision, recall, F1) on held-out themes; the thresholds each method gets on all pairs.
PINNED = {
    "difflib rule today (ratio ≥ 0.8 or contained)": (0.0, 0.0, 0.0, 0.8),
    "difflib ratio": (0.487, 0.873, 0.625, 0.054),
    "char bigram TF-IDF cosine": (0.478, 0.873, 0.618, 0.0),
    "jieba words + token_set_ratio": (0.482, 0.993, 0.649, 17.021),
    "jieba concepts + token_set_ratio": (0.948, 0.973, 0.961, 35.714),
}


def test_it_pins_the_figures_of_each_method():
    found = figures()
    for name, (p, r, f1, threshold) in PINNED.items():
        assert found[name][:3] == pytest.approx((p, r, f1), abs=0.02), name
        assert found[name][3] == pytest.approx(threshold, abs=0.02 * max(1, threshold)), name


def test_the_chosen_method_beats_difflib_on_f1():
    found = figures()
    chosen = found["jieba concepts + token_set_ratio"][2]
    assert chosen > found["difflib rule today (ratio ≥ 0.8 or contained)"][2] + 0.3
    assert chosen > found["difflib ratio"][2]
    assert chosen == max(f1 for _, _, f1, _ in found.values())


def test_the_threshold_in_use_is_the_one_picked_on_the_pairs():
    assert quality.SAME_PROBLEM_THRESHOLD == pytest.approx(figures()["jieba concepts + token_set_ratio"][3], abs=5)


def test_the_rule_in_use_on_all_pairs():
    rows = pairs()
    found = prf([quality.is_same_problem(a, b) for a, b, _, _ in rows], [bool(y) for _, _, y, _ in rows])
    assert found == pytest.approx((0.973, 0.953, 0.963), abs=0.02)


def test_it_recognises_the_issues_example_as_the_same_problem():
    assert quality.is_same_problem("理论学习不够深入", "学习的系统性不强，满足于读原文")
    assert not quality.is_repeat("理论学习不够深入", "学习的系统性不强，满足于读原文")  # difflib missed it


def test_a_different_problem_that_shares_words_is_not_the_same():
    assert not quality.is_same_problem("理论学习不够深入", "深入基层调查研究不够，下村入户少")
    assert not quality.is_same_problem("理论学习不够深入", "为群众办实事不够主动")
    assert not quality.is_same_problem("联系群众不够紧密", "对群众反映的问题跟进不及时")


def test_the_hint_names_the_earlier_year_of_a_reworded_problem():
    earlier = [quality.Earlier(2024, "为群众办实事不够主动"), quality.Earlier(2025, "理论学习不够深入")]
    hints = quality.problem_hints("学习的系统性不强，满足于读原文", earlier)
    assert [h.kind for h in hints] == ["repeat"]
    assert "2025" in hints[0].message and "换了说法" in hints[0].message and "理论学习不够深入" in hints[0].message


def test_a_word_for_word_repeat_is_named_before_a_reworded_one():
    earlier = [quality.Earlier(2024, "学习的系统性不强，满足于读原文"), quality.Earlier(2025, "理论学习不够深入系统")]
    hints = quality.problem_hints("理论学习不够深入", earlier)
    assert [h.kind for h in hints] == ["repeat", "stock"]
    assert "2025" in hints[0].message and "几乎相同" in hints[0].message


def test_the_hint_says_nothing_about_a_different_problem():
    earlier = [quality.Earlier(2025, "理论学习不够深入")]
    assert quality.problem_hints("对村民反映的道路问题回应不及时，没有及时协调解决", earlier) == []


def test_empty_or_punctuation_only_texts_match_nothing():
    assert quality.problem_similarity("", "理论学习不够深入") == 0.0
    assert not quality.is_same_problem("，。", "理论学习不够深入")
