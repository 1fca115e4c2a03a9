# Two commands from a fresh clone: `make demo` and `make test` (see README).
# Only python3 and make are needed; the virtual environment is created on first use and
# reinstalled only when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# Read-only project material beside the clone (real price snapshot, seeds, events, factors).
SHARED := $(abspath ../shared)
ifneq ($(wildcard $(SHARED)/data/prices),)
export ANALYSIS_SHARED_DIR ?= $(SHARED)
export ANALYSIS_PRICES_DIR ?= $(SHARED)/data/prices
endif
# commands and tests draw without a display; `make lab` removes this for its kernels
export MPLBACKEND := Agg

.PHONY: help install demo test lab study bench clean

help:
	@echo "make demo   - set up .venv if needed, run the seed study, refresh the notebooks' outputs, write figures/ and reports/"
	@echo "make test   - the full test suite"
	@echo "make lab    - JupyterLab at the repository root (notebooks/, reports/, figures/)"
	@echo "make study TICKER=1810.HK MARKET=^HSI DATE=2021-03-26 - one-ticker report into reports/"
	@echo "make bench  - speed benchmarks (prints figures)"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# the demo's folders are the project's own: --overwrite also replaces outputs of versions
# before the output manifests (issue 13), never deletes anything
demo: $(STAMP)
	$(PY) -m analysis study --ticker 1810.HK --market ^HSI --event-date 2021-03-26 --overwrite
	$(PY) -m analysis study --ticker 2333.HK --market ^HSI --event-date 2021-03-26 --overwrite
	$(PY) -m analysis study --ticker 601633.SS --market 000001.SS --event-date 2021-03-26 --overwrite
	ANALYSIS_OFFLINE=1 $(PY) -m analysis notebook --out reports --overwrite --refresh \
	    notebooks/01-xiaomi-great-wall-ev.ipynb notebooks/02-new-ticker.ipynb notebooks/03-event-sample.ipynb \
	    notebooks/04-volume-and-drift.ipynb

test: $(STAMP)
	$(PY) -m pytest

# JupyterLab at the repository root, so notebooks/, reports/ and figures/ are all in reach.
# The kernel is this virtual environment's python (jupyter_client runs a "python" kernelspec
# with the server's own interpreter); notebooks open paired with their jupytext .py scripts.
# Kernels get matplotlib's inline backend (MPLBACKEND=Agg is not passed on to them) and talk
# to the server over CurveZMQ-encrypted sockets (IPC sockets when pyzmq lacks CurveZMQ), not
# plain TCP. As root (containers) the server needs --allow-root. LAB_ARGS adds options,
# e.g. make lab LAB_ARGS="--no-browser --port 8899".
LAB_ROOT = $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_KERNELS = $(shell $(PY) -c "import zmq; print('--KernelManager.transport_encryption=auto' \
    if zmq.has('curve') else '--KernelManager.transport=ipc')" 2>/dev/null)
LAB_ARGS ?=
lab: $(STAMP)
	mkdir -p reports figures
	env -u MPLBACKEND $(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	    $(LAB_KERNELS) $(LAB_ROOT) $(LAB_ARGS)

TICKER ?= 1810.HK
MARKET ?= ^HSI
DATE   ?= 2021-03-26
study: $(STAMP)
	$(PY) -m analysis notebook --ticker $(TICKER) --market $(MARKET) --event-date $(DATE) --overwrite

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf reports/ figures/*/ .pytest_cache
