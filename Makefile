# One command per habit. `make run` and `make test` each work on a fresh machine by themselves:
# they create the virtual environment and install whatever is missing first.
PY      := .venv/bin/python
STAMP   := .venv/.installed
NLTK    := data/nltk_data
# every extra of pyproject.toml (where the exact pins live): the portal, the reference runner on
# the CPU, the test tools and the lint and type tools; the portal alone needs only `.[portal]`
EXTRAS  := portal,runner,test,dev
# the fast tier (make check): everything but the tests marked slow or browser (pyproject.toml)
FAST    := not slow and not browser
export NLTK_DATA := $(CURDIR)/$(NLTK)
export HF_HUB_OFFLINE := 1

.PHONY: run serve-cluster work check test lint types format bench setup system-deps clean

# An editable install: the checkout's packages are importable from any folder, and the children
# the worker starts (`python -m validator`, `python -m reference_runner`) find them. A .venv that
# is a link belongs to another checkout: installing this one into it would repoint its imports,
# so make uses that environment as it is.
ifeq ($(shell test -L .venv && echo link),link)
$(STAMP):
	@echo "make: .venv links to another checkout's environment: run make setup there"
else
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]'
	touch $(STAMP)
endif

$(NLTK)/.installed: $(STAMP)
	$(PY) -m scoring.punkt_data $(NLTK)
	touch $@

setup: $(STAMP) $(NLTK)/.installed

# Debian's Chromium for the real-browser tests (Playwright never downloads a browser here),
# Debian's nginx for the cluster (make serve-cluster) and its tests.
system-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { apt-get update -qq && apt-get install -y -qq nginx >/dev/null; }

# the launcher starts the local demo OIDC provider (unless .streamlit/secrets.toml has [auth]),
# opens the database, starts the submission worker, then Streamlit, all in one process
run: setup
	$(PY) -m portal --server.headless true --browser.gatherUsageStats false

# one writer (at /portal/), two readers and Debian's nginx in front, on http://127.0.0.1:8080;
# Ctrl-C stops them all (nginx first, the writer last). docs/deployment.md
serve-cluster: setup system-deps
	$(PY) -m cluster --readers 2 --port 8080

# process pending submissions while the portal is stopped (one process owns the DuckDB file)
work: setup
	$(PY) -m submissions work

# ruff (lint, then format check) and mypy, strict ([tool.mypy] in pyproject.toml): make check,
# make test and CI all run it
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# the local loop, under a minute on 2 cores: lint, then the tests not marked slow or browser
# (no Chromium, no nginx needed); the slowest ten are named, so a new slow test shows
check: setup lint
	$(PY) -m pytest -n 2 -q -m "$(FAST)" --durations=10

# mypy alone (part of lint)
types: $(STAMP)
	$(PY) -m mypy

# everything, slow and browser tiers included; CI runs exactly this
test: setup system-deps lint
	$(PY) -m pytest -n 2

bench: setup
	$(PY) -m bench.validator_bench
	$(PY) -m bench.rouge_bench
	$(PY) -m bench.runner_bench
	$(PY) -m bench.leaderboard_bench
	$(PY) -m bench.portal_bench
	$(PY) -m bench.cluster_bench

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

clean:
	rm -rf .venv $(NLTK) .pytest_cache .ruff_cache .mypy_cache
