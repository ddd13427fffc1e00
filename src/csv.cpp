// The event-file reader: a single pass over the bytes, RFC 4180 quoting, every row checked and
// staged into the ledger, then committed all at once (strict) or without the bad rows (lenient).
#include "clientrisk/csv.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <deque>
#include <functional>
#include <optional>

#include "clientrisk/error.hpp"
#include "read_file.hpp"

namespace clientrisk {
inline namespace v1 {

std::string CsvRejection::to_string(std::string_view file) const {
  std::string out(file);
  out += ':' + std::to_string(line) + ": ";
  if (!column.empty()) out += column + ": ";
  return out + message;
}

namespace {

constexpr std::array<std::string_view, 7> kColumns = {"date", "client", "kind", "ref", "amount", "due", "detail"};
enum Column { kDate, kClient, kKind, kRef, kAmount, kDue, kDetail };

// Why a row could not be read; the reader stops at structural errors it cannot resync from.
struct RowError {
  std::size_t line;
  std::string column;
  std::string message;
  bool fatal = false;  // the rest of the file cannot be read
};

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) { ++p; continue; }
    int n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
    else return false;
    if (end - p <= n) return false;
    for (int k = 1; k <= n; ++k) {
      if ((p[k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n + 1;
  }
  return true;
}

std::string shown(std::string_view s) {
  constexpr std::size_t limit = 40;
  return "'" + std::string(s.substr(0, limit)) + (s.size() > limit ? "...'" : "'");
}

// FormatError when a text of size bytes is above options.max_file_bytes.
void check_file_size(std::string_view name, std::uint64_t size, const CsvOptions& options) {
  if (options.max_file_bytes && size > options.max_file_bytes)
    throw FormatError(std::string(name) + ": " + std::to_string(size) + " bytes, more than max_file_bytes (" +
                      std::to_string(options.max_file_bytes) + ")");
}

class Reader {
 public:
  Reader(std::string_view text, const CsvOptions& options) : text_(text), options_(options) {
    if (text_.size() >= 3 && std::memcmp(text_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  }

  bool at_end() const { return pos_ >= text_.size(); }
  // Bytes of the record next() read last.
  std::size_t row_bytes() const { return pos_ - row_begin_; }
  std::size_t line() const { return line_; }
  std::size_t position() const { return pos_; }

  // Reads one record into fields. Returns false at the end of the text. Empty lines are skipped.
  bool next(std::vector<std::string_view>& fields, std::size_t& start_line, std::optional<RowError>& error,
            const std::vector<std::string>* names) {
    fields.clear();
    error.reset();
    while (pos_ < text_.size() && (text_[pos_] == '\n' || (text_[pos_] == '\r' && pos_ + 1 < text_.size() &&
                                                             text_[pos_ + 1] == '\n'))) {
      pos_ += text_[pos_] == '\r' ? 2 : 1;
      ++line_;
    }
    if (pos_ >= text_.size()) return false;
    start_line = line_;
    row_begin_ = pos_;
    std::size_t scratch_used = 0;
    auto column_name = [&](std::size_t i) -> std::string {
      if (names && i < names->size()) return (*names)[i];
      return "field " + std::to_string(i + 1);
    };
    for (;;) {
      const std::size_t index = fields.size();
      if (pos_ < text_.size() && text_[pos_] == '"') {
        const std::size_t quote_line = line_;
        if (scratch_.size() <= scratch_used) scratch_.emplace_back();
        std::string& buf = scratch_[scratch_used++];
        buf.clear();
        ++pos_;
        for (;;) {
          const std::size_t q = text_.find('"', pos_);
          if (q == std::string_view::npos) {
            error = RowError{quote_line, column_name(index), "unterminated quote", true};
            pos_ = text_.size();
            return true;
          }
          const std::string_view chunk = text_.substr(pos_, q - pos_);
          line_ += static_cast<std::size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
          buf.append(chunk);
          pos_ = q + 1;
          if (pos_ < text_.size() && text_[pos_] == '"') {
            buf += '"';
            ++pos_;
            continue;
          }
          break;
        }
        if (buf.size() > options_.max_field_bytes) return too_long(error, start_line, column_name(index));
        fields.emplace_back(buf);
        if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
          error = RowError{start_line, column_name(index), "text after the closing quote"};
          skip_line();
          return true;
        }
      } else {
        const std::size_t begin = pos_;
        while (pos_ < text_.size()) {
          const char c = text_[pos_];
          if (c == ',' || c == '\n' || c == '\r') break;
          if (c == '"') {
            error = RowError{start_line, column_name(index), "quote inside an unquoted field"};
            skip_line();
            return true;
          }
          ++pos_;
        }
        if (pos_ - begin > options_.max_field_bytes) return too_long(error, start_line, column_name(index));
        fields.push_back(text_.substr(begin, pos_ - begin));
      }
      if (pos_ >= text_.size()) return true;
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (c == '\r') {
        if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '\n') {
          error = RowError{start_line, "", "carriage return without a line feed"};
          ++pos_;
          skip_line();
          return true;
        }
        ++pos_;
      }
      ++pos_;  // '\n'
      ++line_;
      return true;
    }
  }

 private:
  bool too_long(std::optional<RowError>& error, std::size_t line, std::string column) {
    error = RowError{line, std::move(column),
                     "field is longer than " + std::to_string(options_.max_field_bytes) + " bytes"};
    skip_line();
    return true;
  }
  // Moves past the end of the current line (after an error in an unquoted context).
  void skip_line() {
    const std::size_t nl = text_.find('\n', pos_);
    if (nl == std::string_view::npos) {
      pos_ = text_.size();
      return;
    }
    pos_ = nl + 1;
    ++line_;
  }

  std::size_t row_begin_ = 0;
  std::string_view text_;
  const CsvOptions& options_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::deque<std::string> scratch_;  // unescaped quoted fields of the current row (a deque: fields point into it)
};

std::optional<Date> parse_date_field(std::string_view v, std::string_view column, std::optional<RowError>& error,
                                     std::size_t line) {
  auto d = Date::parse(v);
  if (!d) error = RowError{line, std::string(column), shown(v) + " is not a valid date (YYYY-MM-DD)"};
  return d;
}

// Fills e from the fields of one row; sets error on the first bad field.
void to_event(const std::vector<std::string_view>& fields, const std::array<int, 7>& at, Event& e,
              std::optional<RowError>& error, std::size_t line) {
  auto field = [&](Column c) { return fields[static_cast<std::size_t>(at[c])]; };
  auto d = parse_date_field(field(kDate), "date", error, line);
  if (!d) return;
  e.date = *d;
  for (Column c : {kClient, kRef, kDetail}) {
    if (!valid_utf8(field(c))) {
      error = RowError{line, std::string(kColumns[c]), "is not valid UTF-8"};
      return;
    }
  }
  e.client.assign(field(kClient));
  const std::string_view kind = field(kKind);
  auto k = parse_event_kind(kind);
  if (!k) {
    error = RowError{line, "kind", "unknown kind " + shown(kind) + " (expected one of " +
                                       detail::one_of(event_kind_names) + ")"};
    return;
  }
  e.kind = *k;
  e.ref.assign(field(kRef));
  const std::string_view amount = field(kAmount);
  e.amount.reset();
  if (!amount.empty()) {
    const char* why = nullptr;
    e.amount = Money::parse(amount, &why);
    if (!e.amount) {
      error = RowError{line, "amount", shown(amount) + ": " + why};
      return;
    }
  }
  const std::string_view due = field(kDue);
  e.due.reset();
  if (!due.empty()) {
    e.due = parse_date_field(due, "due", error, line);
    if (!e.due) return;
  }
  e.detail.assign(field(kDetail));
}

// Reads the header of an event file: the position of each column in kColumns order, and the
// header's names (the reader checks rows against them).
struct Header {
  std::array<int, 7> at;
  std::vector<std::string> names;
};

Header read_header(Reader& reader, std::vector<std::string_view>& fields, std::size_t& line,
                   std::optional<RowError>& error, const std::function<FormatError(std::size_t, std::string, std::string)>& fail) {
  if (!reader.next(fields, line, error, nullptr))
    throw fail(1, "", "the file is empty; it needs the header date,client,kind,ref,amount,due,detail");
  if (error) throw fail(error->line, "header", error->message);
  Header h;
  h.names.assign(fields.begin(), fields.end());
  h.at.fill(-1);
  for (std::size_t i = 0; i < h.names.size(); ++i) {
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (h.names[i] != kColumns[c]) continue;
      if (h.at[c] >= 0) throw fail(line, "header", "column '" + h.names[i] + "' appears twice");
      h.at[c] = static_cast<int>(i);
    }
  }
  for (std::size_t c = 0; c < kColumns.size(); ++c)
    if (h.at[c] < 0) throw fail(line, "header", "missing column '" + std::string(kColumns[c]) + "'");
  return h;
}

}  // namespace

CsvReport import_csv_text(Engine& engine, std::string_view text, std::string_view name, const CsvOptions& options) {
  CsvReport report;
  report.bytes = text.size();
  auto fail = [&](std::size_t line, std::string column, std::string message) -> FormatError {
    return FormatError(CsvRejection{line, std::move(column), std::move(message)}.to_string(name));
  };
  check_file_size(name, text.size(), options);
  Reader reader(text, options);
  std::vector<std::string_view> fields;
  std::size_t line = 1;
  std::optional<RowError> error;
  const Header header = read_header(reader, fields, line, error, fail);
  const auto& names = header.names;
  const auto& at = header.at;

  Ledger& ledger = engine.ledger();
  Ledger::Staging st = ledger.begin(text.size() / 48);
  std::vector<std::size_t> lines;  // line of each staged row, by staging index
  Event e;
  constexpr std::size_t progress_step = std::size_t{4} << 20;
  std::size_t next_progress = progress_step;
  try {
    while (reader.next(fields, line, error, &names)) {
      ++report.rows;
      if (options.progress && reader.position() >= next_progress) {
        options.progress(reader.position(), text.size());
        next_progress = reader.position() + progress_step;
      }
      if (!error && reader.row_bytes() > options.max_row_bytes)
        error = RowError{line, "", "row is longer than max_row_bytes (" + std::to_string(options.max_row_bytes) + ")"};
      if (!error && fields.size() != names.size())
        error = RowError{line, "", "row has " + std::to_string(fields.size()) + " fields, the header has " +
                                       std::to_string(names.size())};
      if (!error) to_event(fields, at, e, error, line);
      if (!error) {
        const std::size_t before = st.rejected.size();
        lines.push_back(line);
        ledger.stage(st, e, lines.size() - 1);
        if (st.rejected.size() > before) {
          Rejection& r = st.rejected.back();
          error = RowError{line, r.column, r.message};
          st.rejected.pop_back();
        }
      }
      if (error) {
        if (!options.lenient) throw fail(error->line, error->column, error->message);
        report.rejected.push_back({error->line, error->column, error->message});
        if (error->fatal) break;
      }
    }
  } catch (...) {
    ledger.rollback(st);
    throw;
  }

  if (options.progress) options.progress(text.size(), text.size());
  const bool applied = ledger.commit(st, options.lenient);
  for (const Rejection& r : st.rejected) report.rejected.push_back({lines[r.index], r.column, r.message});
  std::stable_sort(report.rejected.begin(), report.rejected.end(),
                   [](const CsvRejection& a, const CsvRejection& b) { return a.line < b.line; });
  if (!applied) {
    const CsvRejection& first = report.rejected.front();
    throw fail(first.line, first.column, first.message);
  }
  report.accepted = report.rows - report.rejected.size();
  return report;
}

std::vector<Event> read_events_csv_text(std::string_view text, std::string_view name) {
  auto fail = [&](std::size_t line, std::string column, std::string message) -> FormatError {
    return FormatError(CsvRejection{line, std::move(column), std::move(message)}.to_string(name));
  };
  const CsvOptions options;  // the reader keeps a reference
  Reader reader(text, options);
  std::vector<std::string_view> fields;
  std::size_t line = 1;
  std::optional<RowError> error;
  const Header header = read_header(reader, fields, line, error, fail);
  std::vector<Event> out;
  Event e;
  while (reader.next(fields, line, error, &header.names)) {
    if (!error && fields.size() != header.names.size())
      error = RowError{line, "", "row has " + std::to_string(fields.size()) + " fields, the header has " +
                                     std::to_string(header.names.size())};
    if (!error) to_event(fields, header.at, e, error, line);
    if (error) throw fail(error->line, error->column, error->message);
    out.push_back(e);
  }
  return out;
}

std::vector<Event> read_events_csv(const std::string& path) {
  return read_events_csv_text(detail::read_whole_file(path, "an event file"), path);
}

CsvReport import_csv(Engine& engine, const std::string& path, const CsvOptions& options) {
  detail::InputFile file(path, "an event file");
  if (file.regular()) check_file_size(path, file.size(), options);  // before reading it
  return import_csv_text(engine, file.read_all(), path, options);
}

}  // namespace v1
}  // namespace clientrisk
