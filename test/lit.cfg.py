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
config.substitutions.append(("%runtime_include",
    os.path.join(config.sluice_src_root, "runtime", "include")))
config.substitutions.append(("%libdir", os.path.join(config.sluice_obj_root, "lib")))
