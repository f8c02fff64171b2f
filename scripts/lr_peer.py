#!/usr/bin/env python3
"""Peer check for `transflow evaluate`: a plain scikit-learn logistic regression on the target domain.

What it is: an independent reference point. It reads a target-domain file in Transflow's generic CSV format
(written by `transflow simulate`, accepted by `transflow evaluate --target`), makes exactly the same time-ordered
split as `transflow evaluate` (rows stably sorted by timestamp; split time = timestamp of sorted row
floor(rows * split); train = rows before it, test = rows at or after it), trains sklearn's LogisticRegression
on the training rows and prints target AUC, GAUC and log-loss on the test rows. With --results it prints the
per-model mean +- std of a `transflow evaluate --report DIR` run beside it, with each model's AUC minus the LR's.

Features, as a new user would build them: every categorical column (user_id, item_id and each feature column
not ending in #num) is hashed one-hot with FeatureHasher(n_features=2**20, alternate_sign=False) on the string
"column=value" (a missing cell adds nothing); each #num column becomes log1p(max(0, x)), missing -> 0.
Metrics follow model/.../metric/PredictionMetrics.java: exact AUC with ties counting one half, GAUC = per-user
AUC weighted by the user's test impressions over users with both a click and a non-click, log-loss with
probabilities clipped to [1e-7, 1 - 1e-7].

How to run (Debian: apt-get install -y python3-sklearn, then use Debian's /usr/bin/python3 if another python3
comes first on PATH):
    java -jar streaming-job/target/transflow.jar simulate --seed 21 --impressions 200000 --out DIR
    java -jar streaming-job/target/transflow.jar evaluate --source DIR/source.csv --target DIR/target.csv \
        --report REPORT                                   # optional, for --results
    python3 scripts/lr_peer.py DIR/target.csv [--split 0.8] [--results REPORT/results.csv] [--json lr.json]
It uses one CPU core unless OMP_NUM_THREADS / OPENBLAS_NUM_THREADS say otherwise.

This is a comparison tool only: nothing in Transflow runs it, and it is not part of the default tests.
"""
import argparse
import csv
import json
import math
import os
import sys
import warnings

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core unless the caller says otherwise

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.feature_extraction import FeatureHasher  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

REQUIRED = ("timestamp", "user_id", "item_id", "label")
GROUPS = ("user", "shared", "specific")
N_FEATURES = 2 ** 20
CLIP = 1e-7


class BadFile(Exception):
    pass


def read_target(path):
    """Rows of a generic CSV file: timestamps, users, labels, "column=value" strings per row, numeric matrix."""
    try:
        return _read_target(path)
    except UnicodeDecodeError as e:
        raise BadFile(f"{path}: not UTF-8 text ({e.reason} at byte {e.start})")
    except csv.Error as e:
        raise BadFile(f"{path}: unreadable CSV: {e}")


def _read_target(path):
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as e:
        raise BadFile(f"{path}: cannot open: {e.strerror}")
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise BadFile(f"{path}: the file is empty; the generic CSV format needs a header row")
        header = [h.strip() for h in header]
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        seen = set()
        for column in header:
            if column in seen:
                raise BadFile(f"{path}:1: column '{column}' appears twice in the header")
            seen.add(column)
            prefix, dot, name = column.partition(".")
            if column not in REQUIRED and dot and prefix in GROUPS and name in ("", "#num"):
                raise BadFile(f"{path}:1: column '{column}' has no feature name")
            if column not in REQUIRED and not (dot and prefix in GROUPS):
                raise BadFile(f"{path}:1: column '{column}' is neither timestamp, user_id, item_id, label nor a "
                              "feature named user.<name>, shared.<name> or specific.<name>")
        missing = [c for c in REQUIRED if c not in seen]
        if missing:
            raise BadFile(f"{path}:1: the header lacks the required column(s) {missing}; found {header}")
        t, u, i, y = (header.index(c) for c in REQUIRED)
        categorical = [(c, header.index(c)) for c in header if c not in ("timestamp", "label")
                       and not c.endswith("#num")]
        numeric = [(c, header.index(c)) for c in header if c.endswith("#num")]
        timestamps, users, labels, cats, nums = [], [], [], [], []
        line = 1
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not cells or cells == [""]:
                continue  # blank line
            where = f"{path}:{start}"
            if len(cells) != len(header):
                raise BadFile(f"{where}: the row has {len(cells)} fields, the header {len(header)}")
            try:
                ts = int(cells[t].strip())
            except ValueError:
                raise BadFile(f"{where}: timestamp '{cells[t].strip()}' is not epoch milliseconds (an integer)")
            if ts < 0:
                raise BadFile(f"{where}: timestamp {ts} is negative")
            if not cells[u] or not cells[i]:
                raise BadFile(f"{where}: {'user_id' if not cells[u] else 'item_id'} is empty")
            label = cells[y].strip()
            if label not in ("0", "1"):
                raise BadFile(f"{where}: label must be 0 or 1, got '{label}'")
            row = []
            for name, k in numeric:
                text = cells[k].strip()
                try:
                    value = float(text) if text else math.nan
                except ValueError:
                    raise BadFile(f"{where}: column {name}: '{text}' is not a number")
                if math.isinf(value) or (text and math.isnan(value)):
                    raise BadFile(f"{where}: column {name}: {text} is not finite; leave the cell empty if missing")
                row.append(value)
            timestamps.append(ts)
            users.append(cells[u])
            labels.append(int(label))
            cats.append([f"{name}={cells[k]}" for name, k in categorical if cells[k]])
            nums.append(row)
    if not timestamps:
        raise BadFile(f"{path}: the file has no valid row")
    numbers = np.array(nums, dtype=np.float64).reshape(len(timestamps), len(numeric))
    return (np.array(timestamps, dtype=np.int64), np.array(users, dtype=object), np.array(labels, dtype=np.int8),
            cats, numbers, [name for name, _ in numeric])


def auc(scores, labels):
    """Exact AUC, tied scores sharing their average rank (Mann-Whitney U), as in Auc.java; NaN for one class."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return math.nan
    return float(roc_auc_score(labels, scores))


def gauc(scores, labels, users):
    """PredictionMetrics.gauc(): per-user AUC weighted by impressions, over users with both classes."""
    _, user = np.unique(users, return_inverse=True)
    order = np.lexsort((scores, user))  # by user, then score
    s, y, g = scores[order], labels[order].astype(np.float64), user[order]
    n = len(s)
    # Tie groups: runs of equal (user, score); each gets the average of its 1-based ranks within the user.
    new_tie = np.r_[True, (g[1:] != g[:-1]) | (s[1:] != s[:-1])]
    tie_id = np.cumsum(new_tie) - 1
    tie_start = np.flatnonzero(new_tie)
    tie_end = np.r_[tie_start[1:], n]
    user_start = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    first_of_user = np.repeat(user_start, np.diff(np.r_[user_start, n]))
    rank = ((tie_start + tie_end + 1) / 2.0)[tie_id] - first_of_user
    count = np.bincount(g)
    pos = np.bincount(g, weights=y)
    rank_sum = np.bincount(g, weights=rank * y)
    both = (pos > 0) & (pos < count)
    if not both.any():
        return math.nan
    neg = count - pos
    per_user = (rank_sum[both] - pos[both] * (pos[both] + 1) / 2.0) / (pos[both] * neg[both])
    return float(np.sum(count[both] * per_user) / np.sum(count[both]))


def log_loss(scores, labels):
    p = np.clip(scores, CLIP, 1 - CLIP)
    return float(-np.mean(np.where(labels == 1, np.log(p), np.log(1 - p))))


def read_results(path):
    """Per-model (auc, gauc, logloss) lists, seeds and n from `transflow evaluate --report DIR`'s results.csv."""
    expected = ["model", "seed", "domain", "auc", "gauc", "logloss", "n"]
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as e:
        raise BadFile(f"{path}: cannot open: {e.strerror}")
    if not rows or [c.strip() for c in rows[0]] != expected:
        raise BadFile(f"{path}: not a results.csv of `transflow evaluate --report`; its header must be "
                      f"{','.join(expected)}")
    models = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(expected):
            raise BadFile(f"{path}:{line}: {len(row)} fields, expected {len(expected)}")
        if row[2] != "target":
            continue
        try:
            values = [float(v) if v else math.nan for v in row[3:6]]
            n = int(row[6])
        except ValueError:
            raise BadFile(f"{path}:{line}: auc, gauc, logloss must be numbers (or empty) and n an integer")
        entry = models.setdefault(row[0], {"values": [], "n": n})
        entry["values"].append(values)
    if not models:
        raise BadFile(f"{path}: no target-domain rows")
    return models


def mean_std(values):
    """EvaluationReport.Stat: mean and sample standard deviation of the non-NaN values."""
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return math.nan, math.nan
    mean = sum(finite) / len(finite)
    var = 0.0 if len(finite) < 2 else sum((v - mean) ** 2 for v in finite) / (len(finite) - 1)
    return mean, math.sqrt(var)


def main():
    parser = argparse.ArgumentParser(description="Logistic-regression peer check on the target domain, with the "
                                     "time-ordered split of `transflow evaluate`.")
    parser.add_argument("target", help="target-domain file in the generic CSV format (e.g. DIR/target.csv)")
    parser.add_argument("--split", type=float, default=0.8, help="training fraction, as evaluate's --split (0.8)")
    parser.add_argument("--results", metavar="RESULTS_CSV", help="results.csv of `transflow evaluate --report DIR`")
    parser.add_argument("--json", metavar="FILE", help="write the LR figures to FILE as JSON")
    parser.add_argument("--max-iter", type=int, default=1000,
                        help="LogisticRegression max_iter (sklearn's default 100 may stop before converging)")
    args = parser.parse_args()
    if not 0 < args.split < 1:
        parser.error(f"--split must be in (0, 1), got {args.split}")
    try:
        evaluated = read_results(args.results) if args.results else None
        timestamps, users, labels, cats, numbers, numeric_names = read_target(args.target)
    except BadFile as e:
        print(f"lr_peer: {e}", file=sys.stderr)
        return 2

    rows = len(timestamps)
    order = np.argsort(timestamps, kind="stable")  # SampleEncoder sorts rows by time, stably
    target_end = math.floor(rows * args.split)
    if target_end == 0 or target_end == rows:
        print(f"lr_peer: a split of {args.split} leaves no training or no test rows of the {rows} rows",
              file=sys.stderr)
        return 2
    split_time = int(timestamps[order[target_end]])
    train, test = order[timestamps[order] < split_time], order[timestamps[order] >= split_time]
    if len(np.unique(labels[train])) < 2:
        print("lr_peer: the training rows hold only one class; logistic regression needs both", file=sys.stderr)
        return 2

    hashed = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False).transform(cats)
    dense = np.log1p(np.maximum(0.0, np.nan_to_num(numbers, nan=0.0)))
    x = sp.hstack([hashed, sp.csr_matrix(dense)], format="csr")
    model = LogisticRegression(max_iter=args.max_iter)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(x[train], labels[train])
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    scores = model.predict_proba(x[test])[:, 1]
    y = labels[test]
    lr = {"model": "sklearn-lr (target only)", "auc": auc(scores, y), "gauc": gauc(scores, y, users[test]),
          "logloss": log_loss(scores, y), "n": int(len(test)), "train_rows": int(len(train)),
          "split": args.split, "split_time": split_time, "file": args.target,
          "features": {"categorical": "FeatureHasher(n_features=2**20, alternate_sign=False) on column=value",
                       "numeric": {name: "log1p(max(0,x)), missing->0" for name in numeric_names}},
          "solver": model.solver, "C": model.C, "max_iter": args.max_iter, "n_iter": int(model.n_iter_[0]),
          "converged": converged, "sklearn": sklearn.__version__}

    print(f"{args.target}: {rows} rows; split {args.split} at t={split_time}: train {len(train)} rows "
          f"({int(labels[train].sum())} clicks), test {len(test)} rows ({int(y.sum())} clicks)")
    print(f"LogisticRegression(solver={model.solver}, C={model.C}, max_iter={args.max_iter}): "
          f"{lr['n_iter']} iterations, {'converged' if converged else 'NOT converged (raise --max-iter)'}")
    print()
    print(f"{'model':<26} {'target AUC':<17} {'target GAUC':<17} {'log-loss':<17} {'n':>8}  AUC - LR")
    print(f"{lr['model']:<26} {lr['auc']:<17.4f} {lr['gauc']:<17.4f} {lr['logloss']:<17.4f} {lr['n']:>8}")
    for name, entry in (evaluated or {}).items():
        stats = [mean_std([v[k] for v in entry["values"]]) for k in range(3)]
        cells = [f"{m:.4f} ± {s:.4f}" for m, s in stats]
        seeds = len(entry["values"])
        note = "" if entry["n"] == lr["n"] else "  (n differs: another file or split?)"
        print(f"{name + f' ({seeds} seeds)':<26} {cells[0]:<17} {cells[1]:<17} {cells[2]:<17} {entry['n']:>8}"
              f"  {stats[0][0] - lr['auc']:+.4f}{note}")
    if args.json:
        try:
            with open(args.json, "w", encoding="utf-8") as out:
                json.dump({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in lr.items()},
                          out, indent=2)
                out.write("\n")
        except OSError as e:
            print(f"lr_peer: cannot write {args.json}: {e.strerror}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
