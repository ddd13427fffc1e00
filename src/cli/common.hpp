// What the subcommands of the clientrisk command share: exit codes, output escaping, and the
// engine made from --events, --snapshot and --model.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "clientrisk/clientrisk.hpp"
#include "clientrisk/csv.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/snapshot.hpp"

namespace clientrisk::cli {

namespace cr = clientrisk;

enum Exit { kOk = 0, kBadInput = 1, kUsage = 2, kIo = 3 };

inline std::string num(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

inline std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

struct ScoreArgs {
  std::optional<std::string> events, snapshot, save_snapshot, model, as_of;
  std::string format = "table";
  std::optional<std::size_t> top;
  bool lenient = false;
};

// The engine to score: a snapshot's or a new one, then the events of the file posted to it.
inline cr::Engine prepare_engine(const ScoreArgs& a) {
  std::optional<cr::Engine> engine;
  if (a.snapshot) {
    engine.emplace(cr::load_snapshot(*a.snapshot));
    if (a.model) engine->set_model(cr::load_model(*a.model));
  } else {
    engine.emplace(a.model ? cr::load_model(*a.model) : cr::Model{});
  }
  if (!a.events) return std::move(*engine);
  const std::string& events = *a.events;
  cr::CsvOptions options;
  options.lenient = a.lenient;
  cr::CsvReport report;
  if (events == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), {});
    report = cr::import_csv_text(*engine, text, "<stdin>", options);
  } else {
    report = cr::import_csv(*engine, events, options);
  }
  for (const auto& r : report.rejected)
    std::fprintf(stderr, "%s\n", r.to_string(events == "-" ? "<stdin>" : events).c_str());
  if (!report.rejected.empty())
    std::fprintf(stderr, "clientrisk: %zu of %zu rows rejected\n", report.rejected.size(), report.rows);
  return std::move(*engine);
}

// --as-of as a date; nullopt when absent. Throws InvalidInput for a bad date.
inline std::optional<cr::Date> date_option(const std::optional<std::string>& text, const char* flag) {
  if (!text) return std::nullopt;
  const auto d = cr::Date::parse(*text);
  if (!d) throw cr::InvalidInput(std::string(flag) + ": '" + *text + "' is not a valid date (YYYY-MM-DD)");
  return d;
}

}  // namespace clientrisk::cli
