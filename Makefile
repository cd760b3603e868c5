# narrascope: everything a fresh machine with Python 3.11 needs goes through here.
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
NS     := $(VENV)/bin/narrascope
OUT    ?= out
SHARED ?= ../shared

.PHONY: train demo test browser-deps test-fast test-slow lint bench bench-ask eval clean install

$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

install: $(VENV)/.installed

## make demo: analyse the bundled New Caledonia corpus and write the HTML report
demo: $(VENV)/.installed
	$(NS) analyze examples/new-caledonia --out $(OUT)

## make test: lint, type-check, then the whole suite (fast part first, then the slow part)
test: $(VENV)/.installed lint browser-deps
	$(PY) -m pytest -q -m "not slow"
	$(PY) -m pytest -q -m "slow" || test $$? -eq 5

## make browser-deps: Debian's chromium for the Playwright tests (installed only as root, when missing)
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && apt-get install -y -qq chromium; \
	else echo "note: /usr/bin/chromium not found and not root: browser tests will be skipped (apt-get install chromium)"; fi

test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not slow"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy

EVAL_OUT ?= /tmp/narrascope-eval
## make eval: score the demo corpus, the held-out set and the labelled sets in $(SHARED)/data
eval: $(VENV)/.installed
	$(NS) analyze examples/new-caledonia --out $(EVAL_OUT)/seeds --no-report
	$(NS) eval --gold $(SHARED)/gold/new-caledonia.json --store $(EVAL_OUT)/seeds
	$(NS) analyze tests/heldout/corpus --out $(EVAL_OUT)/heldout --no-report
	$(NS) eval --gold tests/heldout/gold.json --store $(EVAL_OUT)/heldout
	$(NS) analyze tests/heldout2/corpus --out $(EVAL_OUT)/heldout2 --no-report
	$(NS) eval --gold tests/heldout2/gold.json --store $(EVAL_OUT)/heldout2
	$(NS) analyze tests/heldout3/corpus --out $(EVAL_OUT)/heldout3 --no-report
	$(NS) eval --gold tests/heldout3/gold.json --store $(EVAL_OUT)/heldout3
	@if [ -d $(SHARED)/data/quotes-polnear-train ]; then \
	  $(NS) analyze $(SHARED)/data/quotes-polnear-train/corpus --out $(EVAL_OUT)/polnear --no-report --workers 2 && \
	  $(NS) eval --gold $(SHARED)/data/quotes-polnear-train/gold.json --store $(EVAL_OUT)/polnear; \
	else echo "skip: $(SHARED)/data not found"; fi

## make train: retrain the shipped technique, role and story pair models from $(SHARED)/data (not part of analyze)
train: $(VENV)/.installed
	$(PY) -m narrascope.annotate.train_techniques --data $(SHARED)/data/techniques-semeval2023-train --out src/narrascope/annotate/data/techniques_model.npz
	$(PY) -m narrascope.annotate.word_table --model src/narrascope/annotate/data/techniques_model.npz --data $(SHARED)/data/techniques-semeval2023-train --out src/narrascope/annotate/data/techniques_words.npz
	$(PY) -m narrascope.annotate.train_roles --data $(SHARED)/data/framing-semeval2025-part --c 1.0 --out src/narrascope/annotate/data/roles_model.npz
	$(NS) analyze $(SHARED)/data/stories-ecbplus-dev/corpus --out $(EVAL_OUT)/stories-ecb --no-report
	$(NS) analyze $(SHARED)/data/stories-allsides-train/corpus --out $(EVAL_OUT)/stories-as --no-report
	$(PY) -m narrascope.link.stories_train \
	  --pair $(EVAL_OUT)/stories-ecb $(SHARED)/data/stories-ecbplus-dev/gold.json \
	  --pair $(EVAL_OUT)/stories-as $(SHARED)/data/stories-allsides-train/gold.json \
	  --out src/narrascope/link/data/stories_model.npz

# BENCH_SCALE: copies of the ~400-article store the link passes are measured on
# (1,10 = ~400 and ~4k documents; BENCH_SCALE=1,10,50,250 reaches ~100k, about an hour more)
BENCH_SCALE ?= 1,10
bench: $(VENV)/.installed
	$(PY) bench/run.py --shared $(SHARED) --out bench/results --scale-copies $(BENCH_SCALE)

# ask latency on a 10,000-document stand-in built from an analysed store (ASK_SOURCE).
ASK_SOURCE ?= $(EVAL_OUT)/polnear/narrascope.duckdb
bench-ask: $(VENV)/.installed
	$(PY) bench/ask_latency.py --source $(ASK_SOURCE) --out bench/results

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
