"""Golden trees from scikit-learn for @wine/model's CART learner.

Run with the pinned venv (.ci/services/sklearn.sh provisions it):
    $SKLEARN_PYTHON packages/model/test/golden/make_sklearn_fixtures.py \
        > packages/model/test/golden/sklearn-trees.json

Every tree here is scikit-learn's own: DecisionTreeRegressor, or a RandomForestRegressor's
estimators_. For each tree the fixture records what our learner needs to grow the same tree
and what it must produce:

  params        the settings in our explicit form ({"kind": "count"|"fraction", "value"} for
                scikit-learn's int-or-float parameters, taken from the Python type)
  sklearn       the same settings as scikit-learn's repr, for the reader
  rand_r_seed   the first draw of numpy.random.RandomState(tree.random_state).randint(0,
                RAND_R_MAX): the state of the splitter's xorshift generator (our_rand_r in
                sklearn/utils/_random.pxd) that orders the feature draws at every node
  weights       forests only: the bootstrap counts scikit-learn fitted the tree with
                (sample_weight = bincount of _generate_sample_indices(tree.random_state, ...))
  tree_         children_left, children_right, feature, threshold, value, impurity,
                n_node_samples, weighted_n_node_samples
  predict       the estimator's predictions on the data set's rows

The data sets are synthetic (numpy default_rng with fixed seeds). Features are rounded to
values exactly representable in float32 (scikit-learn fits trees on a float32 copy of X), so
thresholds are comparable bit for bit; "quarters" has few distinct values per feature and an
integer target, which makes tied splits and constant features common.
"""

import json
import sys

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestRegressor
from sklearn.ensemble._bootstrap import _get_n_samples_bootstrap
from sklearn.ensemble._forest import _generate_sample_indices
from sklearn.tree import DecisionTreeRegressor

RAND_R_MAX = 2147483647  # sklearn/utils/_random.pxd


def smooth_data():
    rng = np.random.default_rng(20240611)
    n, p = 150, 5
    x = np.round(rng.uniform(0, 10, size=(n, p)) * 64) / 64  # float32-exact
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] - 0.04 * x[:, 2] ** 2 + rng.normal(0, 0.3, n)
    return x, y


def quarters_data():
    """Wine-shaped: 11 features on a coarse grid, a 0/1 colour column, integer quality."""
    rng = np.random.default_rng(7)
    n, p = 200, 12
    x = np.round(rng.uniform(0, 3, size=(n, p)) * 4) / 4
    x[:, 11] = rng.integers(0, 2, n)
    raw = 5 + x[:, 10] - 0.8 * x[:, 1] + 0.6 * x[:, 11] + rng.normal(0, 0.7, n)
    y = np.clip(np.round(raw), 3, 9)
    return x, y


DATA = {"smooth": smooth_data(), "quarters": quarters_data()}

OUR_NAMES = {
    "max_depth": "maxDepth",
    "min_samples_split": "minSamplesSplit",
    "min_samples_leaf": "minSamplesLeaf",
    "min_impurity_decrease": "minImpurityDecrease",
    "max_features": "maxFeatures",
    "n_estimators": "nEstimators",
    "bootstrap": "bootstrap",
    "max_samples": "maxSamples",
}
COUNT_OR_FRACTION = {"min_samples_split", "min_samples_leaf", "max_features", "max_samples"}

CASES = [
    # random_state everywhere: with None the splitter's feature order (and so tie-breaking)
    # would come from numpy's global generator.
    ("tree-defaults", "smooth", "tree", {"random_state": 0}),
    ("tree-depth-split-leaf", "smooth", "tree",
     {"max_depth": 4, "min_samples_split": 10, "min_samples_leaf": 3, "random_state": 1}),
    ("tree-impurity-decrease-2-features", "smooth", "tree",
     {"min_impurity_decrease": 0.02, "max_features": 2, "random_state": 7}),
    ("tree-fractions", "smooth", "tree",
     {"max_features": 0.6, "min_samples_leaf": 0.03, "min_samples_split": 0.1, "random_state": 3}),
    ("tree-one-feature", "quarters", "tree",
     {"max_features": 1, "max_depth": 5, "random_state": 5}),
    ("tree-ties", "quarters", "tree", {"max_depth": 8, "random_state": 0}),
    ("tree-sqrt-leaf", "quarters", "tree",
     {"max_features": "sqrt", "min_samples_leaf": 2, "random_state": 11}),
    ("forest-bootstrap-min-samples-leaf", "quarters", "forest",
     {"n_estimators": 3, "min_samples_leaf": 5, "max_depth": 6, "random_state": 0}),
    ("forest-max-samples-fraction-log2", "smooth", "forest",  # 0.33 · 150 = 49.5 draws → 49
     {"n_estimators": 3, "max_samples": 0.33, "max_features": "log2", "min_samples_split": 6,
      "random_state": 42}),
    ("forest-max-samples-count-all-features", "smooth", "forest",
     {"n_estimators": 2, "max_samples": 60, "max_features": 1.0, "min_samples_leaf": 4,
      "random_state": 1}),
]


def ours(params):
    out = {}
    for key, value in params.items():
        if key == "random_state":
            continue
        if key in COUNT_OR_FRACTION and isinstance(value, (int, float)) and not isinstance(value, bool):
            kind = "count" if isinstance(value, int) else "fraction"
            value = {"kind": kind, "value": value}
        out[OUR_NAMES[key]] = value
    return out


def splitter_seed(random_state):
    return int(np.random.RandomState(random_state).randint(0, RAND_R_MAX))


def tree_arrays(t):
    s = t.tree_
    return {
        "children_left": s.children_left.tolist(),
        "children_right": s.children_right.tolist(),
        "feature": s.feature.tolist(),
        "threshold": s.threshold.tolist(),
        "value": s.value[:, 0, 0].tolist(),
        "impurity": s.impurity.tolist(),
        "n_node_samples": s.n_node_samples.tolist(),
        "weighted_n_node_samples": s.weighted_n_node_samples.tolist(),
    }


def same_tree(a, b):
    return all(np.array_equal(getattr(a.tree_, k), getattr(b.tree_, k)) for k in
               ("children_left", "feature", "threshold", "value", "n_node_samples"))


def tree_case(x, y, params):
    model = DecisionTreeRegressor(**params).fit(x, y)
    seed = splitter_seed(params.get("random_state"))
    return [{"rand_r_seed": seed, "tree_": tree_arrays(model)}], model.predict(x)


def forest_case(x, y, params):
    model = RandomForestRegressor(**params).fit(x, y)
    n = x.shape[0]
    draws = _get_n_samples_bootstrap(n, model.max_samples, None)
    trees = []
    for est in model.estimators_:
        indices = _generate_sample_indices(est.random_state, n, draws, None)
        weights = np.bincount(indices, minlength=n).astype(np.float64)
        # The recorded weights and seed must grow exactly this estimator: refit and compare.
        refit = DecisionTreeRegressor(**est.get_params()).fit(x, y, sample_weight=weights)
        if not same_tree(refit, est):
            sys.exit(f"refitting a forest tree with the recorded bootstrap weights differs ({params})")
        trees.append({
            "rand_r_seed": splitter_seed(est.random_state),
            "weights": weights.astype(int).tolist(),
            "tree_": tree_arrays(est),
        })
    return trees, model.predict(x)


def main():
    data = {
        name: {"x": x.tolist(), "y": y.tolist(), "rows": x.shape[0], "cols": x.shape[1]}
        for name, (x, y) in DATA.items()
    }
    cases = []
    for name, data_name, kind, params in CASES:
        x, y = DATA[data_name]
        trees, pred = (tree_case if kind == "tree" else forest_case)(x, y, params)
        cases.append({
            "name": name,
            "data": data_name,
            "kind": kind,
            "sklearn": {k: repr(v) for k, v in params.items()},
            "params": ours(params),
            "trees": trees,
            "predict": pred.tolist(),
        })
    header = {
        "generator": "packages/model/test/golden/make_sklearn_fixtures.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
    }
    # One case per line: readable diffs, and the file stays small.
    lines = ["{", f' "about": {json.dumps(header, sort_keys=True)},']
    lines.append(f' "data": {json.dumps(data, sort_keys=True, separators=(",", ":"))},')
    lines.append(' "cases": [')
    rendered = [f"  {json.dumps(c, sort_keys=True, separators=(',', ':'))}" for c in cases]
    lines.append(",\n".join(rendered))
    lines.append(" ]")
    lines.append("}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
