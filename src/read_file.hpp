// Reading a whole file into memory, with the errors every file reader of clientrisk gives.
// Internal to the compiled library.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>

#include "clientrisk/error.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {

// The bytes of the file at path; IoError naming the path when it is empty, a directory,
// cannot be opened or cannot be read. what names the kind of file ("an event file").
inline std::string read_whole_file(const std::string& path, const char* what) {
  if (path.empty()) throw IoError(std::string("cannot open ") + what + " with an empty name");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw IoError(path + ": is a directory, not a file");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw IoError(path + ": cannot open: " + std::strerror(errno));
  std::string bytes;
  if (S_ISREG(st.st_mode)) bytes.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) bytes.append(buf, n);
  if (std::ferror(f.get())) throw IoError(path + ": cannot read: " + std::strerror(errno));
  return bytes;
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
