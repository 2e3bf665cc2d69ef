//===- Invoke.cpp - calling MLIR C-interface wrappers ---------------------===//
//
// A table of callers generated from index sequences: entry N casts the
// function to `void (*)(void *, ... N times)` and passes args[0..N).
//
//===----------------------------------------------------------------------===//

#include "runtime/Invoke.h"
#include "runtime/Signature.h"

#include <array>
#include <utility>

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "invokePointerArgs relies on the x86-64 or AArch64 C calling convention"
#endif

using namespace sluice::rt;

namespace {
using Caller = void (*)(void (*)(), void *const *);

template <size_t I> using PointerArg = void *;

template <size_t... I>
void callWith(void (*fn)(), void *const *args, std::index_sequence<I...>) {
  using Fn = void (*)(PointerArg<I>...);
  reinterpret_cast<Fn>(fn)(args[I]...);
}

template <size_t N> void callExact(void (*fn)(), void *const *args) {
  callWith(fn, args, std::make_index_sequence<N>());
}

template <size_t... N>
constexpr std::array<Caller, sizeof...(N)>
makeCallers(std::index_sequence<N...>) {
  return {{&callExact<N>...}};
}

constexpr size_t kExactArgs = 64;
constexpr auto kCallers =
    makeCallers(std::make_index_sequence<kExactArgs + 1>());

/// Pads `args` with nulls to `Wide` arguments and calls through that
/// prototype.
template <size_t Wide>
void callWide(void (*fn)(), void *const *args, size_t count) {
  std::array<void *, Wide> padded{};
  for (size_t i = 0; i < count; ++i)
    padded[i] = args[i];
  callExact<Wide>(fn, padded.data());
}
} // namespace

void sluice::rt::invokePointerArgs(void (*fn)(), void *const *args,
                                   size_t count) {
  static_assert(kMaxCallArgs == 1024, "update the wide callers");
  if (count <= kExactArgs)
    kCallers[count](fn, args);
  else if (count <= 128)
    callWide<128>(fn, args, count);
  else if (count <= 256)
    callWide<256>(fn, args, count);
  else if (count <= 512)
    callWide<512>(fn, args, count);
  else if (count <= 1024)
    callWide<1024>(fn, args, count);
}
