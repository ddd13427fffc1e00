// The envelope of every clientrisk file and the atomic save. Internal to the compiled library.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "clientrisk/persist.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {

std::string_view kind_name(PayloadKind k);

// CRC-32C (Castagnoli) of bytes: the CPU's instruction where it has one, else Boost.CRC
// (crc32c_portable); both give the same value. previous is the CRC of the bytes before, so
// that crc32c(b, crc32c(a)) == crc32c(a + b).
std::uint32_t crc32c(std::string_view bytes, std::uint32_t previous = 0);
std::uint32_t crc32c_portable(std::string_view bytes, std::uint32_t previous = 0);

// "clientrisk-file VERSION KIND ARCHIVE LENGTH CRC32C\n": the line written before payload; its
// length depends on the payload's length only.
std::string envelope_line(PayloadKind kind, ArchiveFormat format, std::string_view payload);
std::string envelope_line(PayloadKind kind, ArchiveFormat format, std::uint64_t length, std::uint32_t crc);

// What the envelope line says, checked against the size of the file.
struct Envelope {
  ArchiveFormat format;
  std::size_t payload_offset;  // the length of the envelope line
  std::uint64_t length;        // of the payload
  std::uint32_t crc;           // of the payload
  PayloadKind kind;
};

// Checks the envelope line at the start of head (the file's first bytes) and that the file's
// size is the line's and the payload's; FileFormatError naming the file otherwise.
Envelope read_envelope(std::string_view head, std::uint64_t file_size, std::string_view name, PayloadKind expected);
// FileFormatError (checksum_mismatch) unless actual is the envelope's CRC-32C.
void check_checksum(const Envelope& e, std::uint32_t actual, std::string_view name);

struct OpenedFile {
  ArchiveFormat format;
  std::string_view payload;  // a view into the bytes given to open_envelope
};

// Checks the envelope and the payload's integrity; nothing of the payload is read before.
// FileFormatError naming the file otherwise.
OpenedFile open_envelope(std::string_view bytes, std::string_view name, PayloadKind expected);

// The new file of an atomic save, written at offsets. A failed write throws; write_atomically
// turns it into the IoError of the write step.
class FileWriter {
 public:
  explicit FileWriter(int fd) : fd_(fd) {}
  void write_at(std::uint64_t offset, std::string_view bytes);
  int error() const { return error_; }  // errno of the failed write, 0 while none failed

 private:
  struct Failed {};
  int fd_;
  int error_ = 0;
};

// Lets write fill a temporary file beside path, fsyncs it, renames it over path and fsyncs the
// directory. On failure the previous file at path is untouched and an IoError names the step
// (see fail_next_save_at for the testing hook); what write throws otherwise passes through,
// the temporary file removed.
void write_atomically(const std::string& path, const std::function<void(FileWriter&)>& write);
// The pieces, back to back.
void write_atomically(const std::string& path, std::initializer_list<std::string_view> pieces);

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
