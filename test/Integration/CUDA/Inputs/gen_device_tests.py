#!/usr/bin/env python3
"""Generates test/Integration/CUDA/<op>-device.test from the CPU-emulation
tests test/CUDA/emulate-<op>.test: every forward `--cuda-emulate` run line
becomes the same run on the device (`--target=cuda`), checked against the
reference evaluator with the same CHECK lines. Functions that do not compile
for the device (an op of theirs has no CUDA schedule yet; the emulation runs
those on the CPU lowering) are listed in the file's header instead.

Which functions compile is found by running each line once on the fake
driver (no numbers: the fake does not execute generated kernels).

It also writes test/CUDA/run-fake-<op>.test: the same runs on the fake
driver executing the generated kernels' CPU build (SLUICE_FAKE_CUDA_KERNELS,
built per function with --emit=fake-kernels), so the whole host path (device
buffers, copies, launches, parameters, downloads) is checked against the
reference evaluator without a GPU.

usage: gen_device_tests.py SLUICEC FAKE_DRIVER REPO_ROOT [OP...]
(with OPs, e.g. `moe route`, only those ops' files are rewritten)
"""
import os, re, subprocess, sys, tempfile

sluicec, fake, root = sys.argv[1:4]
only = set(sys.argv[4:])
src_dir = os.path.join(root, "test", "CUDA")
out_dir = os.path.join(root, "test", "Integration", "CUDA")
env = dict(os.environ, SLUICE_CUDA_DRIVER=fake,
           SLUICE_CACHE_DIR=tempfile.mkdtemp(prefix="sluice-gen-"))
compiles = {}
no_kernels = {}

def compiles_for_cuda(model, function):
    key = (model, function)
    if key not in compiles:
        args = [sluicec, "run", model, "--target=cuda"]
        if function:
            args.append("--function=" + function)
        r = subprocess.run(args + ["--random-weights"], env=env,
                           capture_output=True, text=True)
        err = r.stderr.strip().splitlines()
        compiles[key] = (r.returncode == 0 or "no CUDA schedule" not in
                         r.stderr, err[0] if err else "")
    return compiles[key]

for name in sorted(os.listdir(src_dir)):
    m = re.match(r"emulate-(.*)\.test$", name)
    if not m or m.group(1) == "coverage":
        continue
    op = m.group(1)
    if only and op not in only:
        continue
    kept, skipped, fake, built, skippedFiles = [], {}, [], set(), []
    built_fake = set()
    for line in open(os.path.join(src_dir, name)):
        line = line.rstrip("\n")
        if "RUN:" in line and "%python" in line:
            if any(f in line for f in skippedFiles):
                continue  # checks an output of a run that is not made
            kept.append(line)  # inputs written / outputs checked with numpy
            fake.append(line)
            continue
        if "--cuda-emulate " not in line or "sluicec run" not in line:
            continue
        model = re.search(r"sluicec run (\S+)", line).group(1)
        fn = re.search(r"--function=(\S+)", line)
        fn = fn.group(1) if fn else ""
        path = model.replace("%S/..", os.path.join(root, "test")).replace(
            "%S/", os.path.join(root, "test", "CUDA") + "/")
        ok, why = compiles_for_cuda(path, fn)
        if not ok:
            skipped[fn or "(first)"] = why
            skippedFiles += re.findall(r"--output \S+?=(\S+)", line)
            continue
        line = line.replace("--cuda-emulate ", "--target=cuda ")
        if fn:
            lead = line[:line.index("RUN:")]
            tag = os.path.basename(model).replace(".mlir", "") + "." + fn
            if tag not in built:
                built.add(tag)
                # A function that launches no kernel (e.g. k = 0) has no
                # kernels to build for the fake: run it through the host
                # path without them.
                ext = subprocess.run([sys.executable, os.path.join(root, "test", "CUDA", "Inputs", "extract_func.py"),
                                      path, fn], capture_output=True, text=True)
                with tempfile.NamedTemporaryFile("w", suffix=".mlir", delete=False) as tf:
                    tf.write(ext.stdout)
                no_kernels[tag] = subprocess.run(
                    [sluicec, "compile", "--target=cuda", "--emit=fake-kernels", tf.name,
                     "-o", tf.name + ".so"], capture_output=True, text=True).returncode != 0
            if no_kernels[tag]:
                fake.append(line.replace("sluicec run", "env SLUICE_CUDA_DRIVER=%fake_cuda sluicec run", 1)
                            .replace("FileCheck %s", "FileCheck %S/" + name))
                line = line.replace("%S/../Integration/CPU/", "%S/../CPU/")
                line = line.replace("%S/Inputs/", "%S/../../CUDA/Inputs/")
                line = line.replace("FileCheck %s", "FileCheck %S/../../CUDA/" + name)
                kept.append(line)
                continue
            if tag not in built_fake:
                built_fake.add(tag)
                fake.append("%sRUN: %%python %%S/Inputs/extract_func.py %s %s > %%t.%s.mlir"
                            % (lead, model, fn, tag))
                fake.append("%sRUN: sluicec compile --target=cuda --emit=fake-kernels %%t.%s.mlir -o %%t.%s.so"
                            % (lead, tag, tag))
            fake.append(line.replace("sluicec run", "env SLUICE_CUDA_DRIVER=%%fake_cuda SLUICE_FAKE_CUDA_KERNELS=%%t.%s.so sluicec run" % tag, 1)
                        .replace("FileCheck %s", "FileCheck %S/" + name))
        line = line.replace("%S/../Integration/CPU/", "%S/../CPU/")
        line = line.replace("%S/Inputs/", "%S/../../CUDA/Inputs/")
        line = line.replace("FileCheck %s", "FileCheck %S/../../CUDA/" + name)
        kept.append(line)
    with open(os.path.join(out_dir, op + "-device.test"), "w") as f:
        f.write("// %s on a real GPU: every forward run of test/CUDA/%s on the\n" % (op, name))
        f.write("// device (sluicec run --target=cuda, inputs copied to device buffers)\n")
        f.write("// against the reference evaluator at the --check tolerance (1e-4).\n")
        f.write("// UNSUPPORTED, never PASS, without a CUDA device. Generated by\n")
        f.write("// Inputs/gen_device_tests.py.\n")
        if skipped:
            f.write("//\n// Not run on the device (an op without a CUDA schedule):\n")
            for k, v in sorted(skipped.items()):
                f.write("//   %s: %s\n" % (k, v.split(": error: ")[-1][:110]))
        f.write("\n// REQUIRES: cuda-device\n")
        for line in kept:
            f.write(line + "\n")
    with open(os.path.join(src_dir, "run-fake-" + op + ".test"), "w") as f:
        f.write("// %s through sluicec run --target=cuda on the fake driver executing\n" % op)
        f.write("// the generated kernels' CPU build: every forward run of %s, the\n" % name)
        f.write("// host path (device buffers, copies, launches with the memref ABI,\n")
        f.write("// downloads) checked against the reference evaluator. Generated by\n")
        f.write("// test/Integration/CUDA/Inputs/gen_device_tests.py.\n")
        if skipped:
            f.write("// Functions with an op without a CUDA schedule are not run: %s.\n"
                    % ", ".join(sorted(skipped)))
        f.write("\n")
        for line in fake:
            f.write(line + "\n")
    print(op, len(kept), "runs,", len(skipped), "functions skipped")
