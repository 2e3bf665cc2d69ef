"""Writes a 1-D .npy (format 1.0) without NumPy: make_npy.py OUT DTYPE N EXPR

DTYPE is i4 or f4; element i is eval(EXPR) with `i` bound (e.g. "127 - i % 128").
Used by test/CUDA/fake-*.test for independently computed expected outputs.
"""
import struct
import sys

out, dtype, n, expr = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fmt = {"i4": "<i", "f4": "<f"}[dtype]
header = "{'descr': '<%s', 'fortran_order': False, 'shape': (%d,), }" % (dtype, n)
pad = 64 - (10 + len(header) + 1) % 64
header = header + " " * pad + "\n"
with open(out, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    for i in range(n):
        f.write(struct.pack(fmt, eval(expr, {"i": i})))
