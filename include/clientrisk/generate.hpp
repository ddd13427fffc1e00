// A realistic, deterministic synthetic ledger for demos, tests and benchmarks: prompt payers,
// late payers, disputers, a dominant client, seasonal clients, churners and a legal case.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

#include "clientrisk/date.hpp"
#include "clientrisk/event.hpp"

namespace clientrisk {
inline namespace v1 {

struct GenerateOptions {
  std::uint64_t clients = 100;                           // at least 1
  int months = 24;                                       // 1 to 600
  std::uint64_t seed = 1;
  Date start = *Date::from_civil(2023, 1, 1);           // first day of the first month
};

// The events of the ledger, sorted by date, then client id (as text), then kind (the order of
// EventKind), then ref. The same options give the same events on every platform (the
// generator uses its own random numbers, not the standard library's distributions), and a
// client's history does not depend on the number of clients. Throws InvalidInput for options out of range.
std::vector<Event> generate_events(const GenerateOptions& options);

// Writes the ledger as an event file (header and rows) to out, a month at a time, without
// holding it all in memory. Throws InvalidInput for bad options, IoError when out fails.
void write_ledger_csv(std::ostream& out, const GenerateOptions& options);

}  // namespace v1
}  // namespace clientrisk
