#!/usr/bin/env python3
"""Runs on the GPU machine: every `sluicec run` of the device tests and every
forward example run of test/CUDA/examples*.test on the real device, plainly
or under compute-sanitizer memcheck. Prints failures and a summary."""
import concurrent.futures as cf, glob, os, re, subprocess, sys

mode = sys.argv[1]            # plain | sanitize
root = "/work/main"
B = root + "/build-static/bin/sluicec"
cmds = []
for f in sorted(glob.glob(root + "/test/Integration/CUDA/*-device.test")):
    d = os.path.dirname(f)
    for line in open(f):
        m = re.search(r"RUN: (sluicec run .*)", line)
        if not m or "%t" in m.group(1):
            continue
        c = m.group(1).split(" | ")[0].replace("%S", d)
        cmds.append(c.replace("sluicec", B, 1))
for f in sorted(glob.glob(root + "/test/CUDA/examples*.test")):
    for line in open(f):
        m = re.search(r"RUN: (sluicec run [^>|]*)", line)
        if not m or "--cuda-emulate=" in m.group(1) or "--cuda-emulate" not in m.group(1):
            continue
        c = m.group(1).strip().replace("%sluice_src_root", root).replace("--cuda-emulate", "--target=cuda")
        cmds.append(c.replace("sluicec", B, 1))
if len(sys.argv) > 2:
    cmds = [c for c in cmds if re.search(sys.argv[2], c)]
cmds = sorted(set(cmds))
cs = "/usr/local/cuda/bin/compute-sanitizer --tool memcheck --print-limit 3 --error-exitcode 99 "

def run(c):
    full = (cs + c) if mode == "sanitize" else c
    p = subprocess.run(full, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=300, env=dict(os.environ, SLUICE_NUM_THREADS="1"))
    out = p.stdout
    bad = (p.returncode != 0 or "FAILED" in out or "Invalid" in out
           or ("--check" in c and not re.search(r"check \S+: ok", out)))
    return c, p.returncode, bad, out

fails = 0
with open(os.environ.get("OUT", "/tmp") + "/sweep-%s.log" % mode, "w") as log:
    with cf.ThreadPoolExecutor(16) as ex:
        for c, rc, bad, out in ex.map(run, cmds):
            log.write("### rc=%d %s\n%s\n" % (rc, c, out[-3000:]))
            if bad:
                fails += 1
                lines = [l for l in out.splitlines() if "=====" in l or "error" in l or "FAILED" in l][:8]
                print("FAIL rc=%d %s\n  %s" % (rc, c.replace(B, "sluicec").replace(root + "/", ""), "\n  ".join(lines)))
print("%s: %d commands, %d failed" % (mode, len(cmds), fails))
