//===- Invoke.h - calling MLIR C-interface wrappers -------------*- C++ -*-===//
//
// Calls `_mlir_ciface_<name>(void *out, void *a0, ..., void *aN-1)` with a
// run-time number of pointer arguments.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_INVOKE_H
#define SLUICE_RUNTIME_INVOKE_H

#include <cstddef>

namespace sluice {
namespace rt {

/// Calls `fn` with the `count` pointers of `args` (count <= kMaxCallArgs).
/// Functions of up to 64 arguments are called through their exact
/// prototype; wider ones through a prototype with more trailing pointer
/// arguments, which the C calling conventions of x86-64 (System V) and
/// AArch64 (AAPCS64) allow (caller-cleaned stack, arguments in order).
void invokePointerArgs(void (*fn)(), void *const *args, size_t count);

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_INVOKE_H
