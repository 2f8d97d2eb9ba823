"""Accuracy scoring shared by the validator, the reference runner and the portal.

No torch, no transformers, no streamlit: this package sits below ``validator`` and
``reference_runner`` and imports neither.

- :mod:`scoring.accuracy_log`: read untruncated ``mlperf_log_accuracy.json`` files, decode
  token ids, count tokens (spec §3, §5, §6).
- :mod:`scoring.punkt_data`: NLTK's English Punkt model written offline
  (``python -m scoring.punkt_data DIR``).
- :mod:`scoring.rouge`: ROUGE exactly as MLPerf's ``evaluate-accuracy.py``, with a reference
  (``rouge_score``) and a fast, bit-identical implementation (:mod:`scoring.rouge_kernels`).
- :mod:`scoring.llama2`: the llama2-70b accuracy result, ``accuracy.txt`` formatting and
  parsing.
- :mod:`scoring.synthetic`: pseudo-English pairs for tests and benchmarks (not real data).

Every error is a :class:`scoring.errors.ScoringError` with a stable code and a message that
names the file and the fix.
"""
