"""Prints a module holding only function NAME of an integration test model:
extract_func.py FILE NAME. The function runs from its `func.func @NAME(`
line to the next line that is exactly `}` (the models' formatting), so one
function of a model whose other functions use ops without a CUDA schedule
can be compiled with --target=cuda (test/CUDA/fake-models.test)."""
import sys

path, name = sys.argv[1], sys.argv[2]
out, inside = [], False
for line in open(path):
    if line.startswith("func.func @%s(" % name):
        inside = True
    if inside:
        out.append(line)
        if line.rstrip("\n") == "}":
            break
if not out:
    sys.exit("extract_func.py: no function @%s in %s" % (name, path))
sys.stdout.write("".join(out))
