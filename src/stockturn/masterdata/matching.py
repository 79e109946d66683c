"""Fuzzy SKU suggestions: which canonical SKU does an unknown identifier or title most likely mean?

Pure functions on frames (no database). Hot path is vectorised: candidate pairs come from a blocking
join on shared tokens (Polars), their scores from `rapidfuzz.process.cpdist` (C++, all cores), the
number rule from NumPy bit masks. No Python loop runs over pairs; only normalisation touches each string
once. `score_all_pairs` is the unblocked `cdist` baseline the benchmark compares against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.process import cdist, cpdist

from stockturn.masterdata.normalize import Prepared, prepare

# Defaults chosen on the labelled sample in benchmarks/sku_matching.py (see docs/master-data.md).
DEFAULT_THRESHOLD = 85.0
SET_WEIGHT = 0.5  # token-set vs token-sort ratio in the title score
SHARED_NUMBER_SET_WEIGHT = 0.7  # ... when both titles share a count or size
NUMBER_CONFLICT_FACTOR = 0.5  # "10片" vs "20片": different products whatever the words say
ONE_SIDED_NUMBER_FACTOR = 0.9  # a count on one side only: weaker evidence
ATTRIBUTE_CONFLICT_FACTOR = 0.8  # different colour or size words: usually a variant

SUGGESTION_SCHEMA = {
    "query": pl.String,
    "sku_id": pl.String,
    "score": pl.Float64,
    "matched_text": pl.String,
    "method": pl.String,
}


@dataclass(frozen=True)
class _Side:
    """Prepared strings of one side as column arrays."""

    titles: list[str]
    codes: list[str]
    code_like: npt.NDArray[np.bool_]
    numbers: npt.NDArray[np.uint64]
    colours: npt.NDArray[np.uint64]
    sizes: npt.NDArray[np.uint64]

    @classmethod
    def of(cls, prepared: Sequence[Prepared]) -> _Side:
        return cls(
            titles=[p.title for p in prepared],
            codes=[p.code for p in prepared],
            code_like=np.array([p.code_like for p in prepared], dtype=bool),
            numbers=np.array([p.numbers for p in prepared], dtype=np.uint64),
            colours=np.array([p.colours for p in prepared], dtype=np.uint64),
            sizes=np.array([p.sizes for p in prepared], dtype=np.uint64),
        )


def _keys(prepared: Sequence[Prepared]) -> pl.DataFrame:
    """Blocking keys of each string: its title tokens, and for codes their letters-and-digits core, its
    first 6 characters (a code cut short keeps its head) and its digit runs of 3+ characters."""
    ids: list[int] = []
    keys: list[str] = []
    for index, item in enumerate(prepared):
        found = set(item.title.split())
        if item.code_like:
            found.add(item.code)
            if len(item.code) >= 8:
                found.add("^" + item.code[:6])
            digits = "".join(c if c.isdigit() else " " for c in item.code).split()
            found.update(d for d in digits if len(d) >= 3)
        ids.extend([index] * len(found))
        keys.extend(found)
    return pl.DataFrame({"id": ids, "key": keys}, schema={"id": pl.Int64, "key": pl.String})


def candidate_pairs(
    queries: Sequence[Prepared], candidates: Sequence[Prepared], *, max_key_share: float = 0.05
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(query index, candidate index) pairs sharing at least one blocking key. Keys found in more than
    `max_key_share` of the candidates (and more than 50 of them) do not form pairs on their own."""
    query_keys = _keys(queries)
    candidate_keys = _keys(candidates)
    limit = max(50, int(max_key_share * len(candidates)))
    common = candidate_keys.group_by("key").len().filter(pl.col("len") > limit).select("key")
    candidate_keys = candidate_keys.join(common, on="key", how="anti")
    pairs = (
        query_keys.join(candidate_keys, on="key", suffix="_c")
        .select(pl.col("id").alias("q"), pl.col("id_c").alias("c"))
        .unique()
        .sort("q", "c")
    )
    return pairs["q"].to_numpy(), pairs["c"].to_numpy()


def _pair_scores(
    q: _Side, c: _Side, qi: npt.NDArray[np.int64], ci: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Score of each pair (0..100) and whether the code score was the better one."""
    q_titles = [q.titles[i] for i in qi]
    c_titles = [c.titles[i] for i in ci]
    token_set = cpdist(q_titles, c_titles, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.float64)
    token_sort = cpdist(q_titles, c_titles, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.float64)
    title_score = _title_score(token_set, token_sort, q.numbers[qi], c.numbers[ci])
    code_score = np.zeros(len(qi), dtype=np.float64)
    both_codes = q.code_like[qi] & c.code_like[ci]
    if both_codes.any():
        where = np.flatnonzero(both_codes)
        q_codes = [q.codes[qi[i]] for i in where]
        c_codes = [c.codes[ci[i]] for i in where]
        ratio = cpdist(q_codes, c_codes, scorer=fuzz.ratio, workers=-1, dtype=np.float64)
        partial = cpdist(q_codes, c_codes, scorer=fuzz.partial_ratio, workers=-1, dtype=np.float64)
        code_score[where] = 0.5 * ratio + 0.5 * partial
    score = np.maximum(title_score, code_score)
    score = _number_rule(score, q.numbers[qi], c.numbers[ci])
    score = _attribute_rule(score, q.colours[qi], c.colours[ci], q.sizes[qi], c.sizes[ci])
    return score, both_codes & (code_score >= title_score)


def _title_score(
    token_set: npt.NDArray[np.float64],
    token_sort: npt.NDArray[np.float64],
    q_numbers: npt.NDArray[np.uint64],
    c_numbers: npt.NDArray[np.uint64],
) -> npt.NDArray[np.float64]:
    """Token-set (one title's words inside the other's) and token-sort (same words overall) ratios. When
    both titles carry a count or size and share it, containment weighs more: "面膜10P" inside
    "水润保湿面膜10片装" is the same product said shorter."""
    zero = np.uint64(0)
    shared = (q_numbers != zero) & (c_numbers != zero) & ((q_numbers & c_numbers) != zero)
    weight = np.where(shared, SHARED_NUMBER_SET_WEIGHT, SET_WEIGHT)
    result: npt.NDArray[np.float64] = weight * token_set + (1.0 - weight) * token_sort
    return result


def _number_rule(
    score: npt.NDArray[np.float64], q_numbers: npt.NDArray[np.uint64], c_numbers: npt.NDArray[np.uint64]
) -> npt.NDArray[np.float64]:
    """Numbers are strong signals: a count or size on both sides that shares nothing halves the score."""
    zero = np.uint64(0)
    q_has = q_numbers != zero
    c_has = c_numbers != zero
    conflict = q_has & c_has & ((q_numbers & c_numbers) == zero)
    one_sided = q_has ^ c_has
    factor = np.where(conflict, NUMBER_CONFLICT_FACTOR, np.where(one_sided, ONE_SIDED_NUMBER_FACTOR, 1.0))
    return np.round(score * factor, 1)


def _attribute_rule(
    score: npt.NDArray[np.float64],
    q_colours: npt.NDArray[np.uint64],
    c_colours: npt.NDArray[np.uint64],
    q_sizes: npt.NDArray[np.uint64],
    c_sizes: npt.NDArray[np.uint64],
) -> npt.NDArray[np.float64]:
    """Different colours or sizes named on both sides ("RED ... CLOCK" vs "MINT ... CLOCK") are variants,
    not spellings of one product."""
    zero = np.uint64(0)
    colour_conflict = (q_colours != zero) & (c_colours != zero) & ((q_colours & c_colours) == zero)
    size_conflict = (q_sizes != zero) & (c_sizes != zero) & ((q_sizes & c_sizes) == zero)
    factor = np.where(colour_conflict | size_conflict, ATTRIBUTE_CONFLICT_FACTOR, 1.0)
    return np.round(score * factor, 1)


def suggest(
    queries: Sequence[str],
    candidates: pl.DataFrame,
    *,
    min_score: float = DEFAULT_THRESHOLD,
    top_k: int = 3,
    max_key_share: float = 0.05,
) -> pl.DataFrame:
    """Best canonical SKUs for each query string.

    `candidates` has columns `sku_id` and `text` (titles, names and codes of known SKUs; several rows per
    SKU). Returns `query, sku_id, score, matched_text, method` with at most `top_k` SKUs per query, each
    with its best-scoring text, scores >= `min_score`, best first.
    """
    if not queries or candidates.height == 0:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    unique_queries = list(dict.fromkeys(queries))
    texts = candidates["text"].to_list()
    q_prepared = [prepare(text) for text in unique_queries]
    c_prepared = [prepare(text) for text in texts]
    qi, ci = candidate_pairs(q_prepared, c_prepared, max_key_share=max_key_share)
    if len(qi) == 0:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    scores, by_code = _pair_scores(_Side.of(q_prepared), _Side.of(c_prepared), qi, ci)
    return _best(unique_queries, candidates, qi, ci, scores, by_code, min_score=min_score, top_k=top_k)


def score_all_pairs(
    queries: Sequence[str],
    candidates: pl.DataFrame,
    *,
    min_score: float = DEFAULT_THRESHOLD,
    top_k: int = 3,
    chunk: int = 256,
) -> pl.DataFrame:
    """The unblocked baseline: every query against every candidate with `rapidfuzz.process.cdist`, in
    chunks of `chunk` queries so memory stays bounded; keeps the `top_k` best candidates per query."""
    if not queries or candidates.height == 0:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    unique_queries = list(dict.fromkeys(queries))
    c = _Side.of([prepare(text) for text in candidates["text"].to_list()])
    q = _Side.of([prepare(text) for text in unique_queries])
    keep = min(top_k * 4, c.code_like.size)  # several texts can name one SKU: keep a margin, _best dedupes
    parts_q, parts_c, parts_s, parts_code = [], [], [], []
    for lo in range(0, len(unique_queries), chunk):
        hi = min(lo + chunk, len(unique_queries))
        titles = q.titles[lo:hi]
        codes = q.codes[lo:hi]
        token_set = cdist(titles, c.titles, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.float64)
        token_sort = cdist(titles, c.titles, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.float64)
        title = _title_score(token_set, token_sort, q.numbers[lo:hi, None], c.numbers[None, :])
        both = np.outer(q.code_like[lo:hi], c.code_like)
        ratio = cdist(codes, c.codes, scorer=fuzz.ratio, workers=-1, dtype=np.float64)
        partial = cdist(codes, c.codes, scorer=fuzz.partial_ratio, workers=-1, dtype=np.float64)
        code = np.where(both, 0.5 * ratio + 0.5 * partial, 0.0)
        score = _number_rule(np.maximum(title, code), q.numbers[lo:hi, None], c.numbers[None, :])
        score = _attribute_rule(score, q.colours[lo:hi, None], c.colours[None, :], q.sizes[lo:hi, None],
                                c.sizes[None, :])
        best = np.argpartition(-score, keep - 1, axis=1)[:, :keep]
        rows = np.repeat(np.arange(hi - lo), keep)
        cols = best.ravel()
        parts_q.append(rows + lo)
        parts_c.append(cols)
        parts_s.append(score[rows, cols])
        parts_code.append((both & (code >= title))[rows, cols])
    return _best(
        unique_queries, candidates, np.concatenate(parts_q).astype(np.int64), np.concatenate(parts_c).astype(np.int64),
        np.concatenate(parts_s), np.concatenate(parts_code), min_score=min_score, top_k=top_k,
    )


def _best(
    queries: list[str],
    candidates: pl.DataFrame,
    qi: npt.NDArray[np.int64],
    ci: npt.NDArray[np.int64],
    scores: npt.NDArray[np.float64],
    by_code: npt.NDArray[np.bool_],
    *,
    min_score: float,
    top_k: int,
) -> pl.DataFrame:
    keep = scores >= min_score
    pairs = pl.DataFrame({
        "q": qi[keep],
        "c": ci[keep],
        "score": scores[keep],
        "method": np.where(by_code[keep], "code", "title"),
    })
    indexed = candidates.select("sku_id", pl.col("text").alias("matched_text")).with_row_index("c")
    return (
        pairs.join(indexed.with_columns(pl.col("c").cast(pl.Int64)), on="c")
        .sort(["q", "score", "matched_text"], descending=[False, True, False])
        .unique(["q", "sku_id"], keep="first", maintain_order=True)
        .with_columns(pl.int_range(pl.len()).over("q").alias("rank"))
        .filter(pl.col("rank") < top_k)
        .with_columns(pl.col("q").replace_strict(dict(enumerate(queries)), return_dtype=pl.String).alias("query"))
        .select("query", "sku_id", "score", "matched_text", "method")
    )
