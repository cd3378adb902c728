"""How much a more flexible learner gets from the model's own inputs.

  learners.py MATRIX ROWS WIDTH

MATRIX.x / MATRIX.y are the month-start examples Train fits (row-major float64 inputs, 0/1
labels: won before the horizon), as the forecast benchmark writes them. Rows come in order of
their snapshot month, so the first 80% are the earlier months: every learner is fitted on those
and scored on the rest, the way a backtest asks a model about months it never saw.

Printed: the Brier score of the base rate, of the same regression the service fits (standardised
inputs, L2, C = 1), and of gradient-boosted trees on the same inputs, with additive (depth 1),
pairwise (depth 2) and depth-3 interactions. The trees stand for any learner that finds its own
non-linearity and interactions: the gap between them and the regression is what the service's
model leaves in its inputs; what stays above them is not in the inputs at all.
"""
import sys
import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

matrix, rows, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
x = np.fromfile(matrix + ".x", dtype=np.float64).reshape(rows, width)
y = np.fromfile(matrix + ".y", dtype=np.float64)
cut = int(rows * 0.8)
train, test = slice(0, cut), slice(cut, rows)


def brier(p):
    return float(((p - y[test]) ** 2).mean())


print(f"learners_rows={rows} learners_test={rows - cut} learners_base={brier(np.full(rows - cut, y[train].mean())):.5f}")
scaler = StandardScaler().fit(x[train])
regression = LogisticRegression(C=1.0, max_iter=3000).fit(scaler.transform(x[train]), y[train])
print(f"learners_regression={brier(regression.predict_proba(scaler.transform(x[test]))[:, 1]):.5f}")
for depth in (1, 2, 3):
    trees = HistGradientBoostingClassifier(
        max_depth=depth, learning_rate=0.1, max_iter=2000, early_stopping=True, n_iter_no_change=20, random_state=0
    ).fit(x[train], y[train])
    print(f"learners_trees{depth}={brier(trees.predict_proba(x[test])[:, 1]):.5f}")
