// What the subcommands of the clientrisk command share: exit codes, output escaping, the ledger
// options, --output, and the engine made from --events, --snapshot and --model.
#pragma once

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "clientrisk/clientrisk.hpp"
#include "clientrisk/csv.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/snapshot.hpp"
#include "progress.hpp"

namespace clientrisk::cli {

namespace cr = clientrisk;

enum Exit { kOk = 0, kBadInput = 1, kUsage = 2, kIo = 3 };

// A flag's value that cannot be used (exit code 2, like the parser's own errors).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// printf into a string; the compiler checks the arguments against the format.
[[gnu::format(printf, 1, 2)]] inline std::string num(const char* format, ...) {
  char buf[64];
  std::va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

// s right-aligned in width columns, counting characters rather than bytes (a French amount's
// thousands separator is a narrow no-break space, three bytes of UTF-8).
inline std::string right(const std::string& s, std::size_t width) {
  const auto chars = static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
  return chars >= width ? s : std::string(width - chars, ' ') + s;
}

using cr::version_string;

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

// An amount as a decimal string; a real number for JSON (null when not finite).
inline std::string money(cr::Money m) { return m.to_string(); }
inline std::string real(double v) { return std::isfinite(v) ? num("%.17g", v) : std::string("null"); }

// A score's reasons as a JSON array.
inline std::string reasons_json(const std::vector<cr::Reason>& reasons) {
  std::string out = "[";
  for (std::size_t r = 0; r < reasons.size(); ++r)
    out += (r ? "," : "") + std::string("{\"code\":") + json_string(reasons[r].code) + ",\"factor\":\"" +
           std::string(cr::to_string(reasons[r].factor)) + "\",\"points\":" + real(reasons[r].points) +
           ",\"text\":" + json_string(reasons[r].text) + "}";
  return out + "]";
}

// A score's key figures as a JSON object; amounts as decimal strings.
inline std::string key_figures_json(const cr::KeyFigures& k) {
  return "{\"outstanding\":\"" + k.outstanding.to_string() + "\",\"overdue\":\"" + k.overdue.to_string() +
         "\",\"over_90\":\"" + k.over_90.to_string() + "\",\"credit_balance\":\"" + k.credit_balance.to_string() +
         "\",\"disputed\":\"" + k.disputed.to_string() + "\",\"days_beyond_terms\":" + real(k.days_beyond_terms) +
         ",\"revenue_12m\":\"" + k.revenue_12m.to_string() + "\",\"revenue_share\":" + real(k.revenue_share) +
         ",\"open_invoices\":" + std::to_string(k.open_invoices) + ",\"open_disputes\":" +
         std::to_string(k.open_disputes) + "}";
}

// The options of every subcommand that reads a ledger: where the events come from, as of when,
// and where and how the output goes.
struct ScoreArgs {
  std::optional<std::string> events, snapshot, save_snapshot, model, as_of, output;
  std::string format = "table";
  std::string lang = "en";
  std::optional<std::size_t> top;
  bool lenient = false, quiet = false;
  // The limits (docs/reliability.md); absent: the library's defaults.
  std::optional<std::size_t> max_clients, max_events_per_client, max_field_bytes, max_row_bytes, max_file_bytes;
};

// --top and friends: a whole number of at least 1.
inline CLI::Validator positive_count() {
  return CLI::Validator(
      [](std::string& v) {
        const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
        return digits && v.find_first_not_of('0') != std::string::npos
                   ? std::string()
                   : "must be a whole number of at least 1, got '" + v + "'";
      },
      "N >= 1");
}

// The options every ledger-reading subcommand takes, with the same names and meanings.
// formats: the values --format takes; none, no --format.
inline void add_ledger_options(CLI::App* sub, ScoreArgs& a,
                               const std::vector<std::string>& formats = {"table", "csv", "json"}) {
  sub->add_option("--events", a.events, "Event file (CSV: date,client,kind,ref,amount,due,detail), - for stdin");
  sub->add_option("--snapshot", a.snapshot, "Resume from this snapshot; --events then adds the events since");
  sub->add_option("--model", a.model,
                  "Model file (default: the snapshot's model, or the built-in one); its half-lives must be the "
                  "snapshot's");
  sub->add_option("--as-of", a.as_of, "As of YYYY-MM-DD (default: the latest event date)");
  if (!formats.empty()) sub->add_option("--format", a.format, "Output format")->check(CLI::IsMember(formats));
  sub->add_option("--output", a.output, "Write to this file instead of standard output (replaced only on success)");
  sub->add_flag("--lenient", a.lenient, "Report invalid rows on stderr and use the valid ones");
  sub->add_option("--lang", a.lang, "Language of the reason and action texts")->check(CLI::IsMember({"en", "fr"}));
  sub->add_flag("-q,--quiet", a.quiet, "No progress bar and no notes on stderr (errors and rejected rows still)");
  const char* limits = "Limits (an event or row past one is rejected, naming it)";
  sub->add_option("--max-clients", a.max_clients, "The most clients (default: no limit)")
      ->check(positive_count())->group(limits);
  sub->add_option("--max-events-per-client", a.max_events_per_client,
                  "The most events of one client, the snapshot's included (default: no limit)")
      ->check(positive_count())->group(limits);
  sub->add_option("--max-field-bytes", a.max_field_bytes, "The longest field of the event file")
      ->default_val(cr::CsvOptions{}.max_field_bytes)->check(positive_count())->group(limits);
  sub->add_option("--max-row-bytes", a.max_row_bytes, "The longest row of the event file")
      ->default_val(cr::CsvOptions{}.max_row_bytes)->check(positive_count())->group(limits);
  sub->add_option("--max-file-bytes", a.max_file_bytes,
                  "The largest event file, refused before it is read (default: no limit)")
      ->check(positive_count())->group(limits);
}

// Standard output redirected to --output: written to a temporary file beside it and renamed over
// it by commit(), so that a failed run leaves the previous file as it was.
class Output {
 public:
  explicit Output(const std::optional<std::string>& path) {
    if (!path) return;
    path_ = *path;
    temp_ = path_ + ".tmp" + std::to_string(getpid());
    std::fflush(stdout);
    const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw cr::IoError("--output: cannot write '" + path_ + "': " + std::strerror(errno));
    saved_ = ::dup(STDOUT_FILENO);
    ::dup2(fd, STDOUT_FILENO);
    ::close(fd);
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() {
    if (saved_ < 0) return;
    restore();
    ::unlink(temp_.c_str());
  }

  // Flushes, and renames the temporary file over the path. Throws IoError.
  void commit() {
    if (saved_ < 0) return;
    std::cout.flush();
    const bool written = std::fflush(stdout) == 0 && !std::ferror(stdout) && std::cout && ::fsync(STDOUT_FILENO) == 0;
    restore();
    if (!written || std::rename(temp_.c_str(), path_.c_str()) != 0) {
      const int e = errno;
      ::unlink(temp_.c_str());
      throw cr::IoError("--output: cannot write '" + path_ + "': " + std::strerror(e));
    }
  }

 private:
  void restore() {
    std::cout.flush();
    std::fflush(stdout);
    ::dup2(saved_, STDOUT_FILENO);
    ::close(saved_);
    saved_ = -1;
  }
  std::string path_, temp_;
  int saved_ = -1;
};

// The engine to score: a snapshot's or a new one, in the language asked, then the events of the
// file posted to it (with a progress bar on a terminal).
inline cr::Engine prepare_engine(const ScoreArgs& a) {
  if (!a.events && !a.snapshot) throw UsageError("give --events, --snapshot or both");
  std::optional<cr::Engine> engine;
  if (a.snapshot) {
    engine.emplace(cr::load_snapshot(*a.snapshot));
    if (a.model) engine->set_model(cr::load_model(*a.model));
  } else {
    engine.emplace(a.model ? cr::load_model(*a.model) : cr::Model{});
  }
  const auto lang = cr::parse_language(a.lang);
  if (!lang) throw cr::InvalidInput("--lang: '" + a.lang + "' is not en or fr");
  engine->set_language(*lang);
  if (a.max_clients) engine->set_max_clients(*a.max_clients);
  if (a.max_events_per_client) engine->set_max_events_per_client(*a.max_events_per_client);
  if (!a.events) return std::move(*engine);
  const std::string& events = *a.events;
  Progress bar(Progress::wanted(a.quiet), "import", "B");
  cr::CsvOptions options;
  options.lenient = a.lenient;
  if (a.max_field_bytes) options.max_field_bytes = *a.max_field_bytes;
  if (a.max_row_bytes) options.max_row_bytes = *a.max_row_bytes;
  if (a.max_file_bytes) options.max_file_bytes = *a.max_file_bytes;
  options.progress = [&bar](std::size_t read, std::size_t total) { bar.update(read, total); };
  cr::CsvReport report;
  if (events == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), {});
    report = cr::import_csv_text(*engine, text, "<stdin>", options);
  } else {
    report = cr::import_csv(*engine, events, options);
  }
  bar.finish();
  for (const auto& r : report.rejected)
    std::fprintf(stderr, "%s\n", r.to_string(events == "-" ? "<stdin>" : events).c_str());
  if (!report.rejected.empty())
    std::fprintf(stderr, "clientrisk: %zu of %zu rows rejected\n", report.rejected.size(), report.rows);
  return std::move(*engine);
}

// The rows of a table riskiest first, ties by client id; the first top of them when given.
inline std::vector<std::size_t> ranking(const cr::Engine& engine, const cr::ScoreTable& table,
                                        std::optional<std::size_t> top = std::nullopt) {
  std::vector<std::size_t> order(table.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double sa = table.score(static_cast<Eigen::Index>(a)), sb = table.score(static_cast<Eigen::Index>(b));
    if (sa != sb) return sa > sb;
    return engine.client_id(table.client[a]) < engine.client_id(table.client[b]);
  });
  if (top && *top < order.size()) order.resize(*top);
  return order;
}

// --as-of as a date; nullopt when absent. Throws UsageError for a bad date.
inline std::optional<cr::Date> date_option(const std::optional<std::string>& text, const char* flag) {
  if (!text) return std::nullopt;
  const auto d = cr::Date::parse(*text);
  if (!d) throw UsageError(std::string(flag) + ": '" + *text + "' is not a valid date (YYYY-MM-DD)");
  return d;
}

}  // namespace clientrisk::cli
