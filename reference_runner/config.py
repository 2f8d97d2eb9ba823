"""One frozen object with every choice a run makes (house style §11: settings passed down)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reference_runner.errors import RunnerError
from reference_runner.loadgen_driver import MODES, SCENARIOS, LoadgenOverrides
from scoring.accuracy_log import TokenDtype

# The fast path on CPU and the MLPerf reference model on GPUs (issue 4, "Defaults").
DEFAULT_CPU_MODEL = "ahxt/LiteLlama-460M-1T"
DEFAULT_GPU_MODEL = "meta-llama/Llama-2-70b-chat-hf"
MAPPED_BENCHMARK = "llama2-70b-99"


def default_model(device: str) -> str:
    """The model a run or a reproduction loads when none is named: the one place that says
    which (the runner's ``RunConfig`` and ``ReproduceConfig`` both ask here)."""
    return DEFAULT_GPU_MODEL if device == "cuda" else DEFAULT_CPU_MODEL


@dataclass(frozen=True)
class RunConfig:
    """Everything ``run_benchmark`` needs; the CLI builds one from its arguments."""

    out: Path
    backend: str = "dummy"
    model: str | None = None
    tokenizer: str | None = None
    dataset: str = "demo"
    scenarios: tuple[str, ...] = ("Offline",)
    modes: tuple[str, ...] = MODES
    round: str = "v5.1"
    max_samples: int | None = None
    device: str = "cpu"
    dtype: str | None = None
    batch_size: int = 8
    max_new_tokens: int = 1024
    token_dtype: TokenDtype | None = None  # None: the round's default (spec §4.4)
    overrides: LoadgenOverrides = field(default_factory=LoadgenOverrides)
    dummy_tokens_per_sample: int = 290
    dummy_ms_per_step: float = 0.0
    submitter: str = "Inferboard"
    system_id: str | None = None
    benchmark_name: str | None = None
    mapped_benchmark: str = MAPPED_BENCHMARK
    availability: str = "available"
    full_log_dir: Path | None = None  # None: "<out>.untruncated" beside the bundle
    no_truncate: bool = False
    nltk_data: Path | None = None  # Punkt model dir; None: data/nltk_data (`make setup`)
    progress: bool = True
    command_line: str = ""

    def __post_init__(self) -> None:
        if not self.scenarios or not self.modes:
            raise RunnerError(
                "Nothing to run: name at least one scenario and one mode.",
                code="runner.bad_option",
            )
        for scenario in self.scenarios:
            if scenario not in SCENARIOS:
                raise RunnerError(
                    f"Unknown scenario {scenario!r}; use {', '.join(SCENARIOS)}.",
                    code="runner.bad_option",
                )
        for mode in self.modes:
            if mode not in MODES:
                raise RunnerError(
                    f"Unknown mode {mode!r}; use {', '.join(MODES)}.", code="runner.bad_option"
                )
        if self.batch_size < 1:
            raise RunnerError("--batch-size must be at least 1.", code="runner.bad_option")
        if self.device not in ("cpu", "cuda"):
            raise RunnerError("--device must be cpu or cuda.", code="runner.bad_option")
        if self.backend == "dummy" and self.device != "cpu":
            raise RunnerError("The dummy backend runs on the CPU only.", code="runner.bad_option")

    @property
    def model_id(self) -> str | None:
        """The model to load: the explicit one, else the default for the device."""
        if self.backend == "dummy":
            return None
        return self.model or default_model(self.device)

    @property
    def tokenizer_id(self) -> str | None:
        """Tokenizer path or id; None means the dependency-free byte codec (dummy runs only)."""
        if self.tokenizer:
            return self.tokenizer
        return self.model_id

    @property
    def untruncated_dir(self) -> Path:
        """Where untruncated accuracy logs go, mirroring their path inside the bundle (spec §6)."""
        if self.full_log_dir is not None:
            return self.full_log_dir
        return self.out.with_name(self.out.name + ".untruncated")
