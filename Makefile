# The two commands of the README: `make lab` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test test-min unit notebooks lint bench app site assignment clean

# Debian's python3 lacks ensurepip unless python3-venv is installed: then the venv is made
# without pip and the host's pip installs into it (pip >= 22.3 has --python), pip included:
# the packaging tests build and install a wheel with the venv's own pip.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
	  $(PYTHON) -m venv --without-pip $(VENV); }
	@if $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  $(BIN)/python -m pip install --quiet --upgrade pip && \
	  $(BIN)/python -m pip install --quiet -e ".[dev]"; \
	elif $(PYTHON) -m pip --version >/dev/null 2>&1; then \
	  $(PYTHON) -m pip --python $(BIN)/python install --quiet pip -e ".[dev]"; \
	else echo "No pip: install Debian's python3-venv (or python3-pip) and run make again." >&2; \
	  exit 1; fi
	touch $(STAMP)

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/

# Voilà reads app/voila.json from the folder it runs in: a preheated kernel (the page is
# ready as soon as it is asked for) and the kernels of closed pages shut down within a minute.
app: $(STAMP)
	cd app && ../$(BIN)/voila dashboard.ipynb --no-browser

test: $(STAMP)
	$(BIN)/ruff check qopc_kit tests benchmarks
	$(BIN)/mypy qopc_kit
	$(BIN)/python -m pytest tests --nbval notebooks app --nbval-sanitize-with tests/nbval_sanitize.cfg

# The lower bounds: a separate .venv-min with the engine's and the kernel's dependencies
# (pyproject.toml's dependencies and `widgets` extra) at their declared minimums, the tools at
# their newest, then the whole suite. Not run by .ci/run (it installs a second environment);
# PYTHON=python3.10 make test-min checks the oldest Python as well.
MIN := .venv-min
test-min:
	rm -rf $(MIN)
	$(PYTHON) -m venv $(MIN)
	$(MIN)/bin/python -m pip install --quiet --upgrade pip tomli
	$(MIN)/bin/python -c "import re, tomli; p = tomli.load(open('pyproject.toml', 'rb'))['project']; \
	  print('\n'.join(re.sub('>=', '==', r) for r in p['dependencies'] \
	  + p['optional-dependencies']['widgets']))" > $(MIN)/lower-bounds.txt
	$(MIN)/bin/python -m pip install --quiet -c $(MIN)/lower-bounds.txt -e ".[dev]"
	$(MIN)/bin/python -m pip list 2>/dev/null | grep -iE '^(numpy|ipywidgets|anywidget|matplotlib) '
	$(MIN)/bin/python -m pytest tests --nbval notebooks app \
	  --nbval-sanitize-with tests/nbval_sanitize.cfg

unit: $(STAMP)
	$(BIN)/python -m pytest tests

lint: $(STAMP)
	$(BIN)/ruff check qopc_kit tests benchmarks

# Re-run every lesson in place after a change to what they display (nbval compares outputs).
# Lesson 9 saves the guest's answers: into a fresh folder, so no earlier answers are resumed.
notebooks: $(STAMP)
	QOPC_ANSWERS=$$(mktemp -d) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False \
	  notebooks/[0-9]*.ipynb app/dashboard.ipynb
	# One stream output per cell: how prints are split into chunks varies from run to run.
	$(BIN)/jupyter nbconvert --to notebook --inplace \
	  --CoalesceStreamsPreprocessor.enabled=True notebooks/[0-9]*.ipynb app/dashboard.ipynb
	# No widget views in stored outputs: with no saved widget state a trusted notebook would
	# show "model not found" where the static fallback (the replay, the question) belongs.
	$(BIN)/python -c "import sys, nbformat; [nbformat.write(nb, p) for p in sys.argv[1:] \
	  for nb in [nbformat.read(p, as_version=4)] if [o.get('data', {}).pop( \
	  'application/vnd.jupyter.widget-view+json', None) for c in nb.cells for o in \
	  c.get('outputs', [])] is not None]" notebooks/[0-9]*.ipynb app/dashboard.ipynb

# Lesson 9 as an nbgrader assignment: the source notebook in course/ (gitignored), then
# `cd course && nbgrader generate_assignment lesson09` (docs/teaching.md, "With nbgrader").
# A source that was edited since is left alone (the command says so and make stops).
assignment: $(STAMP)
	$(BIN)/python -m qopc_kit.teaching nbgrader course

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# The static site (README "A static site"): the lessons as stored, one replay page per
# scenario and the rules, into site/ (a build output: ignored by git). Seconds, not minutes.
site: $(STAMP)
	$(BIN)/python -m qopc_kit.site site

clean:
	rm -rf $(VENV) $(MIN) .pytest_cache .hypothesis
