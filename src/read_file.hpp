// Reading files, with the errors every file reader of clientrisk gives. Internal to the
// compiled library.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {

// A file open for reading. IoError naming the path when the name is empty, it is a directory
// or it cannot be opened; what names the kind of file ("an event file").
class InputFile {
 public:
  InputFile(const std::string& path, const char* what) : path_(path) {
    if (path.empty()) throw IoError(std::string("cannot open ") + what + " with an empty name");
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError(path + ": cannot open: " + std::strerror(errno));
    const bool stated = ::fstat(fd_, &st_) == 0;
    const int err = errno;
    if (!stated || S_ISDIR(st_.st_mode)) {
      ::close(fd_);
      throw IoError(path + (stated ? ": is a directory, not a file" : ": cannot read: " + std::string(std::strerror(err))));
    }
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { ::close(fd_); }

  // A regular file has a size and can be read at any offset; a pipe or a terminal cannot.
  bool regular() const { return S_ISREG(st_.st_mode); }
  std::uint64_t size() const { return static_cast<std::uint64_t>(st_.st_size); }
  const std::string& path() const { return path_; }

  // Reads up to n bytes at offset (of a regular file) into dst; fewer only at the end of the file.
  std::size_t read_at(std::uint64_t offset, char* dst, std::size_t n) const {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, dst + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail("cannot read");
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

  // Every byte, from where the file stands to its end.
  std::string read_all() const {
    std::string bytes;
    if (regular()) bytes.reserve(static_cast<std::size_t>(size()));
    char buf[1 << 16];
    for (;;) {
      const ssize_t got = ::read(fd_, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail("cannot read");
      if (got == 0) return bytes;
      bytes.append(buf, static_cast<std::size_t>(got));
    }
  }

 private:
  [[noreturn]] void fail(const char* doing) const { throw IoError(path_ + ": " + doing + ": " + std::strerror(errno)); }

  std::string path_;
  int fd_ = -1;
  struct stat st_ {};
};

// The bytes of the file at path, with the errors of InputFile.
inline std::string read_whole_file(const std::string& path, const char* what) { return InputFile(path, what).read_all(); }

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
