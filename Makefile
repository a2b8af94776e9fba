# The two commands of the README: `make lab` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test unit notebooks lint bench app clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[notebook,test,browser]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

app: $(STAMP)
	$(BIN)/voila notebooks/01_tour.ipynb --no-browser

test: $(STAMP)
	$(BIN)/ruff check qopc_kit tests benchmarks
	$(BIN)/python -m pytest tests --nbval notebooks --sanitize-with tests/nbval_sanitize.cfg

unit: $(STAMP)
	$(BIN)/python -m pytest tests

lint: $(STAMP)
	$(BIN)/ruff check qopc_kit tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
