//===- FileIO.cpp - checked file access for tensor files ------------------===//
//
// POSIX open/fstat/pread/write with bounds checks and error messages.
//
//===----------------------------------------------------------------------===//

#include "runtime/FileIO.h"
#include "runtime/Status.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace sluice::rt;

InputFile::~InputFile() {
  if (fd >= 0)
    ::close(fd);
}

sluice_status_t InputFile::open(const char *fnName, const char *filePath) {
  fn = fnName;
  path = filePath;
  fd = ::open(filePath, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return failf(err == ENOENT ? SLUICE_ERROR_NOT_FOUND : SLUICE_ERROR_IO,
                 "%s: %s: cannot open: %s", fnName, filePath,
                 std::strerror(err));
  }
  struct stat st;
  if (fstat(fd, &st) != 0)
    return failf(SLUICE_ERROR_IO, "%s: %s: cannot stat: %s", fnName, filePath,
                 std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return failf(SLUICE_ERROR_IO, "%s: %s: not a regular file", fnName,
                 filePath);
  fileSize = static_cast<uint64_t>(st.st_size);
  return SLUICE_OK;
}

sluice_status_t InputFile::readAt(uint64_t offset, void *dst, size_t count,
                                  const char *what) {
  if (offset > fileSize || count > fileSize - offset)
    return failf(SLUICE_ERROR_FORMAT,
                 "%s: %s: truncated: %s needs bytes [%llu, %llu) but the "
                 "file has %llu bytes",
                 fn.c_str(), path.c_str(), what,
                 static_cast<unsigned long long>(offset),
                 static_cast<unsigned long long>(offset + count),
                 static_cast<unsigned long long>(fileSize));
  char *out = static_cast<char *>(dst);
  while (count > 0) {
    size_t chunk = count < (size_t(1) << 30) ? count : (size_t(1) << 30);
    ssize_t n = ::pread(fd, out, chunk, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return failf(SLUICE_ERROR_IO, "%s: %s: read error in %s: %s", fn.c_str(),
                   path.c_str(), what, std::strerror(errno));
    if (n == 0)
      return failf(SLUICE_ERROR_IO, "%s: %s: unexpected end of file in %s",
                   fn.c_str(), path.c_str(), what);
    out += n;
    count -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return SLUICE_OK;
}

OutputFile::~OutputFile() {
  if (fd >= 0) {
    // Not closed explicitly: an error path. Drop the partial file.
    ::close(fd);
    ::unlink(path.c_str());
  }
}

sluice_status_t OutputFile::create(const char *fnName, const char *filePath) {
  fn = fnName;
  path = filePath;
  fd = ::open(filePath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    return failf(err == ENOENT ? SLUICE_ERROR_NOT_FOUND : SLUICE_ERROR_IO,
                 "%s: %s: cannot create: %s", fnName, filePath,
                 std::strerror(err));
  }
  return SLUICE_OK;
}

sluice_status_t OutputFile::write(const void *data, size_t size) {
  const char *in = static_cast<const char *>(data);
  while (size > 0) {
    size_t chunk = size < (size_t(1) << 30) ? size : (size_t(1) << 30);
    ssize_t n = ::write(fd, in, chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return failf(SLUICE_ERROR_IO, "%s: %s: write error: %s", fn.c_str(),
                   path.c_str(), n < 0 ? std::strerror(errno) : "no progress");
    in += n;
    size -= static_cast<size_t>(n);
  }
  return SLUICE_OK;
}

sluice_status_t OutputFile::close() {
  int result = ::close(fd);
  fd = -1;
  if (result != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return failf(SLUICE_ERROR_IO, "%s: %s: close failed: %s", fn.c_str(),
                 path.c_str(), std::strerror(err));
  }
  return SLUICE_OK;
}
