# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
STAMP_DEMO := $(VENV)/.installed-demo

.PHONY: demo test test-fast lint typecheck pytest pytest-fast compile coverage golden bench clean

# pytest-xdist workers: one per core ("auto"); `make test JOBS=1` runs in one process.
JOBS ?= auto
# -p no:cacheprovider: no .pytest_cache; -n: every core. Without PYTHONDONTWRITEBYTECODE,
# pytest keeps the test modules it rewrote (for its assertions) in __pycache__, so a second
# run does not rewrite all of them again in every worker (~3 s of CPU each).
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -q -p no:cacheprovider -n $(JOBS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP_RUN): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(STAMP_DEV): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(STAMP_RUN)

# The demo's gate runs the mission's tools: ruff, mypy and pytest, in the demo's environment.
$(STAMP_DEMO): $(STAMP_RUN)
	$(BIN)/python -m pip install -q pytest ruff mypy
	touch $@

demo: $(STAMP_DEMO)
	$(BIN)/python demo/run_demo.py

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks demo
	$(BIN)/ruff format --check src tests benchmarks demo

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

# Byte-compile src/ first: PYTHONDONTWRITEBYTECODE=1 would make every taskgate process a
# test starts compile the package again (~70 ms each, hundreds of processes).
compile: $(STAMP_DEV)
	$(BIN)/python -m compileall -q src

# Everything, slow tests included (.ci/run calls `make test`).
pytest: compile
	$(PYTEST)

# Everything but the tests marked slow (packaging, the pre-commit framework, the demo,
# the longest property searches, the gate with the real tools, histories pushed to a
# server or checked by ci on a clone); `make test` runs them, modules with one first.
pytest-fast: compile
	$(PYTEST) -m "not slow"

test: lint typecheck pytest

test-fast: lint typecheck pytest-fast

# Coverage of src/, the taskgate subprocesses included (configured in pyproject.toml).
# coverage is imported into every taskgate process, so the five tests that check which
# modules a process loads cannot hold under it: they are left out here (and run in
# `make test`). Figures: 93.8% of 9,820 statements before the issue-11 refactor (d00a8c3),
# 94.0% of 11,105 after it (pytest --cov over the whole suite both times); 93.9% of 11,712
# before the suite's CPU was cut (c3fb4a8), 94.0% of 11,741 after it.
COVERAGE_DESELECT := \
	--deselect tests/test_imports.py::test_importing_the_cli_alone_is_light \
	--deselect tests/test_policy_cache.py::test_second_run_uses_the_cache_and_judges_the_same \
	--deselect tests/agentside/test_guard.py::test_guard_process_keeps_heavy_imports_out \
	--deselect tests/agentside/test_guard_lean.py::test_the_guard_loads_no_argparse_and_no_cli \
	--deselect tests/ci/test_ci_imports.py::test_claimed_mode_ci_does_not_import_the_signature_verifier
coverage: compile
	rm -rf .coverage-data
	$(PYTEST) --cov --cov-report=term:skip-covered $(COVERAGE_DESELECT)

# Rewrite tests/golden/ from the current rule catalog (see tests/test_golden.py).
golden: $(STAMP_DEV)
	$(BIN)/python -m tests.golden

bench: $(STAMP_DEV)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache .coverage-data
