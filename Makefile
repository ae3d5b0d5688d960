# The two set-up commands of the README: `make demo` and `make test`. Both create .venv on first use.
#
# Everything is installed from pinned, hashed requirements files that are complete closures, with
# --no-deps: the same files on every machine, whatever the package index serves today.
#   .github/action-requirements.txt  pyprov's runtime dependencies and hatchling (also the Action's)
#   requirements/dev.txt              the above plus the test and lint tools (`make lock` rewrites both)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := .github/action-requirements.txt
DEV := requirements/dev.txt
PIP := $(BIN)/python -m pip --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test check pytest bench lock clean sandbox-tool browser

# `make demo` needs only the runtime closure, installed by uv (downloads in parallel: seconds, where
# pip takes a minute): the uv on PATH, else a pinned, hashed uv installed into the venv first.
UV ?= $(shell command -v uv 2>/dev/null)
UV_BIN = $(or $(UV),$(BIN)/uv)

$(RUNTIME_STAMP): $(RUNTIME) requirements/uv.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -n "$(UV)" || test -x $(BIN)/uv || \
	  $(PIP) install -q --no-deps --require-hashes --only-binary :all: -r requirements/uv.txt
	$(UV_BIN) pip install -q --python $(BIN)/python --no-deps --require-hashes --no-build -r $(RUNTIME)
	$(PIP) install -q --no-deps --no-build-isolation --no-index -e .
	$(PIP) check
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) $(DEV)
	$(PIP) install -q --no-deps --require-hashes -r $(DEV)
	$(PIP) check
	touch $@

## demo: build a fixture project with pyprov and show the evidence (needs only the runtime closure)
demo: $(RUNTIME_STAMP) sandbox-tool
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/demo.sh

## test: lint, type-check and run the whole test suite (what CI runs)
test: check pytest

check: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

pytest: $(DEV_STAMP) sandbox-tool browser
	$(BIN)/python -m pytest

## sandbox-tool: pyprov runs build code inside bubblewrap; install it where we can (Debian/Ubuntu)
sandbox-tool:
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q bubblewrap || { apt-get update -q && apt-get install -y -q bubblewrap; }; \
	  elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get install -y -q bubblewrap || { sudo apt-get update -q && sudo apt-get install -y -q bubblewrap; }; \
	  else echo "bubblewrap is not installed and cannot be installed here: sandbox tests will be skipped" >&2; fi; }

## browser: tests/posture renders the HTML report in headless Chromium; install it where we can (Debian/Ubuntu)
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; \
	  elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get install -y -q chromium || { sudo apt-get update -q && sudo apt-get install -y -q chromium; }; \
	  else echo "Chromium is not installed and cannot be installed here: the browser test of the posture page will be skipped" >&2; fi; }

## bench: run the benchmarks (figures go to the README); the fixtures' backends pinned, as in the tests
bench: export PIP_CONSTRAINT := $(abspath fixtures/build-constraints.txt)
bench: export UV_CONSTRAINT := $(abspath fixtures/build-constraints.txt)
bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_hashing.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_sbom.py
	$(BIN)/python benchmarks/bench_sign.py
	$(BIN)/python benchmarks/bench_verify.py
	$(BIN)/python benchmarks/bench_sandbox.py
	$(BIN)/python benchmarks/bench_sandbox.py --build --runs 7
	$(BIN)/python benchmarks/bench_rebuild.py
	$(BIN)/python benchmarks/bench_rebuild.py --build
	$(BIN)/python benchmarks/bench_posture.py

## lock: recompile both requirements files from pyproject.toml (needs uv; then run `make test`)
lock: $(DEV_STAMP)
	bash scripts/lock.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build dist evidence
