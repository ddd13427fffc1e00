// Model files: the whole model in an XML or binary Boost.Serialization archive, inside an
// envelope (magic, format version, payload kind and archive, payload length, CRC-32C) that is
// verified before any archive code reads the payload, and saved atomically. docs/persistence.md
// says what the formats guarantee.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clientrisk/error.hpp"
#include "clientrisk/fingerprint.hpp"
#include "clientrisk/model.hpp"

namespace clientrisk {
inline namespace v1 {

// The envelope's format version written by this build; files of a later version are refused.
inline constexpr int file_format_version = 1;

enum class PayloadKind : std::uint8_t { model = 1, snapshot = 2 };
enum class ArchiveFormat : std::uint8_t { xml = 1, binary = 2 };

// What is wrong with a file that is not a valid clientrisk file of the expected kind.
enum class FileProblem : std::uint8_t {
  not_clientrisk,     // no or wrong magic, or an unreadable envelope line
  newer_format,       // format version newer than this build
  wrong_kind,         // e.g. a snapshot given as a model
  truncated,          // fewer payload bytes than the envelope announces
  trailing_bytes,     // more payload bytes than the envelope announces
  checksum_mismatch,  // the payload's CRC-32C differs from the envelope's
  corrupt_payload,    // the archive inside could not be read
  invalid_model,      // the model read fails validation
};
std::string_view to_string(FileProblem p);

// A file that could not be loaded; the message names the file and the problem.
class FileFormatError : public FormatError {
 public:
  FileFormatError(FileProblem problem, const std::string& message) : FormatError(message), problem_(problem) {}
  FileProblem problem() const { return problem_; }

 private:
  FileProblem problem_;
};

// The steps of an atomic save, in order; an IoError names the one that failed.
enum class SaveStep : std::uint8_t { open, write, fsync, rename, fsync_dir };
std::string_view to_string(SaveStep s);

// The bytes of a model file: the envelope line, then the archive.
std::string model_file_bytes(const Model& m, ArchiveFormat format = ArchiveFormat::xml);
// Reads a model from the bytes of a model file; name is the file name used in messages.
Model model_from_file_bytes(std::string_view bytes, std::string_view name);

// Writes a model file atomically: a temporary file beside path, fsync, rename over path, fsync
// of the directory. On failure the previous file at path is untouched and an IoError names
// the step. Validates the model first (InvalidInput).
void save_model(const Model& m, const std::string& path, ArchiveFormat format = ArchiveFormat::xml);
// Loads and validates a model file: FileFormatError for a bad file, IoError when unreadable.
Model load_model(const std::string& path);

namespace detail {
// Testing hook: the next atomic save in this thread fails at this step, as if the system call
// had failed. Reset after it fires.
void fail_next_save_at(std::optional<SaveStep> step);
}  // namespace detail

}  // namespace v1
}  // namespace clientrisk
