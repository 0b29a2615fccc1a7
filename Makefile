# Bridgework: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/bridgework/static/dist/css/bridgework.css
# Compiled translation catalogues, built from the .po files with GNU gettext's msgfmt (Debian's
# gettext package) and not committed; docs/languages.md tells how to add a language.
MESSAGES := $(patsubst %.po,%.mo,$(wildcard src/bridgework/locale/*/LC_MESSAGES/*.po))

.PHONY: run test test-fast bench lint format install assets messages clean

run: install assets messages
	$(BIN)/bridgework serve

test: install assets messages
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The quick loop: everything but the browser tests and the tests marked slow.
test-fast: install assets messages
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not browser and not slow"

bench: install
	@for bench in benchmarks/bench_*.py; do \
		echo "== $$bench"; $(BIN)/python $$bench || exit 1; \
	done

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

assets: $(ASSETS)

messages: $(MESSAGES)

# Compiled with polib (no system gettext needed to run the app); the test suite also checks
# every catalogue with gettext's `msgfmt --check` where it is installed.
%.mo: %.po $(STAMP)
	$(BIN)/python -c "import sys, polib; polib.pofile(sys.argv[1]).save_as_mofile(sys.argv[2])" $< $@

$(ASSETS): package.json package-lock.json assets/build.mjs $(wildcard assets/scss/*.scss)
	npm ci --no-audit --no-fund --loglevel=error
	npm run build --silent

clean:
	rm -rf $(VENV) node_modules src/bridgework/static/dist var $(MESSAGES)
