//===- Status.cpp - error reporting of the Sluice runtime -----------------===//
//
// Thread-local last-error messages, status names and sluice_rt_error.
//
//===----------------------------------------------------------------------===//

#include <string>
#include "runtime/Status.h"

#include <cstdarg>
#include <cstdio>

using namespace sluice::rt;

namespace {
thread_local std::string lastError;
thread_local RunErrorSlot *currentSlot = nullptr;

std::string vformat(const char *fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0)
    return std::string();
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(&out[0], out.size(), fmt, args);
  out.resize(static_cast<size_t>(n));
  return out;
}

/// Keeps messages on one line.
std::string oneLine(const std::string &message) {
  std::string out = message;
  for (char &c : out)
    if (c == '\n' || c == '\r')
      c = ' ';
  return out;
}
} // namespace

std::string sluice::rt::format(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::string out = vformat(fmt, args);
  va_end(args);
  return out;
}

sluice_status_t sluice::rt::fail(sluice_status_t status,
                                 const std::string &message) {
  lastError = oneLine(message);
  return status;
}

sluice_status_t sluice::rt::failf(sluice_status_t status, const char *fmt,
                                  ...) {
  va_list args;
  va_start(args, fmt);
  std::string message = vformat(fmt, args);
  va_end(args);
  return fail(status, message);
}

void sluice::rt::clearError() { lastError.clear(); }

void RunErrorSlot::raise(const char *msg) {
  std::lock_guard<std::mutex> lock(mutex);
  if (hasError)
    return;
  hasError = true;
  text = oneLine(msg ? msg : "(null message)");
  if (text.empty())
    text = "(empty message)";
}

RunErrorSlot *sluice::rt::currentRunErrorSlot() { return currentSlot; }

RunErrorSlot *sluice::rt::setCurrentRunErrorSlot(RunErrorSlot *slot) {
  RunErrorSlot *previous = currentSlot;
  currentSlot = slot;
  return previous;
}

extern "C" {

SLUICE_API const char *sluice_last_error(void) { return lastError.c_str(); }

SLUICE_API const char *sluice_status_string(sluice_status_t status) {
  switch (status) {
  case SLUICE_OK:
    return "SLUICE_OK";
  case SLUICE_ERROR_INVALID_ARGUMENT:
    return "SLUICE_ERROR_INVALID_ARGUMENT";
  case SLUICE_ERROR_NOT_FOUND:
    return "SLUICE_ERROR_NOT_FOUND";
  case SLUICE_ERROR_IO:
    return "SLUICE_ERROR_IO";
  case SLUICE_ERROR_FORMAT:
    return "SLUICE_ERROR_FORMAT";
  case SLUICE_ERROR_SHAPE:
    return "SLUICE_ERROR_SHAPE";
  case SLUICE_ERROR_DTYPE:
    return "SLUICE_ERROR_DTYPE";
  case SLUICE_ERROR_RUNTIME:
    return "SLUICE_ERROR_RUNTIME";
  case SLUICE_ERROR_OUT_OF_MEMORY:
    return "SLUICE_ERROR_OUT_OF_MEMORY";
  case SLUICE_ERROR_DEVICE:
    return "SLUICE_ERROR_DEVICE";
  }
  return "SLUICE_ERROR_UNKNOWN";
}

SLUICE_API void sluice_rt_error(const char *msg, int64_t v0, int64_t v1) {
  // "{0}" and "{1}" in the message stand for v0 and v1 (docs/abi.md).
  std::string text;
  for (const char *m = msg ? msg : "(null message)"; *m; ++m) {
    if (m[0] == '{' && (m[1] == '0' || m[1] == '1') && m[2] == '}') {
      text += std::to_string(m[1] == '0' ? v0 : v1);
      m += 2;
    } else {
      text += *m;
    }
  }
  if (RunErrorSlot *slot = currentSlot) {
    slot->raise(text.c_str());
    return;
  }
  // Outside a run (a module's function called directly): keep the message
  // where the caller can see it.
  lastError = oneLine(text.c_str());
}

} // extern "C"
