# The two commands of the README: `make run` and `make test`. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test setup lint perf clean i18n package bundle-smoke screenshots

setup: $(STAMP)

$(STAMP): pyproject.toml packaging/debian-deps.sh
	bash packaging/debian-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: setup
	$(PY) main.py $(ARGS)

# The suite in PYTEST_WORKERS processes (pytest-xdist; tests on the Google emulators share one,
# tests/node_core/cloud/conftest.py), then the `timing` tests alone: their latency bounds are
# not met with another worker on the same cores. Each run ends with its slowest tests; exit
# status 5 (PYTEST_ARGS selected no test for that run) is not a failure.
# One test, a folder, offscreen Qt, what needs SoftHSM2: README.md, "Running the tests".
PYTEST_WORKERS ?= 2
test: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy node_core
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not timing" --durations=20 \
		$(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -m timing --durations=5 $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy node_core

# Translations (see app/shell/i18n.py). pyside6-lupdate collects every tr()/translate() string of
# app/ and views/ into resources/i18n/gridtokenx_th.ts, keeping the Thai already written and
# marking new strings unfinished (tests/app/shell/test_i18n.py fails until they are translated);
# pyside6-lrelease compiles the .qm files the console loads. The .qm files are committed so
# that `make run` works on machines without the Qt tools. English is the source language
# (no .ts of its own); strings no longer in the source are dropped (-no-obsolete).
I18N_TS := resources/i18n/gridtokenx_th.ts
i18n: setup
	$(VENV)/bin/pyside6-lupdate -silent -no-obsolete -locations relative \
		-source-language en -target-language th $$(find app views -name '*.py' | sort) \
		-ts $(I18N_TS)
	$(VENV)/bin/pyside6-lrelease -silent $(I18N_TS) -qm $(I18N_TS:.ts=.qm)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# The self-contained Linux bundle: bundle/gridtokenx-console/gridtokenx-console (packaging/README.md)
package: setup
	$(PY) -m pip install -q 'pyinstaller>=6.10'
	rm -rf bundle/gridtokenx-console build/pyinstaller
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath bundle \
		--workpath build/pyinstaller packaging/gridtokenx-console.spec

# CI's bundle smoke test (.ci/run; packaging/README.md): build, then start the bundle without
# Python on PATH under Xvfb on a temporary devnet, check its screenshot, and check that
# nothing it started is left running. About 1.5 minutes.
bundle-smoke: package
	bash packaging/bundle-smoke.sh

# The operator guide's pictures (README.md): one console run on a fresh devnet in build/,
# a scripted incident (app/dev/screenshot.py), one PNG per view in docs/. About 1 minute.
SHOTS := build/screenshots
screenshots: setup
	rm -rf $(SHOTS) && mkdir -p $(SHOTS)
	xvfb-run -a -s "-screen 0 1920x1200x24" $(PY) main.py --data-dir $(SHOTS)/devnet \
		--settings $(SHOTS)/console.ini --language en --theme isa101 --base-port 32300 \
		--screenshot 'docs/view-{view}.png' --view all --after 3
