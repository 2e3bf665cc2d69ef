"""Writes the PTX of the first gpu.object `assembly = "..."` in the IR read
from stdin (mlir-opt --gpu-module-to-binary=format=isa) to stdout."""
import re
import sys

text = sys.stdin.read()
match = re.search(r'assembly = "((?:[^"\\]|\\.)*)"', text)
if not match:
    sys.exit("extract_ptx.py: no gpu.object with an assembly string")
# MLIR escapes non-printable bytes as \XX (two hex digits) and '\\', '"'.
ptx = re.sub(r'\\([0-9A-Fa-f]{2}|\\|")',
             lambda m: m.group(1) if m.group(1) in ('\\', '"')
             else chr(int(m.group(1), 16)), match.group(1))
sys.stdout.write(ptx)
