// Engine snapshots: the whole engine (the model, every client's state, the open invoices, the
// registry of invoice and contract references, the portfolio's aggregates and the events that
// wait for their date) in a binary Boost.Serialization archive, inside the envelope of model
// files, saved atomically. Loading a snapshot and posting the remaining events gives exactly
// the scores of posting every event. docs/persistence.md says what the format guarantees.
#pragma once

#include <string>
#include <string_view>

#include "clientrisk/engine.hpp"
#include "clientrisk/persist.hpp"

namespace clientrisk {
inline namespace v1 {

// The bytes of a snapshot file of the engine: the envelope line, then the archive.
std::string snapshot_bytes(const Engine& engine);
// The engine of a snapshot file's bytes; name is the file name used in messages. Everything
// read is checked before it is used: FileFormatError for a bad or inconsistent file.
Engine engine_from_snapshot_bytes(std::string_view bytes, std::string_view name);

// Writes a snapshot file atomically, like save_model.
void save_snapshot(const Engine& engine, const std::string& path);
// Loads a snapshot file: FileFormatError for a bad file, IoError when it cannot be read.
Engine load_snapshot(const std::string& path);

}  // namespace v1
}  // namespace clientrisk
