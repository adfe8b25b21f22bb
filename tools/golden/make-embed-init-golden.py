#!/usr/bin/env python3
"""Golden values for the closed-form fits and the linear algebra of packages/embed-init.

Made with: Debian /usr/bin/python3 (3.11.2) and numpy 1.24.2 (float64 throughout), nothing else.
Rerun:     /usr/bin/python3 tools/golden/make-embed-init-golden.py
Writes:    packages/embed-init/test/fixtures/embed-init-golden.json (~350 KB)

Each regression case stores its inputs (float32-representable values, so the TypeScript side sees exactly
the same numbers) and the expected results, computed independently of the TypeScript code:
- ridge with a fixed λ: numpy.linalg.solve on the centred normal equations, b = μy − Wᵀμx;
- ridge with λ chosen by k-fold CV: explicit fits per fold (fold assignment stored), λ = α·tr(XcᵀXc)/d,
  validation error summed over folds, divided by n·e; the α with the lowest error wins;
- lstsq: numpy.linalg.lstsq on [X, 1] (QR/SVD based, not the normal equations);
- procrustes: numpy.linalg.svd of XcᵀYc, Ω = U·Vᵀ, scale = Σσ / ‖Xc‖²_F, b = μy − s·Ωᵀμx.
Linear algebra cases: numpy.linalg.eigh (symmetric eigenvalues) and numpy.linalg.svd (singular values).
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'packages', 'embed-init', 'test', 'fixtures', 'embed-init-golden.json')
ALPHAS = [1e-3, 1e-2, 1e-1, 1.0, 10.0]


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def flat(a):
    return [float(x) for x in np.asarray(a).reshape(-1)]


def ridge(x, y, lam):
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    w = np.linalg.solve(xc.T @ xc + lam * np.eye(x.shape[1]), xc.T @ yc)
    return w, my - mx @ w


def ridge_cv(x, y, fold_of, alphas):
    n, d = x.shape
    e = y.shape[1]
    xc = x - x.mean(0)
    scale = np.trace(xc.T @ xc) / d
    curve = []
    for alpha in alphas:
        lam = alpha * scale
        sse = 0.0
        for f in range(fold_of.max() + 1):
            train, val = fold_of != f, fold_of == f
            w, b = ridge(x[train], y[train], lam)
            sse += float(((y[val] - (x[val] @ w + b)) ** 2).sum())
        curve.append({'alpha': alpha, 'lambda': lam, 'mse': sse / (n * e)})
    best = min(range(len(curve)), key=lambda i: curve[i]['mse'])
    w, b = ridge(x, y, curve[best]['lambda'])
    return curve, best, w, b


def lstsq(x, y):
    a = np.hstack([x, np.ones((x.shape[0], 1))])
    sol, *_ = np.linalg.lstsq(a, y, rcond=None)
    return sol[:-1], sol[-1]


def procrustes(x, y, scale):
    mx, my = x.mean(0), y.mean(0)
    xc, yc = x - mx, y - my
    u, s, vt = np.linalg.svd(xc.T @ yc, full_matrices=False)
    omega = u @ vt
    sc = s.sum() / (xc ** 2).sum() if scale else 1.0
    w = sc * omega
    return w, my - mx @ w, sc


def regression_case(rng, name, n, d, e, noise, folds):
    x = f32(rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, d) + rng.standard_normal(d))
    a = rng.standard_normal((d, e)) / np.sqrt(d)
    y = f32(x @ a + rng.standard_normal(e) + noise * rng.standard_normal((n, e)))
    fold_of = np.array([i % folds for i in rng.permutation(n)])
    lam = 0.7 * np.trace((x - x.mean(0)).T @ (x - x.mean(0))) / d
    w_fixed, b_fixed = ridge(x, y, lam)
    curve, best, w_cv, b_cv = ridge_cv(x, y, fold_of, ALPHAS)
    w_ls, b_ls = lstsq(x, y)
    w_p, b_p, s_p = procrustes(x, y, True)
    w_p1, b_p1, _ = procrustes(x, y, False)
    return {
        'name': name, 'n': n, 'd': d, 'e': e,
        'x': flat(x), 'y': flat(y), 'foldOf': [int(f) for f in fold_of], 'alphas': ALPHAS,
        'ridgeFixed': {'lambda': lam, 'weight': flat(w_fixed), 'bias': flat(b_fixed)},
        'ridgeCv': {'curve': curve, 'bestAlpha': ALPHAS[best], 'weight': flat(w_cv), 'bias': flat(b_cv)},
        'lstsq': {'weight': flat(w_ls), 'bias': flat(b_ls)},
        'procrustes': {'weight': flat(w_p), 'bias': flat(b_p), 'scale': float(s_p)},
        'procrustesNoScale': {'weight': flat(w_p1), 'bias': flat(b_p1)},
    }


def main():
    rng = np.random.default_rng(20261129)
    cases = [
        regression_case(rng, 'square-noisy', 160, 12, 12, 0.8, 5),
        regression_case(rng, 'wide-to-narrow', 200, 16, 9, 0.5, 4),
        regression_case(rng, 'narrow-to-wide', 150, 8, 14, 1.5, 5),
    ]
    eigen = []
    for n in (1, 2, 7, 40):
        b = rng.standard_normal((n, n))
        m = f32(b @ b.T - 0.5 * n * np.eye(n))  # indefinite
        m = (m + m.T) / 2
        eigen.append({'n': n, 'matrix': flat(m), 'values': flat(np.sort(np.linalg.eigvalsh(m))[::-1])})
    svds = []
    for rows, cols in ((5, 5), (9, 4), (4, 9), (30, 30)):
        m = f32(rng.standard_normal((rows, cols)))
        svds.append({'rows': rows, 'cols': cols, 'matrix': flat(m), 'values': flat(np.linalg.svd(m, compute_uv=False))})
    doc = {
        'generator': 'tools/golden/make-embed-init-golden.py',
        'versions': {'python': '3.11.2', 'numpy': np.__version__},
        'regression': cases,
        'eigen': eigen,
        'svd': svds,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(doc, f)
        f.write('\n')
    print(f'wrote {OUT} ({os.path.getsize(OUT) / 1024:.0f} KB)')


if __name__ == '__main__':
    main()
