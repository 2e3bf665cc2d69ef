"""Writes the .npy / .safetensors files of the driver's bad-input tests."""
import json
import struct
import sys

import numpy as np

out = sys.argv[1]
np.save(f"{out}/x.npy", np.ones((3, 8), np.float32))
np.save(f"{out}/x_shape.npy", np.zeros((3, 7), np.float32))
np.save(f"{out}/x_i32.npy", np.zeros((3, 8), np.int32))
np.save(f"{out}/x_f64.npy", np.full((3, 8), 0.5, np.float64))
np.save(f"{out}/x_sym.npy", np.ones((4, 8), np.float32))
np.save(f"{out}/experts_bad.npy", np.array([[0, 1], [2, 9], [1, 1]], np.int32))
raw = open(f"{out}/x.npy", "rb").read()
open(f"{out}/x_trunc.npy", "wb").write(raw[:100])
open(f"{out}/x_magic.npy", "wb").write(b"\x93NUMPX" + raw[6:])


def safetensors(path, tensors, header_override=None):
    header, blobs, off = {}, b"", 0
    for name, arr in tensors.items():
        data = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [off, off + len(data)]}
        blobs += data
        off += len(data)
    h = header_override if header_override is not None else json.dumps(header).encode()
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + blobs)


rng = np.random.default_rng(0)
w_gate = rng.standard_normal((4, 8, 16)).astype(np.float32)
w_down = rng.standard_normal((4, 16, 8)).astype(np.float32)
safetensors(f"{out}/w.safetensors", {"w_gate": w_gate, "w_down": w_down})
safetensors(f"{out}/w_missing.safetensors", {"w_gate": w_gate})
safetensors(f"{out}/w_corrupt.safetensors", {"w_gate": w_gate, "w_down": w_down},
            header_override=b'{"w_gate": {"dtype": "F32", "shape": [4, 8, 16]')
safetensors(f"{out}/w_shape.safetensors",
            {"w_gate": w_gate[:, :4, :].copy(), "w_down": w_down})
