# PyTorch eager, Hugging Face style expert loop, on the GPU: Mixtral-like
# d=1024, F=3584, E=8, k=2, fp32 -- the baseline next to `sluicec run
# --target=cuda --repeat` in the same machine session.
import sys, time, torch
d, F, E, k = 1024, 3584, 8, 2
torch.backends.cuda.matmul.allow_tf32 = False
g = torch.Generator(device="cuda").manual_seed(0)
wr = torch.randn(d, E, device="cuda", generator=g) * 0.02
wg = torch.randn(E, d, F, device="cuda", generator=g) * 0.02
wu = torch.randn(E, d, F, device="cuda", generator=g) * 0.02
wd = torch.randn(E, F, d, device="cuda", generator=g) * 0.02
def block(x):
    p = torch.softmax(x @ wr, -1)
    w, sel = torch.topk(p, k, -1)
    w = w / w.sum(-1, keepdim=True)
    y = torch.zeros_like(x)
    mask = torch.nn.functional.one_hot(sel, E).permute(2, 1, 0)
    for e in range(E):
        idx, tok = torch.where(mask[e])
        if tok.numel() == 0:
            continue
        h = torch.nn.functional.silu(x[tok] @ wg[e]) * (x[tok] @ wu[e])
        y.index_add_(0, tok, (h @ wd[e]) * w[tok, idx, None])
    return y
for T in map(int, sys.argv[1:]):
    x = torch.randn(T, d, device="cuda", generator=g)
    for _ in range(5): block(x)
    torch.cuda.synchronize(); t = time.perf_counter(); n = 50
    for _ in range(n): block(x)
    torch.cuda.synchronize()
    print("torch eager (HF loop) Mixtral-like T=%d: %.3f ms" % (T, (time.perf_counter() - t) / n * 1e3))
