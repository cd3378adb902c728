#!/usr/bin/env bash
# The forecasting benchmark (issue 13). A separate process imports CLOSED generated closed deals
# and OPEN open ones into the real forecasting executable, then times Train and a tenant's month
# forecast (every open deal scored) end to end over gRPC. In the same run: Postgres reading the
# same rows, and scikit-learn's logistic regression fitting the same feature matrix the model's
# regression is fitted on. Prints the ratios against the targets (scoring within 2x of reading,
# training within 3x of scikit-learn). Then gradient-boosted trees on the same examples
# (Benchmarks/forecasting/learners.py): how much a flexible learner gets from the same inputs.
#
# A third phase backtests generated pipelines of VOLUMES deals a month (one tenant each) over their
# last BACKTEST_MONTHS months: the monthly accuracy, against the accuracy the months' coins allow.
# Each month is printed too. VOLUME_SEED picks the generated company (another seed, other deals).
#
#   scripts/bench-forecasting.sh      (CLOSED=100000 OPEN=100000 VOLUMES=120,1200 BACKTEST_MONTHS=12 VOLUME_SEED=11 by default;
#                                      MAVEN_ONLY=1 runs the Maven and volume phases alone)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib-build.sh
closed=${CLOSED:-100000}
open=${OPEN:-100000}
scripts/setup-debian.sh

echo "== scikit-learn (a virtual environment under /var/tmp, made once)"
venv=/var/tmp/sales-bench-venv
[ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sklearn' 2>/dev/null \
  || { python3 -m venv "$venv" && "$venv/bin/pip" install -q scikit-learn numpy; }

echo "== build (release)"
build_release /tmp/bench-forecasting-build.log forecast-benchmark
bin=$(swift build -c release --show-bin-path)

work=$(mktemp -d /var/tmp/bench-forecasting.XXXXXX)
chmod 755 "$work"
cleanup() {
  [ -n "${stack_pid:-}" ] && kill "$stack_pid" 2>/dev/null && wait "$stack_pid" 2>/dev/null
  scripts/test-postgres.sh stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
pgport=$((20000 + RANDOM % 1000))
eval "$(scripts/test-postgres.sh start "$work/pg" "$pgport")"
base=$((21000 + (RANDOM % 350) * 30))

echo "== stack (release executables) on ports from $base"
"$bin/salesctl" up --data-dir "$work/stack" --port-base "$base" --bin-dir "$bin" \
  --database-url "$SALES_TEST_ADMIN_URL" --database sales > "$work/stack.log" 2>&1 &
stack_pid=$!
for _ in $(seq 1 120); do grep -q "the stack is up" "$work/stack.log" && break; sleep 1; done
grep -q "the stack is up" "$work/stack.log" || { cat "$work/stack.log"; exit 1; }
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jwtSecret"])' "$work/stack/secrets.json")
admin_db=${SALES_TEST_ADMIN_URL%/postgres}/sales

echo "== the Maven CRM export: the service's backtest against a naive Bayes baseline on the same snapshots"
python3 Benchmarks/forecasting/maven.py history ../shared/datasets/maven-crm "$work/maven.csv"
maven=$("$bin/forecast-benchmark" --port $((base + 4)) --secret "$secret" --maven "$work/maven.csv" --from 2017-04 --to 2017-12 | tr '\n' ' ')
nb=$(python3 Benchmarks/forecasting/maven.py baseline ../shared/datasets/maven-crm 2017-04 2017-12 | tr '\n' ' ')
echo "$maven"
echo "$nb"
echo "== accuracy against volume: generated pipelines of ${VOLUMES:=120,1200} deals a month, month-start backtests of their last ${BACKTEST_MONTHS:=12} months"
volumes=$("$bin/forecast-benchmark" --port $((base + 4)) --secret "$secret" --volumes "$VOLUMES" --backtest-months "$BACKTEST_MONTHS" \
  --seed "${VOLUME_SEED:-11}" | tr '\n' ' ')
python3 - "$volumes" <<'PY'
import sys
f = dict(part.split("=") for part in sys.argv[1].split() if "=" in part)
for key in sorted({k.split("_")[1] for k in f if k.startswith("volume_")}, key=int):
    g = lambda name: float(f[f"volume_{key}_{name}"])
    print(f"  {key} deals a month ({int(g('deals'))} deals): accuracy {g('accuracy'):.3f} of an attainable {g('attainable'):.3f}, "
          f"Brier {g('brier'):.4f}; the reps {g('rep_accuracy'):.3f} / {g('rep_brier'):.4f}; "
          f"{int(g('within'))} of {int(g('months'))} months inside the 80% range ({g('seconds'):.0f} s)")
PY
if [ -n "${MAVEN_ONLY:-}" ]; then
  learners=""
  result="closed=0 open=0 features=0 snapshots=0 holdout_brier=0 score_s=0 read_s=1 fit_s=0 train_s=0 rows=0 width=0"
  sk=1
else

echo "== import, Train and the month forecast over gRPC; Postgres reading the same rows; the fit alone"
result=$("$bin/forecast-benchmark" --port $((base + 4)) --secret "$secret" --database "$admin_db" \
  --closed "$closed" --open "$open" --matrix "$work/matrix" | tr '\n' ' ')
echo "$result"

echo "== scikit-learn fitting the same matrix"
sk=$("$venv/bin/python" - "$work/matrix" "$result" <<'PY'
import sys, time, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
fields = dict(part.split("=") for part in sys.argv[2].split() if "=" in part)
rows, width = int(fields["rows"]), int(fields["width"])
x = np.fromfile(sys.argv[1] + ".x", dtype=np.float64).reshape(rows, width)
y = np.fromfile(sys.argv[1] + ".y", dtype=np.float64)
times = []
for _ in range(3):
    started = time.perf_counter()
    # The same model: standardised inputs, L2 with the same strength (C = 1 / ridge), lbfgs.
    LogisticRegression(C=1.0, max_iter=1000).fit(StandardScaler().fit_transform(x), y)
    times.append(time.perf_counter() - started)
print(sorted(times)[1])
PY
)
echo "== the same examples, other learners: fitted on the earlier 80% of snapshot months, scored on the rest"
learners=$("$venv/bin/python" Benchmarks/forecasting/learners.py "$work/matrix" \
  "$(sed -E 's/.*rows=([0-9]+).*/\1/' <<< "$result")" "$(sed -E 's/.*width=([0-9]+).*/\1/' <<< "$result")" | tr '\n' ' ')
fi

python3 - "$result" "$sk" "$maven" "$nb" "$learners" <<'PY'
import sys
f = dict(part.split("=") for part in (sys.argv[1] + " " + sys.argv[5]).split() if "=" in part)
sk = float(sys.argv[2])
score, read, fit, train = float(f["score_s"]), float(f["read_s"]), float(f["fit_s"]), float(f["train_s"])
print()
print(f"deals: {f['closed']} closed, {f['open']} open; the model: {f['features']} features over {f['snapshots']} month-start examples, holdout Brier {float(f['holdout_brier']):.4f}")
print(f"scoring every open deal (month forecast, end to end): {score:.2f} s; Postgres reading the same rows: {read:.2f} s; ratio {score / read:.2f} (target <= 2)")
print(f"fitting the regression on the {f['rows']} x {f['width']} matrix: {fit:.2f} s; scikit-learn (lbfgs): {sk:.2f} s; ratio {fit / sk:.2f} (target <= 3)")
print(f"Train end to end (read every deal, build the examples, fit holdout and final): {train:.2f} s, {train / sk:.1f}x scikit-learn's fit")
if "learners_regression" in f:
    print(f"Brier on the later fifth of the same examples ({f['learners_test']} rows): base rate {f['learners_base']}, "
          f"the service's regression {f['learners_regression']}; gradient-boosted trees, depth 1/2/3: "
          f"{f['learners_trees1']} / {f['learners_trees2']} / {f['learners_trees3']}")
m = dict(part.split("=") for part in (sys.argv[3] + " " + sys.argv[4]).split() if "=" in part)
months = sorted(k.removeprefix("model_") for k in m if k.startswith("model_20"))
print(f"Maven CRM, month-start Brier of 'won within the month' ({m['maven_deals']} deals, {m['maven_refused']} refused):")
for month in months:
    print(f"  {month}: model {float(m['model_' + month]):.4f}, naive Bayes {float(m['nb_' + month]):.4f} over {m['model_open_' + month]} / {m['nb_open_' + month]} open deals")
print(f"  mean: model {float(m['model_mean']):.4f}, naive Bayes {float(m['nb_mean']):.4f}")
PY
