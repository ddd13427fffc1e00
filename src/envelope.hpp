// The envelope of every clientrisk file and the atomic save. Internal to the compiled library.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "clientrisk/persist.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {

std::string_view kind_name(PayloadKind k);

// "clientrisk-file VERSION KIND ARCHIVE LENGTH CRC32C\n": the line written before payload.
std::string envelope_line(PayloadKind kind, ArchiveFormat format, std::string_view payload);

struct OpenedFile {
  ArchiveFormat format;
  std::string_view payload;  // a view into the bytes given to open_envelope
};

// Checks the envelope and the payload's integrity; nothing of the payload is read before.
// FileFormatError naming the file otherwise.
OpenedFile open_envelope(std::string_view bytes, std::string_view name, PayloadKind expected);

// Writes the pieces, back to back, to a temporary file beside path, fsyncs it, renames it
// over path and fsyncs the directory. On failure the previous file at path is untouched and
// an IoError names the step (see fail_next_save_at for the testing hook).
void write_atomically(const std::string& path, std::initializer_list<std::string_view> pieces);

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
