//===- Status.h - error reporting of the Sluice runtime ---------*- C++ -*-===//
//
// The per-thread last-error message behind sluice_last_error(), helpers that
// format a one-line message and return its status, and the slot that
// collects errors raised by compiled code (sluice_rt_error) during a run.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_STATUS_H
#define SLUICE_RUNTIME_STATUS_H

#include "sluice/runtime.h"

#include <mutex>
#include <string>

namespace sluice {
namespace rt {

/// Formats like printf into a std::string.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/// Records `message` (newlines become spaces) as this thread's last error and
/// returns `status`.
sluice_status_t fail(sluice_status_t status, const std::string &message);

/// Formats and records an error; returns `status`.
sluice_status_t failf(sluice_status_t status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/// Clears this thread's last error (every API entry point that returns a
/// status calls it first).
void clearError();

/// Collects the first error raised by compiled code during one run. Worker
/// threads of the pool report into the slot of the thread that submitted the
/// work.
class RunErrorSlot {
public:
  /// Records `msg` unless an error was recorded already.
  void raise(const char *msg);
  /// Whether an error was recorded (call after the run returned).
  bool raised() const { return hasError; }
  const std::string &message() const { return text; }

private:
  std::mutex mutex;
  bool hasError = false;
  std::string text;
};

/// The slot sluice_rt_error reports into on this thread (null outside runs).
RunErrorSlot *currentRunErrorSlot();
/// Installs `slot` for this thread; returns the previous one.
RunErrorSlot *setCurrentRunErrorSlot(RunErrorSlot *slot);

/// Installs a slot for the lifetime of a scope.
class ScopedRunErrorSlot {
public:
  explicit ScopedRunErrorSlot(RunErrorSlot *slot)
      : previous(setCurrentRunErrorSlot(slot)) {}
  ~ScopedRunErrorSlot() { setCurrentRunErrorSlot(previous); }
  ScopedRunErrorSlot(const ScopedRunErrorSlot &) = delete;
  ScopedRunErrorSlot &operator=(const ScopedRunErrorSlot &) = delete;

private:
  RunErrorSlot *previous;
};

} // namespace rt
} // namespace sluice

/// Returns SLUICE_ERROR_INVALID_ARGUMENT from the enclosing API function when
/// a required pointer argument is null.
#define SLUICE_CHECK_ARG(ptr, fn)                                              \
  do {                                                                         \
    if (!(ptr))                                                                \
      return ::sluice::rt::fail(SLUICE_ERROR_INVALID_ARGUMENT,                 \
                                fn ": argument '" #ptr "' is null");           \
  } while (false)

#endif // SLUICE_RUNTIME_STATUS_H
