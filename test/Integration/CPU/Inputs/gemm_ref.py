"""Inputs and a numpy oracle for sluice.gemm (test/Integration/CPU/gemm.mlir).

  gemm_ref.py gen DIR CASE    writes DIR/<operand>.npy for CASE
  gemm_ref.py check DIR CASE  compares DIR/out.npy with the oracle

The oracle follows the op's definition (dialect/SluiceKernelOps.td) in
float64 numpy; it shares no code with the lowering or the micro-kernel.
Tolerance: max |diff| <= 1e-4 * (1 + max |expected|).
"""
import math
import os
import sys

import numpy as np

ACTS = {
    "none": lambda x: x,
    "silu": lambda x: x / (1 + np.exp(-x)),
    "gelu": lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
    "relu": lambda x: np.maximum(x, 0),
}


def case(name, rng):
    f = lambda *s: rng.standard_normal(s).astype(np.float32)
    if name == "plain":   # M=5 K=7 N=9, bias, silu
        return dict(a=f(5, 7), b=f(7, 9), bias=f(9)), dict(act="silu")
    if name == "glu":     # T=4 tokens, k=2, G=3 groups over P=8 rows
        slots = np.array([0, 3, -1, 5, 1, 2, 7, 6], np.int32)
        groups = np.array([0, 3, 3, 8], np.int32)
        return dict(a=f(4, 6), b=f(3, 6, 5), up=f(3, 6, 5), groups=groups,
                    slots=slots), dict(act="silu", a_div=2)
    if name == "scatter":  # P=8 rows into T=4 tokens, k=2, weights [T*k]
        slots = np.array([0, 3, -1, 5, 1, 2, 7, 6], np.int32)
        groups = np.array([0, 3, 3, 8], np.int32)
        return dict(h=f(8, 5), b=f(3, 5, 6), groups=groups, slots=slots,
                    w=f(8), init=f(4, 6)), dict(c_div=2)
    if name == "lowrank":  # base [K,N] shared, per-group low-rank term
        groups = np.array([0, 2, 2, 6], np.int32)
        return dict(a=f(6, 8), b=f(8, 4), a2=f(6, 3), b3=f(3, 3, 4),
                    groups=groups), dict(act="relu")
    raise SystemExit("unknown case " + name)


def group_of(groups, m):
    g = 0
    if groups is not None:
        while g + 2 < len(groups) and m >= groups[g + 1]:
            g += 1
    return g


def oracle(name, x, attrs):
    act = ACTS[attrs.get("act", "none")]
    d = lambda v: v.astype(np.float64)
    if name == "plain":
        return act(d(x["a"]) @ d(x["b"]) + d(x["bias"]))
    if name == "glu":
        out = np.zeros((8, 5))
        for m, s in enumerate(x["slots"]):
            if s < 0:
                continue
            g = group_of(x["groups"], m)
            row = d(x["a"][s // attrs["a_div"]])
            out[m] = act(row @ d(x["b"][g])) * (row @ d(x["up"][g]))
        return out
    if name == "scatter":
        out = d(x["init"]).copy()
        for m, s in enumerate(x["slots"]):
            if s < 0:
                continue
            g = group_of(x["groups"], m)
            out[s // attrs["c_div"]] += d(x["w"][s]) * (d(x["h"][m]) @ d(x["b"][g]))
        return out
    if name == "lowrank":
        out = np.zeros((6, 4))
        for m in range(6):
            g = group_of(x["groups"], m)
            out[m] = act(d(x["a"][m]) @ d(x["b"]) + d(x["a2"][m]) @ d(x["b3"][g]))
        return out
    raise SystemExit("unknown case " + name)


def main():
    mode, directory, name = sys.argv[1:4]
    x, attrs = case(name, np.random.default_rng(7))
    if mode == "gen":
        os.makedirs(directory, exist_ok=True)
        for k, v in x.items():
            np.save(os.path.join(directory, k + ".npy"), v)
        return
    got = np.load(os.path.join(directory, "out.npy")).astype(np.float64)
    want = oracle(name, x, attrs)
    if got.shape != want.shape:
        raise SystemExit(f"{name}: shape {got.shape}, expected {want.shape}")
    err = np.abs(got - want).max() if want.size else 0.0
    tol = 1e-4 * (1 + np.abs(want).max())
    print(f"{name}: max abs diff {err:.3g} (tolerance {tol:.3g})")
    if not err <= tol:
        raise SystemExit(f"{name}: FAILED")
    print(f"{name}: ok")


if __name__ == "__main__":
    main()
