# Aktiva: `make run` to try it, `make test` to test it. Needs Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-browser test-postgres lint bench i18n clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	touch $@

webapp/translations/en/LC_MESSAGES/messages.mo: webapp/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d webapp/translations -D messages

install: $(VENV)/.installed webapp/translations/en/LC_MESSAGES/messages.mo

run: install
	$(BIN)/aktiva db upgrade
	$(BIN)/aktiva demo
	@echo "Aktiva: http://$(HOST):$(PORT)"
	$(BIN)/aktiva run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest -m "not e2e" -p no:cacheprovider

test-postgres: install
	AKTIVA_TEST_DATABASE_URL=$${AKTIVA_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/aktiva_test} \
		$(BIN)/pytest -m "not e2e" -p no:cacheprovider

test-browser: install
	$(BIN)/pytest -m e2e -p no:cacheprovider

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

# Re-extract the Swedish source strings and update the English catalog.
i18n: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations -D messages

clean:
	rm -rf $(VENV) build *.egg-info
