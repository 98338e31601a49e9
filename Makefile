# The README's two commands are `make demo` and `make test`; everything they
# need is installed here, into .venv, from the package registries.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo demo-rollback test check bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[dev]'
	touch $@

# Release the example runbook end to end against the embedded sandbox.
demo: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo.sh

# The same, with production's smoke run made to fail: production rolls back.
demo-rollback: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/demo.sh --fail-production

# Static checks (ruff, mypy, actionlint, zizmor), then the whole test suite.
test: check
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest

check: $(STAMP)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

bench: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
