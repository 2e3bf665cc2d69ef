//===- FileIO.h - checked file access for tensor files ----------*- C++ -*-===//
//
// Reading at offsets that are checked against the file size, and writing a
// file in full, with one-line error messages that name the file.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_RUNTIME_FILEIO_H
#define SLUICE_RUNTIME_FILEIO_H

#include "sluice/runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice {
namespace rt {

/// A regular file opened for reading; knows its size.
class InputFile {
public:
  InputFile() = default;
  ~InputFile();
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;

  /// Opens `path`; records an error naming `fn` and the path on failure
  /// (SLUICE_ERROR_NOT_FOUND if missing, SLUICE_ERROR_IO otherwise).
  sluice_status_t open(const char *fn, const char *path);

  uint64_t size() const { return fileSize; }

  /// Reads exactly `count` bytes at `offset` into `dst`; the range must lie
  /// in the file (checked). Records an error mentioning `what` on failure.
  sluice_status_t readAt(uint64_t offset, void *dst, size_t count,
                         const char *what);

private:
  int fd = -1;
  uint64_t fileSize = 0;
  std::string fn;
  std::string path;
};

/// Writes `size` bytes at the end of a file being created; on error removes
/// the file.
class OutputFile {
public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile &) = delete;
  OutputFile &operator=(const OutputFile &) = delete;

  /// Creates (truncates) `path`.
  sluice_status_t create(const char *fn, const char *path);
  sluice_status_t write(const void *data, size_t size);
  /// Closes the file; reports a failing close.
  sluice_status_t close();

private:
  int fd = -1;
  std::string fn;
  std::string path;
};

} // namespace rt
} // namespace sluice

#endif // SLUICE_RUNTIME_FILEIO_H
