#!/usr/bin/env python3
"""Sluice benchmark suite: every case side by side with its baselines in one
run, against the machine's own ceilings measured in the same run.

    bench/run.sh            # the documented command (installs, builds, runs)
    bench/run.py [--smoke] [--filter NAME] [--threads 1,2] [--profile]

With --profile, every Sluice measurement is followed by a sampled profile of
the same steady-state calls (`perf record -e cpu-clock`; the VMs here have no
hardware counters, so the profile is where the time goes, by function), kept
as bench/results/profiles/<case>-t<N>.txt and summarised (top functions with
their share) in a second table of latest.md.

Writes bench/results/latest.json and a markdown table (stdout and
bench/results/latest.md). Columns: time (median of steady-state calls; the
first call is reported apart), GFLOP/s of useful work, GB/s of weights read,
the roofline time max(FLOPs / FMA peak, bytes / STREAM triad) and the ratios
Sluice / roofline and PyTorch / Sluice.

Every "X over Y" target (LoRA over its base GEMM, multi-LoRA over the base,
sparse over dense, fused over unfused) is measured as a pair: one
sluice_bench process alternates the two functions (Y X, X Y, ... after
warm-up) and reports the median of the per-round ratios X / Y with a
distribution-free 95% confidence interval (order statistics); the JSON's
"pairs" and the table "Paired ratios" hold them, with the target judged
against the interval (met: the whole interval within the target; missed:
the whole interval outside; undecided: it straddles the target).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import tempfile
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import baselines  # noqa: E402


def sh(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return out.stdout


class Runner:
    def __init__(self, build, threads, smoke, torch):
        self.build = build
        self.threads = threads
        self.smoke = smoke
        self.torch = torch
        self.modules = {}

    def module(self, case):
        if case not in self.modules:
            so = os.path.join(self.build, "bench-modules", case + ".so")
            os.makedirs(os.path.dirname(so), exist_ok=True)
            sh([os.path.join(self.build, "bin", "sluicec"), "compile",
                os.path.join(HERE, "cases", case + ".mlir"), "-o", so])
            self.modules[case] = so
        return self.modules[case]

    def sluice(self, case, fn, dims, threads, iters=20):
        args = [os.path.join(self.build, "bin", "sluice_bench"), self.module(case), fn]
        args += [f"{k}={v}" for k, v in dims.items()]
        args += ["--iters", str(iters), "--threads", str(threads)]
        return json.loads(sh(args))

    def pair(self, case, fn_a, fn_b, dims, threads, budget_ms):
        """Times fn_b against fn_a interleaved in one process (sluice_bench
        --pair); returns its JSON (A's times at the top, B's in pair.b, the
        ratio B / A in pair.ratio_*)."""
        so = self.module(case)
        args = [os.path.join(self.build, "bin", "sluice_bench"), so, fn_a]
        args += [f"{k}={v}" for k, v in dims.items()]
        args += ["--threads", str(threads), "--pair", so, fn_b,
                 "--rounds", "2001" if not self.smoke else "21",
                 "--budget-ms", str(budget_ms)]
        return json.loads(sh(args))

    def profile(self, case, fn, dims, threads, out_txt, iters=20):
        """Samples `iters` steady-state calls with perf (cpu-clock) and
        returns the top functions as (share %, dso, symbol), also writing
        perf's report to out_txt. None when perf is unavailable."""
        perf = shutil.which("perf")
        if not perf:
            return None
        data = out_txt + ".data"
        tmp = tempfile.mkdtemp(prefix="sluice-perf-")
        ctl, ack = os.path.join(tmp, "ctl"), os.path.join(tmp, "ack")
        os.mkfifo(ctl)
        os.mkfifo(ack)
        env = dict(os.environ, SLUICE_BENCH_PERF_CTL=ctl, SLUICE_BENCH_PERF_ACK=ack)
        args = [perf, "record", "-q", "-e", "cpu-clock", "-F", "4000", "-D", "-1",
                f"--control=fifo:{ctl},{ack}", "-o", data, "--",
                os.path.join(self.build, "bin", "sluice_bench"), self.module(case), fn]
        args += [f"{k}={v}" for k, v in dims.items()]
        args += ["--iters", str(iters), "--threads", str(threads)]
        try:
            subprocess.run(args, check=True, capture_output=True, text=True, env=env)
            rep = sh([perf, "report", "-i", data, "--stdio", "--no-children",
                      "--sort", "dso,sym", "--percent-limit", "1"])
        except (subprocess.CalledProcessError, OSError):
            return None
        finally:
            if os.path.exists(data):
                os.remove(data)
            shutil.rmtree(tmp, ignore_errors=True)
        with open(out_txt, "w") as f:
            f.write(rep)
        top = []
        for line in rep.splitlines():
            m = re.match(r"\s*([0-9.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*\S)", line)
            if m:
                top.append((float(m.group(1)), m.group(2), m.group(3)))
        return top

    def baseline(self, fn, threads, *a):
        """Runs a baseline in a fresh Python process whose BLAS / OpenMP
        thread counts are fixed in its environment before numpy and torch
        load: OpenBLAS reads them once at load time, so changing
        os.environ in this process would leave every baseline on all
        cores."""
        env = dict(os.environ)
        for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[v] = str(threads)
        code = ("import json, sys; sys.path.insert(0, %r); import baselines; "
                "import torch; torch.set_num_threads(%d); "
                "print(json.dumps(baselines.%s(*%r)))"
                % (HERE, threads, fn.__name__, tuple(a))) if fn.__name__.startswith("torch") else (
                "import json, sys; sys.path.insert(0, %r); import baselines; "
                "print(json.dumps(baselines.%s(*%r)))" % (HERE, fn.__name__, tuple(a)))
        return json.loads(sh([sys.executable, "-c", code], env=env).strip().splitlines()[-1])


def moe_bytes(T, d, F, E, k):
    """Weights a block must read: the experts that some token selects
    (expected number for uniform routing), plus the router."""
    touched = E * (1 - (1 - k / E) ** T)
    return (touched * 3 * d * F + d * E) * 4


def cases(smoke):
    c = []
    if smoke:
        d, F, E, k = 64, 96, 8, 2
        for T in (1, 4):
            c.append(dict(name=f"MoE smoke T={T}", case="moe_smoke", fn="moe_smoke",
                          dims={"T": T}, flops=T * (2 * d * E + k * 6 * d * F),
                          bytes=moe_bytes(T, d, F, E, k),
                          torch=(baselines.torch_moe, T, d, F, E, k, True)))
        return c
    for label, case, (d, F, E, k, renorm), Ts in [
            ("Mixtral-like", "moe_mixtral", (1024, 3584, 8, 2, True), (1, 32, 512, 4096)),
            ("OLMoE-like", "moe_olmoe", (2048, 1024, 64, 8, False), (1, 32, 512, 4096))]:
        for T in Ts:
            c.append(dict(name=f"MoE {label} T={T}", case=case, fn=case, dims={"T": T},
                          flops=T * (2 * d * E + k * 6 * d * F),
                          bytes=moe_bytes(T, d, F, E, k),
                          torch=(baselines.torch_moe, T, d, F, E, k, renorm),
                          blas=(baselines.numpy_sgemm, max(1, T * k // E), d, F,
                                3 * min(E, T * k))))
    d, F, E, k, S = 2048, 1408, 64, 6, 2
    for T in (1, 512):
        c.append(dict(name=f"MoE DeepSeek-style T={T}", case="moe_deepseek",
                      fn="moe_deepseek", dims={"T": T},
                      flops=T * (2 * d * E + (k + S) * 6 * d * F),
                      bytes=moe_bytes(T, d, F, E, k) + S * 3 * d * F * 4,
                      torch=(baselines.torch_moe_deepseek, T, d, F, E, k, 8, 4, S),
                      blas=(baselines.numpy_sgemm, max(1, T * k // E), d, F,
                            3 * min(E, T * k))))
        # Shared experts in their own GEMM calls (before their fusion into
        # the routed calls), same run.
        c.append(dict(name=f"MoE DeepSeek-style shared unfused T={T}",
                      case="moe_deepseek", fn="moe_deepseek_unfused_shared",
                      dims={"T": T},
                      flops=T * (2 * d * E + (k + S) * 6 * d * F),
                      bytes=moe_bytes(T, d, F, E, k) + S * 3 * d * F * 4))
    for T in (1, 512, 4096):
        c.append(dict(name=f"gating T={T}", case="gating", fn="gating", dims={"T": T},
                      flops=T * 2 * 2048 * 64, bytes=2048 * 64 * 4 + T * 2048 * 4,
                      torch=(baselines.torch_gating, T, 2048, 64, 8)))
        # The unfused path (sluice.gemm + topk_gate; the logits are returned
        # too, which keeps them from fusing) in the same run.
        c.append(dict(name=f"gating unfused T={T}", case="gating", fn="gating_unfused",
                      dims={"T": T},
                      flops=T * 2 * 2048 * 64, bytes=2048 * 64 * 4 + T * 2048 * 4))
    for T in (1, 32, 512):
        c.append(dict(name=f"LoRA base GEMM alone d=4096 T={T}", case="lora", fn="lora_base",
                      dims={"T": T}, flops=T * 2 * 4096 * 4096, bytes=4096 * 4096 * 4,
                      blas=(baselines.numpy_sgemm, T, 4096, 4096, 1)))
        c.append(dict(name=f"LoRA d=4096 r=16 T={T}", case="lora", fn="lora",
                      dims={"T": T}, flops=T * 2 * 4096 * (4096 + 32),
                      bytes=4096 * (4096 + 32) * 4,
                      torch=(baselines.torch_lora, T, 4096, 16),
                      blas=(baselines.numpy_sgemm, T, 4096, 4096, 1)))
    for fn in ("base", "multi_lora"):
        c.append(dict(name=f"multi-LoRA 16x r=16 d=4096 T=64 ({fn})", case="multi_lora",
                      fn=fn, dims={"T": 64},
                      flops=64 * 2 * 4096 * (4096 + (32 if fn != "base" else 0)),
                      bytes=4096 * 4096 * 4 + (16 * 2 * 4096 * 16 * 4 if fn != "base" else 0),
                      torch=(baselines.torch_multi_lora, 64, 4096, 16, 16),
                      blas=(baselines.numpy_sgemm, 64, 4096, 4096, 1)))
    for T in (1, 8):
        for fn, keep in (("mlp_dense", 1.0), ("mlp_sparse50", 0.5), ("mlp_sparse90", 0.1)):
            # At T = 8 the rows a tile reads are the union of 8 tokens' kept
            # inputs: bytes are an upper bound (every row), FLOPs the useful ones.
            c.append(dict(name=f"sparse MLP decode {fn} T={T}", case="sparse_mlp", fn=fn,
                          dims={"T": T}, flops=T * keep * 6 * 4096 * 11008,
                          bytes=(keep if T == 1 else 1.0) * 3 * 4096 * 11008 * 4,
                          torch=(baselines.torch_mlp, T, 4096, 11008)))
    for kind in ("mean", "max", "gem", "last"):
        B, N, D = 32, 1024, 1024
        c.append(dict(name=f"pool {kind} B=32 N=1024 D=1024", case="pooling",
                      fn=f"pool_{kind}", dims={"B": B, "N": N},
                      flops=B * N * D * (1 if kind != "gem" else 3),
                      bytes=B * N * D * 4 if kind != "last" else B * D * 4,
                      torch=(baselines.torch_pool, kind, B, N, D)))
    for fn in ("pool_gem_affine", "pool_gem_affine_unfused"):
        # GeM of x * scale + bias: fused, x is read once (the bytes that must
        # move); unfused, the [B, N, D] intermediate is written and re-read.
        B, N, D = 32, 1024, 1024
        c.append(dict(name=f"pool gem(x*s+b) B=32 N=1024 D=1024 ({fn[9:]})",
                      case="pooling", fn=fn, dims={"B": B, "N": N},
                      flops=B * N * D * 5, bytes=B * N * D * 4))
    return c


def pairs(smoke):
    """The ratio targets: (name, module, A = baseline function, B = measured
    function, dims, target on B / A or None when only reported)."""
    if smoke:
        return [("LoRA smoke over base T=4", "lora_smoke", "lora_smoke_base",
                 "lora_smoke", {"T": 4}, None)]
    p = []
    for T in (1, 32, 512):
        p.append((f"LoRA r=16 over base GEMM d=4096 T={T}", "lora", "lora_base", "lora",
                  {"T": T}, 1.03))
    p.append(("multi-LoRA 16x r=16 over base GEMM d=4096 T=64", "multi_lora", "base",
              "multi_lora", {"T": 64}, 1.10))
    for T in (1, 8):
        # Sparse over dense: the target speedups 1.7x (50%) and 5x (90%).
        p.append((f"sparse MLP 50% over dense T={T}", "sparse_mlp", "mlp_dense",
                  "mlp_sparse50", {"T": T}, 1 / 1.7 if T == 1 else None))
        p.append((f"sparse MLP 90% over dense T={T}", "sparse_mlp", "mlp_dense",
                  "mlp_sparse90", {"T": T}, 1 / 5 if T == 1 else None))
    for T in (1, 512):
        p.append((f"MoE DeepSeek-style shared fused over unfused T={T}", "moe_deepseek",
                  "moe_deepseek_unfused_shared", "moe_deepseek", {"T": T}, None))
    for T in (1, 512, 4096):
        p.append((f"gating fused over unfused T={T}", "gating", "gating_unfused", "gating",
                  {"T": T}, None))
    p.append(("pool gem(x*s+b) fused over unfused B=32 N=1024 D=1024", "pooling",
              "pool_gem_affine_unfused", "pool_gem_affine", {"B": 32, "N": 1024}, None))
    return p


def verdict(pr, target):
    """met / missed / undecided: the 95% interval of B / A against the
    target bound on B / A."""
    if target is None:
        return "-"
    if pr["ratio_ci_hi"] <= target:
        return "met"
    if pr["ratio_ci_lo"] > target:
        return "missed"
    return "undecided"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--smoke", action="store_true", help="tiny shapes (test suite)")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--filter", default="", help="only cases whose name contains this")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--pair-budget-ms", type=float, default=15000,
                    help="wall time of one paired-ratio measurement (at least 11 rounds)")
    ap.add_argument("--no-pairs", action="store_true", help="skip the paired ratios")
    ap.add_argument("--profile", action="store_true",
                    help="also sample each Sluice case with perf (where the time goes)")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    r = Runner(args.build, threads, args.smoke, not args.no_torch)

    machine = json.loads(sh([os.path.join(args.build, "bin", "sluice_machine"),
                             str(max(threads))]))["threads"]
    ceil = {m["n"]: m for m in machine}
    rows = []
    for c in cases(args.smoke):
        if args.filter and args.filter not in c["name"]:
            continue
        for t in threads:
            row = {"case": c["name"], "threads": t, "flops": c["flops"],
                   "bytes": c["bytes"]}
            s = r.sluice(c["case"], c["fn"], c["dims"], t)
            row["sluice"] = s
            if args.profile:
                pdir = os.path.join(args.out, "profiles")
                os.makedirs(pdir, exist_ok=True)
                slug = re.sub(r"[^A-Za-z0-9]+", "_", c["name"]).strip("_")
                row["profile"] = r.profile(c["case"], c["fn"], c["dims"], t,
                                           os.path.join(pdir, f"{slug}-t{t}.txt"))
            if r.torch and "torch" in c:
                fn, *a = c["torch"]
                row["torch"] = r.baseline(fn, t, *a, 20)
            if "blas" in c and not args.smoke:
                fn, *a = c["blas"]
                row["blas"] = r.baseline(fn, t, *a, 20)
            m = ceil[t]
            row["roofline_ms"] = 1e3 * max(c["flops"] / (m["fma_gflops"] * 1e9),
                                           c["bytes"] / (m["triad_gbs"] * 1e9))
            rows.append(row)
            print(f"{c['name']:<40} t={t} sluice {s['median_ms']:.3f} ms"
                  + (f"  torch {row['torch']['median_ms']:.3f} ms" if "torch" in row else ""),
                  file=sys.stderr, flush=True)

    paired = []
    for name, case, fn_a, fn_b, dims, target in ([] if args.no_pairs else pairs(args.smoke)):
        if args.filter and args.filter not in name:
            continue
        for t in threads:
            res = r.pair(case, fn_a, fn_b, dims, t, args.pair_budget_ms)
            pr = res["pair"]
            paired.append({"name": name, "threads": t, "module": case, "a": fn_a,
                           "b": fn_b, "dims": dims, "target": target,
                           "verdict": verdict(pr, target), "sluice": res})
            print(f"{name:<40} t={t} ratio {pr['ratio_median']:.4f} "
                  f"[{pr['ratio_ci_lo']:.4f}, {pr['ratio_ci_hi']:.4f}] "
                  f"({pr['rounds']} rounds)", file=sys.stderr, flush=True)

    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    out = {"date": stamp, "machine": platform.processor() or platform.machine(),
           "ceilings": machine, "rows": rows, "pairs": paired, "smoke": args.smoke}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "latest.json"), "w") as f:
        json.dump(out, f, indent=1)
    lines = [f"Run {stamp}; ceilings measured in the same run: " + "; ".join(
        f"{m['n']} thread(s): FMA {m['fma_gflops']:.0f} GFLOP/s, triad "
        f"{m['triad_gbs']:.1f} GB/s, read {m['read_gbs']:.1f} GB/s" for m in machine),
        "",
        "| case | thr | Sluice ms (first; bind) | GFLOP/s | GB/s | roofline ms | Sluice/roofline | PyTorch ms | PyTorch/Sluice | OpenBLAS ms |",
        "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        s = row["sluice"]["median_ms"]
        torch_ms = row.get("torch", {}).get("median_ms")
        blas_ms = row.get("blas", {}).get("median_ms")
        lines.append(
            f"| {row['case']} | {row['threads']} | {s:.3f} ({row['sluice']['first_ms']:.1f}; "
            f"{row['sluice'].get('bind_ms', 0):.0f}) | "
            f"{row['flops'] / s / 1e6:.1f} | {row['bytes'] / s / 1e6:.1f} | "
            f"{row['roofline_ms']:.3f} | {s / row['roofline_ms']:.1f}x | "
            + (f"{torch_ms:.3f} | {torch_ms / s:.2f}x" if torch_ms else "- | -")
            + (f" | {blas_ms:.3f} |" if blas_ms else " | - |"))
    if paired:
        lines += ["", "Paired ratios (B over A: one process alternates A and B after warm-up, "
                  "one ratio per round; median of the rounds and its 95% confidence interval "
                  "from order statistics; verdict against the interval):", "",
                  "| ratio | thr | rounds | A ms | B ms | B/A wall [95% CI] | B/A CPU [95% CI] "
                  "| target | verdict |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for p in paired:
            res, pr = p["sluice"], p["sluice"]["pair"]
            tgt = f"<= {p['target']:.3f}" if p["target"] is not None else "-"
            lines.append(
                f"| {p['name']} | {p['threads']} | {pr['rounds']} | {res['median_ms']:.3f} | "
                f"{pr['b']['median_ms']:.3f} | {pr['ratio_median']:.4f} "
                f"[{pr['ratio_ci_lo']:.4f}, {pr['ratio_ci_hi']:.4f}] | "
                f"{pr['cpu_ratio_median']:.4f} [{pr['cpu_ratio_ci_lo']:.4f}, "
                f"{pr['cpu_ratio_ci_hi']:.4f}] | {tgt} | {p['verdict']} |")
    if any(row.get("profile") for row in rows):
        lines += ["", "Where the time goes (perf record -e cpu-clock over the same steady-state "
                  "calls; top functions, % of samples; full reports in results/profiles/):", "",
                  "| case | thr | top functions |", "|---|---|---|"]
        for row in rows:
            if row.get("profile"):
                top = "; ".join(f"{pct:.0f}% {sym} ({os.path.basename(dso)})"
                                for pct, dso, sym in row["profile"][:5])
                lines.append(f"| {row['case']} | {row['threads']} | {top} |")
    table = "\n".join(lines)
    with open(os.path.join(args.out, "latest.md"), "w") as f:
        f.write(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
