"""Baselines for bench/run.py: PyTorch eager written the Hugging Face way, and
OpenBLAS SGEMM (through NumPy) on the same per-expert shapes.

Each function returns the median steady-state time in ms (after warm-up) and
the first call's time. Shapes and weights follow the Sluice bench cases in
bench/cases/*.mlir.
"""
import time

import numpy as np


def _timeit(fn, iters, budget_s=10.0):
    t0 = time.perf_counter()
    fn()
    first = (time.perf_counter() - t0) * 1e3
    fn()
    fn()
    times = []
    spent = 0.0
    for i in range(iters):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        times.append(dt * 1e3)
        spent += dt
        if i >= 2 and spent > budget_s:
            break
    times.sort()
    return {"first_ms": first, "median_ms": times[len(times) // 2],
            "best_ms": times[0], "iters": len(times)}


def _hf_experts(x, w, sel, wg, wu, wd):
    """The Hugging Face MoE expert loop (Mixtral / OLMoE / DeepseekV3):
    for every expert some token selected, its tokens' SwiGLU FFN scaled by
    the routing weight, added into the output with index_add_."""
    import torch
    import torch.nn.functional as Fn
    out = torch.zeros_like(x)
    mask = Fn.one_hot(sel, num_classes=wg.shape[0]).permute(2, 1, 0)
    for e in range(wg.shape[0]):
        idx, top = torch.where(mask[e])
        if top.numel() == 0:
            continue
        cur = x[top]
        h = Fn.silu(Fn.linear(cur, wg[e])) * Fn.linear(cur, wu[e])
        h = Fn.linear(h, wd[e]) * w[top, idx, None]
        out.index_add_(0, top, h)
    return out


def torch_moe(T, d, F, E, k, renorm, iters):
    """The Hugging Face Mixtral / OLMoE sparse MoE block: router, softmax,
    top-k, then a Python loop over experts with index_add_."""
    import torch
    import torch.nn.functional as Fn
    torch.manual_seed(0)
    x = torch.randn(T, d)
    router = torch.randn(d, E) / d ** 0.5
    wg = torch.randn(E, F, d) / d ** 0.5  # nn.Linear layout [out, in]
    wu = torch.randn(E, F, d) / d ** 0.5
    wd = torch.randn(E, d, F) / F ** 0.5

    @torch.no_grad()
    def block():
        logits = x @ router
        probs = Fn.softmax(logits, dim=1, dtype=torch.float)
        w, sel = torch.topk(probs, k, dim=-1)
        if renorm:
            w = w / w.sum(dim=-1, keepdim=True)
        return _hf_experts(x, w, sel, wg, wu, wd)

    return _timeit(block, iters)


def torch_gating(T, d, E, k, iters):
    import torch
    import torch.nn.functional as Fn
    x = torch.randn(T, d)
    router = torch.randn(d, E)

    @torch.no_grad()
    def gate():
        probs = Fn.softmax(x @ router, dim=1)
        return torch.topk(probs, k, dim=-1)

    return _timeit(gate, iters)


def torch_lora(T, d, r, iters):
    import torch
    x = torch.randn(T, d)
    w = torch.randn(d, d) / d ** 0.5
    a = torch.randn(d, r) / d ** 0.5
    b = torch.randn(r, d) / r ** 0.5

    @torch.no_grad()
    def lora():
        return x @ w + 2.0 * ((x @ a) @ b)

    return _timeit(lora, iters)


def torch_mlp(T, d, F, iters):
    import torch
    import torch.nn.functional as Fn
    x = torch.randn(T, d)
    wg = torch.randn(F, d) / d ** 0.5
    wu = torch.randn(F, d) / d ** 0.5
    wd = torch.randn(d, F) / F ** 0.5

    @torch.no_grad()
    def mlp():
        return Fn.linear(Fn.silu(Fn.linear(x, wg)) * Fn.linear(x, wu), wd)

    return _timeit(mlp, iters)


def torch_pool(kind, B, N, D, iters):
    import torch
    x = torch.randn(B, N, D)
    mask = torch.ones(B, N)
    lengths = torch.full((B,), N)

    @torch.no_grad()
    def pool():
        if kind == "mean":
            m = mask[..., None]
            return (x * m).sum(1) / m.sum(1).clamp(min=1)
        if kind == "max":
            return x.masked_fill(mask[..., None] == 0, float("-inf")).amax(1)
        if kind == "gem":
            return x.clamp(min=1e-6).pow(3).mean(1).pow(1.0 / 3)
        return x[torch.arange(B), lengths - 1]

    return _timeit(pool, iters)


def numpy_sgemm(M, K, N, count, iters):
    """`count` SGEMMs of [M,K] x [K,N] (the per-expert GEMMs) via OpenBLAS."""
    rng = np.random.default_rng(0)
    a = [rng.standard_normal((M, K), dtype=np.float32) for _ in range(count)]
    b = [rng.standard_normal((K, N), dtype=np.float32) for _ in range(count)]

    def run():
        for i in range(count):
            a[i] @ b[i]

    return _timeit(run, iters)


def torch_moe_deepseek(T, d, F, E, k, groups, topk_groups, shared, iters):
    """Hugging Face DeepseekV3MoE: sigmoid scores + correction bias,
    group-limited top-k, renormalised weights, a Python loop over experts,
    plus the shared experts as one wider MLP."""
    import torch
    import torch.nn.functional as Fn
    torch.manual_seed(0)
    x = torch.randn(T, d)
    router = torch.randn(d, E) / d ** 0.5
    bias = torch.randn(E) * 0.01
    wg = torch.randn(E, F, d) / d ** 0.5
    wu = torch.randn(E, F, d) / d ** 0.5
    wd = torch.randn(E, d, F) / F ** 0.5
    sg = torch.randn(shared * F, d) / d ** 0.5
    su = torch.randn(shared * F, d) / d ** 0.5
    sd = torch.randn(d, shared * F) / F ** 0.5

    @torch.no_grad()
    def block():
        scores = torch.sigmoid(x @ router)
        biased = scores + bias
        group_scores = biased.view(T, groups, -1).topk(2, dim=-1)[0].sum(dim=-1)
        group_idx = torch.topk(group_scores, k=topk_groups, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores).scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(T, groups, E // groups).reshape(T, -1)
        masked = biased.masked_fill(~score_mask.bool(), 0.0)
        sel = torch.topk(masked, k=k, dim=-1, sorted=False)[1]
        w = scores.gather(1, sel)
        w = w / (w.sum(dim=-1, keepdim=True) + 1e-20)
        out = _hf_experts(x, w, sel, wg, wu, wd)
        shared_out = Fn.linear(Fn.silu(Fn.linear(x, sg)) * Fn.linear(x, su), sd)
        return out + shared_out

    return _timeit(block, iters)


def torch_multi_lora(T, d, r, L, iters):
    """Multi-tenant LoRA the straightforward way (PEFT-style mixed batch):
    the base GEMM, then a loop over adapters present in the batch."""
    import torch
    torch.manual_seed(0)
    x = torch.randn(T, d)
    w = torch.randn(d, d) / d ** 0.5
    a = torch.randn(L, d, r) / d ** 0.5
    b = torch.randn(L, r, d) / r ** 0.5
    ids = torch.randint(-1, L, (T,))

    @torch.no_grad()
    def run():
        y = x @ w
        for l in ids.unique().tolist():
            if l < 0:
                continue
            rows = torch.where(ids == l)[0]
            y.index_add_(0, rows, 2.0 * ((x[rows] @ a[l]) @ b[l]))
        return y

    return _timeit(run, iters)
