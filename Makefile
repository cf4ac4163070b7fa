# Alliance: `make run` serves the demo alliance, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The embedded default; override with ALLIANCE_DATABASE_URL.
export ALLIANCE_DATABASE_URL ?= sqlite+aiosqlite:///./var/alliance.db

.PHONY: install run test check bench clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Alliance needs Python 3.11 or newer (set PYTHON=...).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

# `alliance serve` prints its own URLs: set ALLIANCE_PORT (or ALLIANCE_HOST) to move it.
run: install
	$(BIN)/alliance db upgrade
	$(BIN)/alliance demo
	@echo
	@echo "Try it (the token is valid for one hour; mint another with $(BIN)/alliance token --user EMAIL):"
	@$(BIN)/alliance token --user analyst@maison-lumiere.example --ttl 3600 --curl
	@echo
	@ALLIANCE_DEV_LOGIN=1 $(BIN)/alliance serve

test: install
	$(BIN)/pytest

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	rm -f var/check.db
	ALLIANCE_DATABASE_URL=sqlite+aiosqlite:///./var/check.db $(BIN)/alembic upgrade head
	ALLIANCE_DATABASE_URL=sqlite+aiosqlite:///./var/check.db $(BIN)/alembic check

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Benchmarks print each figure next to its raw-database baseline measured in the same run.
# BENCH_DATABASE_URL: a PostgreSQL database the bench may empty and fill (default: the
# directory bench alone, on SQLite). With it, the read path is measured at each of
# BENCH_SIZES indicators (docs/performance.md): in-process with its raw SQL, then over
# HTTP to `alliance serve` (one worker) from 1 and 10 client processes, with its RSS;
# before that: bulk writes vs COPY, match of 1,000 values, the fixed cost of a request,
# similarImages over BENCH_IMAGES hashes, a full pull of the change feed over
# BENCH_CHANGES indicators, and a policy change over BENCH_POLICY indicators (set-based,
# as for any member past 10,000 records) and over 10,000 (re-applied inline) reaching
# another member's feed.
BENCH_SIZES ?= 10000 100000
BENCH_IMAGES ?= 100000
BENCH_CHANGES ?= 100000
BENCH_POLICY ?= 100000
bench: install
ifdef BENCH_DATABASE_URL
	$(BIN)/python -m bench.bulk --database-url $(BENCH_DATABASE_URL)
	$(BIN)/python -m bench.match --database-url $(BENCH_DATABASE_URL)
	$(BIN)/python -m bench.request --database-url $(BENCH_DATABASE_URL)
	$(BIN)/python -m bench.images --database-url $(BENCH_DATABASE_URL) --count $(BENCH_IMAGES)
	$(BIN)/python -m bench.changes --database-url $(BENCH_DATABASE_URL) --count $(BENCH_CHANGES)
	$(BIN)/python -m bench.policy_feed --database-url $(BENCH_DATABASE_URL) --count $(BENCH_POLICY)
	$(BIN)/python -m bench.policy_feed --database-url $(BENCH_DATABASE_URL) --count 10000
	$(BIN)/python -m bench.dataset --database-url $(BENCH_DATABASE_URL) --drop-only
	$(BIN)/python -m bench.directory --database-url $(subst postgresql://,postgresql+asyncpg://,$(BENCH_DATABASE_URL))
	for size in $(BENCH_SIZES); do \
		$(BIN)/python -m bench.readpath --database-url $(BENCH_DATABASE_URL) --count $$size --explain --http || exit 1; \
	done
else
	$(BIN)/python -m bench.directory
	$(BIN)/python -m bench.bulk --count 5000
	$(BIN)/python -m bench.match
	$(BIN)/python -m bench.request
	@echo "Set BENCH_DATABASE_URL to a PostgreSQL database to measure the read path too."
endif
