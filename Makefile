# callpulse — two commands: `make run` (the product with demo data) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.sha1(open('requirements.lock','rb').read()).hexdigest()[:12])")
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 42

.PHONY: run test check format lock clean messages

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

$(VENV): $(STAMP)

run: $(STAMP)  ## serve the product with the demo center on SQLite under var/
	$(BIN)/python manage.py migrate --no-input -v0
	$(BIN)/python manage.py demo --seed $(SEED) --if-empty
	HOST='$(HOST)' PORT='$(PORT)' $(BIN)/python manage.py demo_logins
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP)  ## the whole suite (SQLite by default; DATABASE_URL for PostgreSQL)
	$(BIN)/python manage.py makemigrations --check --dry-run -v0 --settings=callpulse.settings.test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)  ## lint, format and types
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy callpulse

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock:  ## re-resolve requirements.in into requirements.lock in a scratch venv
	rm -rf /tmp/callpulse-lock && $(PYTHON) -m venv /tmp/callpulse-lock
	/tmp/callpulse-lock/bin/pip install --quiet -r requirements.in
	/tmp/callpulse-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache .pytest_cache

messages: $(STAMP)  ## refresh the ru and kk catalogues, then compile them
	$(BIN)/python manage.py makemessages -l ru -l kk --no-location --ignore "var/*" --ignore "tests/*" --ignore "*/tests/*" --ignore "bench/*" --ignore ".venv/*"
	$(BIN)/python manage.py compilemessages --ignore ".venv"
