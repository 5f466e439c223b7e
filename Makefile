# Two commands on a fresh machine: `make run` and `make test`. Both create .venv when it is
# missing and install the project into it. TORCH picks the torch build installed first:
# the default is the CPU build this machine carries; `make run TORCH=torch` takes PyPI's
# default (a CUDA build on Linux).
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n 2

.PHONY: install run lint test bench clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test,tensorboard,data]"
	touch $(STAMP)

# The preflight asks Qt's xcb plugin which system libraries it lacks and installs them
# (root with apt-get) or prints the command to run, before Qt can abort on them.
run: install
	$(BIN)/python -m gui.preflight --install
	$(BIN)/python main.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache bench/results/*.tmp
