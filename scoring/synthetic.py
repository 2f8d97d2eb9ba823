"""Pseudo-English prediction/reference pairs for tests and benchmarks (clearly not real data).

The OpenOrca references and Llama-2 outputs cannot be downloaded here, so the fast ROUGE path
is checked against ``rouge_score`` on texts built to exercise the same code paths: sentences
of varied length, abbreviations that Punkt must not split on ("Dr.", "e.g."), numbers with
separators, lists, quotes, hyphens and apostrophes, inflected words that the Porter stemmer
rewrites, a little non-ASCII, and repeated words (which make the LCS ambiguous, so the
tie-breaking of rougeLsum's backtracking is exercised). Predictions are mutations of their
references (sentences dropped, reordered, words replaced), which puts the scores in the same
range as real llama2 runs (rouge1 ≈ 44).
"""

from __future__ import annotations

import random

_BASE_TEXT = (
    "the a an of to and in is it that for on with as was be by this are or from at which "
    "not have has had but were they their his her she he we you your our can will would "
    "should could may might must one two three first second new other some any each many "
    "more most such only also very well just than then there these those when where while "
    "because however therefore although about into over after before between through during "
    "answer question task step explain reason result process system model data value number "
    "people time year way day man woman child world life hand part place case point group "
    "company problem fact information example government country city state family school "
    "work study research history science music language water energy health market policy "
    "run running runs ran walk walked walking talk talked talking generate generated "
    "generation generalization general generally happy happily happiness relate related "
    "relational relationship connect connected connection connections organize organization "
    "organizational conditional conditionally rational rationality decide decision decisive "
    "effective effectively effectiveness hopeful hopefulness agree agreed agreement "
    "argument argue arguing caresses ponies cats feed troubled sized hopping tanned falling "
    "filing fizzed failing digitizer operator formality sensitivity electrical adjustable "
    "dependent adoption homologous activate angularity formative triplicate possibly "
    "important importantly provide provided provides providing include included includes "
    "including consider considered considering considerable translate translated translation "
    "sentence sentences premise hypothesis conclusion option options correct incorrect "
    "summary summarize summarized article text context detail details describe described"
)
_BASE_WORDS = tuple(_BASE_TEXT.split())
_SUFFIXES = ("", "", "", "s", "ed", "ing", "ly", "ness", "ation", "ful", "ive", "ize", "ement")
_SYLLABLES = ("ka", "lo", "mi", "ren", "tar", "vus", "pel", "dor", "qui", "zan", "bri", "ost")
_ABBREVIATIONS = ("Dr.", "Mr.", "e.g.", "i.e.", "U.S.", "etc.", "Inc.", "Jan.", "No.", "vs.")
_ODD_WORDS = ("café", "naïve", "don't", "it's", "well-known", "co-operate", "façade", "Straße")
_ENDINGS = (".", ".", ".", ".", "?", "!", ":", "...")


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    """Base words, inflected forms and pronounceable pseudo-words (a Zipf-like mix)."""
    words = list(_BASE_WORDS)
    while len(words) < size:
        if rng.random() < 0.6:
            words.append(rng.choice(_BASE_WORDS) + rng.choice(_SUFFIXES))
        else:
            syllables = rng.randint(2, 4)
            root = "".join(rng.choice(_SYLLABLES) for _ in range(syllables))
            words.append(root + rng.choice(_SUFFIXES))
    return words


def _word(rng: random.Random, words: list[str]) -> str:
    roll = rng.random()
    if roll < 0.03:
        return str(rng.choice((rng.randint(0, 100), rng.randint(1000, 99999))))
    if roll < 0.04:
        return f"{rng.randint(1, 999)},{rng.randint(100, 999)}"
    if roll < 0.05:
        return f"{rng.randint(0, 99)}.{rng.randint(0, 99)}%"
    if roll < 0.065:
        return rng.choice(_ABBREVIATIONS)
    if roll < 0.075:
        return rng.choice(_ODD_WORDS)
    # Zipf-like: low indices (function words) are much more frequent.
    index = min(int(rng.paretovariate(0.9)) - 1, len(words) - 1)
    if rng.random() < 0.5:
        index = rng.randrange(len(words))
    return words[index]


def sentence(rng: random.Random, words: list[str], length: int | None = None) -> str:
    """One sentence: capitalised, with commas, quotes or brackets now and then."""
    length = length or max(1, int(rng.gauss(18, 8)))
    tokens = [_word(rng, words) for _ in range(length)]
    tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
    for _ in range(rng.randint(0, 2)):
        position = rng.randrange(len(tokens))
        tokens[position] += rng.choice((",", ",", ";", ")", '"'))
    if rng.random() < 0.1:
        tokens.insert(0, f"{rng.randint(1, 9)}.")
    if rng.random() < 0.05:
        tokens.insert(0, '"')
    return " ".join(tokens) + rng.choice(_ENDINGS)


def text(rng: random.Random, words: list[str], n_words: int = 300) -> str:
    """Sentences until about ``n_words`` words, sometimes split into paragraphs or lists."""
    parts: list[str] = []
    count = 0
    while count < n_words:
        piece = sentence(rng, words)
        count += piece.count(" ") + 1
        parts.append(piece)
        if rng.random() < 0.1:
            parts.append("\n\n" if rng.random() < 0.7 else "\n- ")
    out = " ".join(parts).replace(" \n", "\n").replace("\n ", "\n")
    return ("  " if rng.random() < 0.1 else "") + out + ("\n" if rng.random() < 0.1 else "")


def mutate(rng: random.Random, words: list[str], reference: str) -> str:
    """A plausible model output for ``reference``: same content, edited and reordered."""
    sentences = [s for s in reference.replace("\n", " ").split(". ") if s]
    kept: list[str] = []
    for piece in sentences:
        roll = rng.random()
        if roll < 0.3:
            continue  # dropped
        if roll < 0.55:
            kept.append(sentence(rng, words).rstrip("."))  # new content
            continue
        tokens = piece.split(" ")
        for _ in range(max(1, len(tokens) // 2)):
            tokens[rng.randrange(len(tokens))] = _word(rng, words)
        if rng.random() < 0.2:
            tokens = tokens + tokens[: rng.randint(1, 4)]  # repetition, as models do
        kept.append(" ".join(tokens))
    if len(kept) > 2 and rng.random() < 0.3:
        i, j = rng.sample(range(len(kept)), 2)
        kept[i], kept[j] = kept[j], kept[i]
    if not kept or rng.random() < 0.01:
        return rng.choice(("", "   ", "...", "Yes."))  # degenerate outputs happen too
    return ". ".join(kept) + "."


def pairs(n: int, seed: int = 0, n_words: int = 300) -> tuple[list[str], list[str]]:
    """``n`` (prediction, reference) pairs of about ``n_words`` words, reproducible by seed."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    references = [text(rng, words, n_words) for _ in range(n)]
    predictions = [mutate(rng, words, ref) for ref in references]
    return predictions, references
