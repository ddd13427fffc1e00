// Import of the event file format (date,client,kind,ref,amount,due,detail) into an engine:
// RFC 4180 quoting, UTF-8 with or without BOM, LF or CRLF, columns in any order.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "clientrisk/engine.hpp"

namespace clientrisk {
inline namespace v1 {

struct CsvOptions {
  // Strict (false): the first invalid row throws FormatError and nothing of the file is
  // applied. Lenient (true): invalid rows are reported and the valid ones applied.
  bool lenient = false;
  // Longest field accepted, in bytes; a longer one is an error, not a truncation.
  std::size_t max_field_bytes = 4096;
  // Longest row accepted, in bytes, line breaks inside quotes included; a longer one is an error
  // at its line.
  std::size_t max_row_bytes = std::size_t{1} << 16;
  // Largest text accepted, in bytes; a larger file is refused before it is read (0: no limit).
  std::uint64_t max_file_bytes = 0;
  // Called as the rows are read, about every 4 MiB and once at the end, with the bytes read so
  // far and the text's size; empty: not called. It must not throw.
  std::function<void(std::size_t read, std::size_t total)> progress;
};

struct CsvRejection {
  std::size_t line;     // 1-based line where the row starts
  std::string column;   // the column concerned, or empty for the whole row
  std::string message;
  // "file:line: column: message"
  std::string to_string(std::string_view file) const;
};

struct CsvReport {
  std::size_t rows = 0;      // data rows read
  std::size_t accepted = 0;  // rows posted
  std::size_t bytes = 0;     // bytes read
  std::vector<CsvRejection> rejected;
};

// Imports the file at path. Throws IoError when it cannot be read, FormatError (strict) with
// "path:line: column: message".
CsvReport import_csv(Engine& engine, const std::string& path, const CsvOptions& options = {});

// The rows of an event file as events, strictly: a malformed row throws FormatError with
// "file:line: column: message". The events are not checked against each other (posting them
// does that: import_csv gives those errors their line).
std::vector<Event> read_events_csv(const std::string& path);
std::vector<Event> read_events_csv_text(std::string_view text, std::string_view name);

// Imports text already in memory; name stands for the file in messages.
CsvReport import_csv_text(Engine& engine, std::string_view text, std::string_view name,
                          const CsvOptions& options = {});

}  // namespace v1
}  // namespace clientrisk
