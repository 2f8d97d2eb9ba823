"""Drive a backend through the real LoadGen (``mlperf_loadgen``) for one scenario and mode.

How LoadGen is used from Python (spec §7, environment notes "LoadGen"):

* settings come from ``FromConfig(user.conf, model, "Offline"|"Server")`` (mlperf.conf is built
  in), then the three RNG seeds are overwritten with the chosen round's, because LoadGen 6.0.17
  would otherwise write the v6.0 seeds that other rounds' checkers reject;
* ``Interactive`` is a Server run under the model name ``llama2-70b-interactive``;
* Server responses first call ``FirstTokenComplete`` with the first token, then
  ``QuerySamplesComplete`` with ``n_tokens``; the NumPy buffers stay referenced until those calls
  return, because LoadGen reads the memory behind the pointers;
* a backend with its own continuous-batching engine (``StreamingBackend``: hf, vllm) gets every
  query as it is issued and answers each one when its row finishes (``_StreamingSUT``); other
  backends get batches cut from the queue (``_BatchingSUT``);
* TEST06 is a performance run with the compliance ``audit.config`` (spec §4.4). Other runs get
  an audit path that does not exist, so a stray ``audit.config`` in the working directory can
  never change a run.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import numpy as np

from reference_runner.backends.base import Backend, StreamingBackend, streaming
from reference_runner.datasets import Sample
from reference_runner.errors import RunnerError
from reference_runner.rounds import RoundSettings

MODES = ("performance", "accuracy", "TEST06")
SCENARIOS = ("Offline", "Server", "Interactive")

# spec §4.4: what the TEST06 audit.config sets.
TEST06_AUDIT_CONFIG = """\
# TEST06 (LLM output consistency), as in the MLPerf compliance suite (spec §4.4).
*.*.mode = 2
*.*.accuracy_log_sampling_target = 100
*.*.min_query_count = 100
*.*.min_duration = 0
*.*.sample_concatenate_permutation = 0
"""


@dataclass(frozen=True)
class LoadgenOverrides:
    """user.conf values a run may set; None keeps LoadGen's built-in mlperf.conf value."""

    min_duration_ms: int | None = None
    min_query_count: int | None = None
    server_target_qps: float | None = None
    offline_expected_qps: float | None = None


def loadgen_model_name(scenario: str) -> str:
    """The LoadGen model name whose mlperf.conf lines apply (spec §1, §4.5)."""
    return "llama2-70b-interactive" if scenario == "Interactive" else "llama2-70b"


def loadgen_scenario(scenario: str) -> str:
    """LoadGen has no Interactive scenario: it is Server with tighter limits (spec §7)."""
    return "Offline" if scenario == "Offline" else "Server"


def user_conf_text(scenario: str, total_samples: int, overrides: LoadgenOverrides) -> str:
    """The user.conf this run uses; it is also the one written into the bundle."""
    model = loadgen_model_name(scenario)
    sc = loadgen_scenario(scenario)
    lines = [
        "# Written by the Inferboard reference runner; mlperf.conf is compiled into LoadGen.",
        f"{model}.{sc}.performance_sample_count_override = {total_samples}",
    ]
    if overrides.min_duration_ms is not None:
        lines.append(f"{model}.{sc}.min_duration = {overrides.min_duration_ms}")
    if overrides.min_query_count is not None:
        lines.append(f"{model}.{sc}.min_query_count = {overrides.min_query_count}")
    if sc == "Server" and overrides.server_target_qps is not None:
        lines.append(f"{model}.{sc}.target_qps = {overrides.server_target_qps}")
    if sc == "Offline" and overrides.offline_expected_qps is not None:
        lines.append(f"{model}.{sc}.target_qps = {overrides.offline_expected_qps}")
    return "\n".join(lines) + "\n"


class QuerySample(Protocol):
    """A query LoadGen issues to the SUT (``mlperf_loadgen.QuerySample``)."""

    @property
    def id(self) -> int: ...

    @property
    def index(self) -> int: ...


class LoadGenResponder(Protocol):
    """The part of ``mlperf_loadgen`` the SUTs answer through. The module ships no type
    information; this is what the SUTs rely on, with LoadGen's own names."""

    def QuerySampleResponse(  # noqa: N802
        self, query_id: int, data: int, size: int, n_tokens: int = ..., /
    ) -> object: ...

    def FirstTokenComplete(self, responses: list[object], /) -> None: ...  # noqa: N802

    def QuerySamplesComplete(self, responses: list[object], /) -> None: ...  # noqa: N802


_Item = TypeVar("_Item")


class _WorkerSUT(Generic[_Item]):
    """What both SUTs share: one worker thread reading a queue that None closes.

    LoadGen's thread only puts work on ``_queue``; the worker runs the backend, and a failure
    there is kept in ``failure`` and re-raised after LoadGen has finished.
    """

    def __init__(
        self,
        lg: LoadGenResponder,
        samples: Sequence[Sample],
        token_dtype: str,
        report_first_token: bool,
        on_done: Callable[[int], None],
        worker_name: str,
    ) -> None:
        self._lg = lg
        self._samples = samples
        self._dtype = np.dtype(token_dtype)
        self._first = report_first_token
        self._on_done = on_done
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._worker = threading.Thread(target=self._serve, name=worker_name, daemon=True)
        self.failure: BaseException | None = None

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._worker.join()

    def flush(self) -> None:
        """Nothing is held back, so there is nothing to flush."""

    def _serve(self) -> None:
        raise NotImplementedError


class _BatchingSUT(_WorkerSUT[tuple[int, int]]):
    """Queue of issued samples served by one worker thread in batches of up to ``batch_size``.

    Offline receives everything at once and is cut into full batches; Server receives queries
    one at a time and each batch takes whatever has arrived (continuous-ish batching).
    """

    def __init__(
        self,
        lg: LoadGenResponder,
        backend: Backend,
        samples: Sequence[Sample],
        batch_size: int,
        token_dtype: str,
        report_first_token: bool,
        on_done: Callable[[int], None],
    ) -> None:
        super().__init__(lg, samples, token_dtype, report_first_token, on_done, "sut-worker")
        self._backend = backend
        self._batch_size = batch_size

    def issue(self, query_samples: list[QuerySample]) -> None:  # called on LoadGen's thread
        for qs in query_samples:
            self._queue.put((qs.id, qs.index))

    def _next_batch(self) -> list[tuple[int, int]] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        while len(batch) < self._batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                self._queue.put(None)  # keep the stop signal for the next round
                break
            batch.append(item)
        return batch

    def _serve(self) -> None:
        lg = self._lg
        while (batch := self._next_batch()) is not None:
            if self.failure is not None:  # answer anyway so LoadGen can finish, with no tokens
                self._complete(batch, [[self._backend.eos_token_id] * 2 for _ in batch])
                continue
            keep_alive: list[np.ndarray] = []

            def first_token(
                position: int,
                token: int,
                batch: list[tuple[int, int]] = batch,
                keep_alive: list[np.ndarray] = keep_alive,
            ) -> None:
                buf = np.array([token], dtype=self._dtype)
                keep_alive.append(buf)
                response = lg.QuerySampleResponse(batch[position][0], buf.ctypes.data, buf.nbytes)
                lg.FirstTokenComplete([response])

            prompts = [self._samples[index].tok_input for _, index in batch]
            try:
                outputs = self._backend.generate(prompts, first_token if self._first else None)
            except BaseException as err:  # recorded and re-raised after LoadGen has finished
                self.failure = err
                outputs = [[self._backend.eos_token_id] * 2 for _ in batch]
            self._complete(batch, outputs)
            del keep_alive

    def _complete(self, batch: list[tuple[int, int]], outputs: list[list[int]]) -> None:
        lg = self._lg
        buffers = [np.asarray(tokens, dtype=self._dtype) for tokens in outputs]
        responses = [
            lg.QuerySampleResponse(query_id, buf.ctypes.data, buf.nbytes, len(buf))
            for (query_id, _), buf in zip(batch, buffers, strict=True)
        ]
        lg.QuerySamplesComplete(responses)
        del buffers  # only now may the memory go: LoadGen has copied what it logs
        self._on_done(len(batch))


class _StreamingSUT(_WorkerSUT[tuple[int, Sequence[int]]]):
    """Every issued query goes straight to the backend's engine, which keeps its batch full.

    ``_queue`` is the engine's ``RequestQueue``. Responses go back one by one as rows finish.
    If the backend fails, every query still outstanding (and every later one) is answered with
    two EOS tokens so LoadGen can finish; the failure is re-raised after the run.
    """

    def __init__(
        self,
        lg: LoadGenResponder,
        backend: StreamingBackend,
        samples: Sequence[Sample],
        token_dtype: str,
        report_first_token: bool,
        on_done: Callable[[int], None],
    ) -> None:
        super().__init__(lg, samples, token_dtype, report_first_token, on_done, "sut-engine")
        self._backend = backend
        self._outstanding: set[int] = set()
        self._lock = threading.Lock()
        self._first_buffers: dict[int, np.ndarray] = {}

    def issue(self, query_samples: list[QuerySample]) -> None:  # called on LoadGen's thread
        with self._lock:
            failed = self.failure is not None
            if not failed:
                self._outstanding.update(qs.id for qs in query_samples)
        for qs in query_samples:
            if failed:
                self._respond(qs.id, [self._backend.eos_token_id] * 2)
            else:
                self._queue.put((qs.id, self._samples[qs.index].tok_input))

    def _first_token(self, query_id: int, token: int) -> None:
        buf = np.array([token], dtype=self._dtype)
        self._first_buffers[query_id] = buf  # alive until the query completes
        response = self._lg.QuerySampleResponse(query_id, buf.ctypes.data, buf.nbytes)
        self._lg.FirstTokenComplete([response])

    def _complete(self, query_id: int, tokens: list[int]) -> None:
        with self._lock:
            self._outstanding.discard(query_id)
        self._respond(query_id, tokens)

    def _respond(self, query_id: int, tokens: list[int]) -> None:
        buf = np.asarray(tokens, dtype=self._dtype)
        response = self._lg.QuerySampleResponse(query_id, buf.ctypes.data, buf.nbytes, len(buf))
        self._lg.QuerySamplesComplete([response])
        del buf  # only now may the memory go: LoadGen has copied what it logs
        self._first_buffers.pop(query_id, None)
        self._on_done(1)

    def _serve(self) -> None:
        try:
            self._backend.serve(
                self._queue, self._first_token if self._first else None, self._complete
            )
        except BaseException as err:  # recorded and re-raised after LoadGen has finished
            with self._lock:
                self.failure = err
                stranded = sorted(self._outstanding)
                self._outstanding.clear()
            for query_id in stranded:
                self._respond(query_id, [self._backend.eos_token_id] * 2)


def run_loadgen(
    *,
    backend: Backend,
    samples: Sequence[Sample],
    scenario: str,
    mode: str,
    round_settings: RoundSettings,
    overrides: LoadgenOverrides,
    batch_size: int,
    token_dtype: str,
    outdir: Path,
    on_progress: Callable[[int], None] | None = None,
) -> Path:
    """Run LoadGen once and return ``outdir``, which then holds its mlperf_log_* files."""
    if scenario not in SCENARIOS:
        raise RunnerError(f"Unknown scenario {scenario!r}; use one of {', '.join(SCENARIOS)}.")
    if mode not in MODES:
        raise RunnerError(f"Unknown mode {mode!r}; use one of {', '.join(MODES)}.")
    try:
        import mlperf_loadgen as lg
    except ImportError as err:
        raise RunnerError(
            "mlperf_loadgen is not importable; pip install mlcommons-loadgen==6.0.17.",
            code="runner.missing_dependency",
        ) from err

    outdir.mkdir(parents=True, exist_ok=True)
    user_conf = outdir / "user.conf"
    user_conf.write_text(user_conf_text(scenario, len(samples), overrides), encoding="utf-8")
    audit = outdir / "audit.config"
    if mode == "TEST06":
        audit.write_text(TEST06_AUDIT_CONFIG, encoding="utf-8")
    else:
        audit = outdir / "no-audit.config"  # does not exist: no compliance overrides

    settings = lg.TestSettings()
    settings.scenario = getattr(lg.TestScenario, loadgen_scenario(scenario))
    settings.FromConfig(str(user_conf), loadgen_model_name(scenario), loadgen_scenario(scenario))
    settings.qsl_rng_seed = round_settings.seeds.qsl
    settings.sample_index_rng_seed = round_settings.seeds.sample_index
    settings.schedule_rng_seed = round_settings.seeds.schedule
    settings.mode = lg.TestMode.AccuracyOnly if mode == "accuracy" else lg.TestMode.PerformanceOnly
    if not settings.use_token_latencies:  # mlperf.conf sets it for llama2; keep it explicit
        settings.use_token_latencies = True

    log_settings = lg.LogSettings()
    log_settings.log_output.outdir = str(outdir)
    log_settings.log_output.copy_summary_to_stdout = False
    log_settings.enable_trace = False

    report_first_token = loadgen_scenario(scenario) == "Server"
    on_done = on_progress or (lambda _n: None)
    engine = streaming(backend)
    sut_impl: _BatchingSUT | _StreamingSUT
    if engine is not None:
        sut_impl = _StreamingSUT(lg, engine, samples, token_dtype, report_first_token, on_done)
    else:
        sut_impl = _BatchingSUT(
            lg, backend, samples, batch_size, token_dtype, report_first_token, on_done
        )
    sut_impl.start()
    sut = lg.ConstructSUT(sut_impl.issue, sut_impl.flush)
    qsl = lg.ConstructQSL(len(samples), len(samples), lambda _ids: None, lambda _ids: None)
    try:
        lg.StartTestWithLogSettings(sut, qsl, settings, log_settings, str(audit))
    finally:
        sut_impl.stop()
        lg.DestroyQSL(qsl)
        lg.DestroySUT(sut)
    if sut_impl.failure is not None:
        failure = sut_impl.failure
        if isinstance(failure, RunnerError):
            raise failure
        raise RunnerError(
            f"The {backend.info().backend} backend failed during the {scenario} {mode} run: "
            f"{type(failure).__name__}: {failure}",
            code="runner.backend_failed",
        ) from failure
    for name in ("mlperf_log_summary.txt", "mlperf_log_detail.txt", "mlperf_log_accuracy.json"):
        if not (outdir / name).is_file():
            raise RunnerError(
                f"LoadGen did not write {outdir / name}; see the console output above.",
                code="runner.loadgen_failed",
            )
    return outdir
