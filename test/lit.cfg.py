# -*- Python -*-
# lit configuration of the Sluice regression suite.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Sluice"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sluice_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Every FileCheck variable is scoped to its CHECK-LABEL block.
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

config.substitutions.append(("%sluice_src_root", config.sluice_src_root))
config.substitutions.append(("%sluice_obj_root", config.sluice_obj_root))

tool_dirs = [config.sluice_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["sluice-opt", "sluicec"], tool_dirs)

# Compiled modules of `sluicec run` are cached inside the build tree.
config.environment["SLUICE_CACHE_DIR"] = os.path.join(
    config.sluice_obj_root, "test", "module-cache")
# Tests run on one thread unless they ask for more.
config.environment["SLUICE_NUM_THREADS"] = "1"
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%cc", "cc"))
config.substitutions.append(("%cxx", "c++"))
config.substitutions.append(("%runtime_include",
    os.path.join(config.sluice_src_root, "runtime", "include")))
config.substitutions.append(("%libdir", os.path.join(config.sluice_obj_root, "lib")))

# CUDA (docs/cuda-runtime.md). `cuda-device` is set only when the runtime's
# own probe finds a device now, at test time; tests that need a GPU say
# `REQUIRES: cuda-device` and are UNSUPPORTED elsewhere. The probe sees the
# environment the tests get: the default driver, no SLUICE_CUDA_DRIVER.
import subprocess

cuda_probe = os.path.join(config.sluice_tools_dir, "sluice-cuda-status")
if os.path.exists(cuda_probe):
    probe_env = dict(os.environ)
    probe_env.pop("SLUICE_CUDA_DRIVER", None)
    try:
        probe = subprocess.run([cuda_probe], env=probe_env, timeout=120,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
        lit_config.note(probe.stdout.strip())
        if probe.returncode == 0:
            config.available_features.add("cuda-device")
    except (OSError, subprocess.SubprocessError) as e:
        lit_config.note("cuda: probe failed: %s" % e)
config.substitutions.append(("%fake_cuda", os.path.join(
    config.sluice_obj_root, "test", "Unit", "Runtime", "libsluice_fake_cuda.so")))
# Upstream's mlir-opt (mlir-22-tools): absent on a GPU machine that runs a
# statically linked sluicec (docs/cuda-runtime.md, "Running the device tests").
if os.path.exists(os.path.join(config.llvm_tools_dir, "mlir-opt")):
    config.available_features.add("mlir-opt")
cuda_stub = "/usr/local/cuda/lib64/stubs/libcuda.so"
if os.path.exists(cuda_stub):
    config.available_features.add("cuda-stub-library")
    config.substitutions.append(("%cuda_stub", cuda_stub))
llvm_config.add_tool_substitutions(["sluice-cuda-status", "sluice-fake-cuda-launch"],
                                  tool_dirs)
