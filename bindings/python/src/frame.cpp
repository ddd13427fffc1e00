#include "frame.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "clientrisk/error.hpp"
#include "clientrisk/event.hpp"

namespace clientrisk::python {

namespace {

using namespace py::literals;

// The first error of each row, in the order the columns are read (the event file's order).
class RowErrors {
 public:
  void add(std::size_t row, std::string column, std::string message) {
    errors_.try_emplace(row, std::move(column), std::move(message));
  }
  bool has(std::size_t row) const { return errors_.count(row) > 0; }
  const std::map<std::size_t, std::pair<std::string, std::string>>& all() const { return errors_; }

 private:
  std::map<std::size_t, std::pair<std::string, std::string>> errors_;
};

// The values of one column as numpy gives them: objects, 64-bit integers, doubles, or days
// of a datetime64 column (with whether each was at midnight).
class Values {
 public:
  enum class Type { object, signed_int, unsigned_int, floating, datetime };

  explicit Values(py::array a) {
    const char k = a.dtype().kind();
    if (k == 'i') {
      type_ = Type::signed_int, array_ = a.attr("astype")("int64");
    } else if (k == 'u') {
      type_ = Type::unsigned_int, array_ = a.attr("astype")("uint64");
    } else if (k == 'f') {
      type_ = Type::floating, array_ = a.attr("astype")("float64");
    } else if (k == 'M') {
      type_ = Type::datetime;
      py::object day = a.attr("astype")("datetime64[D]");
      array_ = day.attr("astype")("int64");
      midnight_ = py::array(day.attr("__eq__")(a));  // NaT compares unequal: checked as NaT first
    } else {
      type_ = Type::object, array_ = k == 'O' ? a : py::array(a.attr("astype")("object"));
    }
    array_ = py::array(py::module_::import("numpy").attr("ascontiguousarray")(array_));
    size_ = static_cast<std::size_t>(array_.size());
  }

  Type type() const { return type_; }
  std::size_t size() const { return size_; }
  py::handle object(std::size_t i) const { return static_cast<PyObject* const*>(array_.data())[i]; }
  std::int64_t signed_int(std::size_t i) const { return static_cast<const std::int64_t*>(array_.data())[i]; }
  std::uint64_t unsigned_int(std::size_t i) const { return static_cast<const std::uint64_t*>(array_.data())[i]; }
  double floating(std::size_t i) const { return static_cast<const double*>(array_.data())[i]; }
  // Days since 1970-01-01, or nullopt for NaT; BadValue when not at midnight.
  std::optional<Date> day(std::size_t i) const {
    const std::int64_t d = signed_int(i);
    if (d == INT64_MIN) return std::nullopt;
    if (!static_cast<const bool*>(midnight_.data())[i]) throw BadValue{"has a time of day; give a date"};
    const Date date = Date::from_days(static_cast<std::int32_t>(d));
    if (d < INT32_MIN || d > INT32_MAX || !in_calendar(date)) throw BadValue{"is outside the years 0001 to 9999"};
    return date;
  }

 private:
  Type type_;
  py::array array_, midnight_;
  std::size_t size_ = 0;
};

// One column of the frame converted to T, a value per row (nullopt where missing). Categorical
// columns convert each category once.
template <class T, class Convert>
std::vector<std::optional<T>> convert(py::handle series, const std::string& column, RowErrors& errors,
                                      Convert one) {
  auto run = [&](const Values& v, auto on_error) {
    std::vector<std::optional<T>> out(v.size());
    const bool objects = v.type() == Values::Type::object;
    for (std::size_t i = 0; i < v.size(); ++i) {
      // Objects lie scattered in memory: fetch those a few rows ahead, so that the misses overlap.
      if (objects && i + 16 < v.size()) __builtin_prefetch(v.object(i + 16).ptr());
      try {
        out[i] = one(v, i);
      } catch (const BadValue& b) {
        on_error(i, b.message);
      }
    }
    return out;
  };
  if (py::hasattr(series, "cat")) {
    py::object cat = series.attr("cat");
    Values codes(py::array(cat.attr("codes").attr("to_numpy")()));
    Values categories(py::array(cat.attr("categories").attr("to_numpy")()));
    std::vector<std::optional<std::string>> bad(categories.size());
    auto values = run(categories, [&](std::size_t i, const std::string& m) { bad[i] = m; });
    std::vector<std::optional<T>> out(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const std::int64_t c = codes.signed_int(i);
      if (c < 0) continue;
      const auto k = static_cast<std::size_t>(c);
      if (bad[k])
        errors.add(i, column, *bad[k]);
      else
        out[i] = values[k];
    }
    return out;
  }
  auto on_error = [&](std::size_t i, const std::string& m) { errors.add(i, column, m); };
  py::object dtype = series.attr("dtype");
  const bool masked = !py::isinstance(dtype, py::module_::import("numpy").attr("dtype"));
  if (masked && py::str(dtype.attr("kind")).cast<std::string>().find_first_of("iu") == 0) {
    // A nullable integer column (Int64, UInt32...): its values and its mask, not boxed objects.
    const bool is_unsigned = py::str(dtype.attr("kind")).cast<std::string>() == "u";
    Values v(py::array(series.attr("to_numpy")("dtype"_a = is_unsigned ? "uint64" : "int64", "na_value"_a = 0)));
    const py::array_t<bool> missing = series.attr("isna")().attr("to_numpy")("dtype"_a = "bool");
    const bool* gone = missing.data();
    std::vector<std::optional<T>> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (gone[i]) continue;
      try {
        out[i] = one(v, i);
      } catch (const BadValue& b) {
        on_error(i, b.message);
      }
    }
    return out;
  }
  py::object numpy = series.attr("to_numpy")();
  if (!py::isinstance<py::array>(numpy)) numpy = series.attr("to_numpy")("dtype"_a = "object");
  return run(Values(py::array(numpy)), on_error);
}

std::optional<std::string> text_value(const Values& v, std::size_t i, std::string_view what) {
  switch (v.type()) {
    case Values::Type::object: return text_of(v.object(i), what);
    case Values::Type::signed_int: return std::to_string(v.signed_int(i));
    case Values::Type::unsigned_int: return std::to_string(v.unsigned_int(i));
    case Values::Type::floating: {
      const double x = v.floating(i);
      if (std::isnan(x)) return std::nullopt;
      if (x == std::trunc(x) && std::fabs(x) < 9007199254740992.0) return std::to_string(static_cast<long long>(x));
      throw BadValue{"the float " + shortest_fixed(x) + " is not a valid " + std::string(what)};
    }
    case Values::Type::datetime: throw BadValue{"a datetime is not a valid " + std::string(what)};
  }
  return std::nullopt;
}

std::optional<Date> date_value(const Values& v, std::size_t i) {
  switch (v.type()) {
    case Values::Type::object: return date_of(v.object(i));
    case Values::Type::datetime: return v.day(i);
    case Values::Type::floating:
      if (std::isnan(v.floating(i))) return std::nullopt;
      [[fallthrough]];
    default: throw BadValue{"a number is not a date (give 'YYYY-MM-DD', datetime64 or datetime.date)"};
  }
}

std::optional<Money> amount_value(const Values& v, std::size_t i) {
  switch (v.type()) {
    case Values::Type::object: return amount_of(v.object(i));
    case Values::Type::signed_int: return parse_amount(std::to_string(v.signed_int(i)));
    case Values::Type::unsigned_int: return parse_amount(std::to_string(v.unsigned_int(i)));
    case Values::Type::floating: {
      const double x = v.floating(i);
      if (std::isnan(x)) return std::nullopt;
      if (!std::isfinite(x)) throw BadValue{shortest_fixed(x) + " is not an amount"};
      return parse_amount(shortest_fixed(x));
    }
    case Values::Type::datetime: throw BadValue{"a datetime is not an amount"};
  }
  return std::nullopt;
}

std::optional<Money> cents_value(const Values& v, std::size_t i) {
  switch (v.type()) {
    case Values::Type::signed_int: return Money::from_cents(v.signed_int(i));
    case Values::Type::unsigned_int:
      if (v.unsigned_int(i) > static_cast<std::uint64_t>(INT64_MAX)) throw BadValue{"is too large"};
      return Money::from_cents(static_cast<std::int64_t>(v.unsigned_int(i)));
    case Values::Type::floating: {
      const double x = v.floating(i);
      if (std::isnan(x)) return std::nullopt;
      if (x != std::trunc(x) || std::fabs(x) >= 9007199254740992.0)
        throw BadValue{shortest_fixed(x) + " is not a whole number of cents"};
      return Money::from_cents(static_cast<std::int64_t>(x));
    }
    case Values::Type::object: {
      py::handle o = v.object(i);
      if (!PyLong_Check(o.ptr()) || PyBool_Check(o.ptr())) {
        if (is_missing(o)) return std::nullopt;
        throw BadValue{"amount_cents must be an integer, got " + py::repr(o).cast<std::string>()};
      }
      int overflow = 0;
      const long long c = PyLong_AsLongLongAndOverflow(o.ptr(), &overflow);
      if (overflow) throw BadValue{"is too large"};
      return Money::from_cents(c);
    }
    case Values::Type::datetime: throw BadValue{"a datetime is not an amount"};
  }
  return std::nullopt;
}

bool has_column(py::handle columns, const char* name) { return columns.attr("__contains__")(name).cast<bool>(); }

std::string row_name(std::size_t row, py::handle label) {
  std::string out = "row " + std::to_string(row);
  const bool same = PyLong_Check(label.ptr()) && label.cast<py::int_>().equal(py::int_(row));
  if (!same) out += " (index " + py::repr(label).cast<std::string>() + ")";
  return out;
}

}  // namespace

namespace {

// The columns of an events frame, converted; errors holds each bad row's first problem.
struct FrameColumns {
  std::size_t n = 0;
  py::object index;
  RowErrors errors;
  std::vector<std::optional<Date>> date, due;
  std::vector<std::optional<std::string>> client, ref, detail;
  std::vector<std::optional<EventKind>> kind;
  std::vector<std::optional<Money>> amount;
  std::string amount_column = "amount";

  // Row i as an event (a row without errors).
  void fill(std::size_t i, Event& e) const {
    e.date = *date[i];
    e.client = client[i].value_or(std::string());
    e.kind = *kind[i];
    e.ref = ref[i].value_or(std::string());
    e.amount = amount[i];
    e.due = due[i];
    e.detail = detail[i].value_or(std::string());
  }
};

FrameColumns read_columns(py::handle frame, const char* who) {
  const std::string what = who;
  if (!py::hasattr(frame, "columns") || !py::hasattr(frame, "index"))
    throw InvalidInput(what + ": expected a pandas DataFrame, got a " +
                       py::str(py::type::handle_of(frame).attr("__name__")).cast<std::string>());
  py::object columns = frame.attr("columns");
  FrameColumns f;
  f.index = frame.attr("index");
  for (const char* required : {"date", "client", "kind"})
    if (!has_column(columns, required)) throw InvalidInput(what + ": missing column '" + required + "'");
  if (has_column(columns, "amount") && has_column(columns, "amount_cents"))
    throw InvalidInput(what + ": give either the column 'amount' or 'amount_cents', not both");
  if (!columns.attr("is_unique").cast<bool>()) throw InvalidInput(what + ": the frame's column names repeat");
  const std::size_t n = f.n = py::len(f.index);
  RowErrors& errors = f.errors;
  auto column = [&](const char* name) { return frame.attr("__getitem__")(name); };
  auto texts = [&](const char* name) {
    if (!has_column(columns, name)) return std::vector<std::optional<std::string>>(n);
    return convert<std::string>(column(name), name, errors,
                                [&](const Values& v, std::size_t i) { return text_value(v, i, name); });
  };
  auto dates = [&](const char* name) {
    if (!has_column(columns, name)) return std::vector<std::optional<Date>>(n);
    return convert<Date>(column(name), name, errors, date_value);
  };
  // Read in the event file's column order, so that a row's first error is the one the file gives.
  f.date = dates("date");
  f.client = texts("client");
  f.kind = convert<EventKind>(
      column("kind"), "kind", errors, [](const Values& v, std::size_t i) -> std::optional<EventKind> {
        auto t = text_value(v, i, "kind");
        if (!t) return std::nullopt;
        auto k = parse_event_kind(*t);
        if (!k) throw BadValue{"unknown kind '" + *t + "' (expected one of " + detail::one_of(event_kind_names) + ")"};
        return k;
      });
  f.ref = texts("ref");
  f.amount.resize(n);
  if (has_column(columns, "amount")) {
    f.amount = convert<Money>(column("amount"), "amount", errors, amount_value);
  } else if (has_column(columns, "amount_cents")) {
    f.amount_column = "amount_cents";
    f.amount = convert<Money>(column("amount_cents"), "amount_cents", errors, cents_value);
  }
  f.due = dates("due");
  f.detail = texts("detail");
  for (std::size_t i = 0; i < n; ++i) {
    if (errors.has(i)) continue;
    if (!f.date[i]) errors.add(i, "date", "date is missing");
    else if (!f.kind[i]) errors.add(i, "kind", "kind is missing");
  }
  return f;
}

}  // namespace

FrameReport post_frame(PyEngine& engine, py::handle frame, bool lenient) {
  const FrameColumns f = read_columns(frame, "post_frame");
  const std::size_t n = f.n;
  FrameReport report;
  report.rows = n;
  std::vector<Rejection> rejected;
  for (const auto& [row, e] : f.errors.all()) rejected.push_back({row, e.first, e.second});
  if (rejected.empty() || lenient) {
    std::vector<Rejection> staged = with_engine(engine, [&](Engine& en) {
      Ledger& ledger = en.ledger();
      Ledger::Staging st = ledger.begin(n);
      try {
        Event e;
        for (std::size_t i = 0; i < n; ++i) {
          if (f.errors.has(i)) continue;
          f.fill(i, e);
          ledger.stage(st, e, i);
        }
      } catch (...) {
        ledger.rollback(st);
        throw;
      }
      ledger.commit(st, lenient);
      if (engine.keep_history) {
        std::vector<char> refused(n, 0);
        for (const Rejection& r : st.rejected) refused[r.index] = 1;
        for (std::size_t i = 0; i < n; ++i)
          if (!f.errors.has(i) && !refused[i]) f.fill(i, engine.history.emplace_back());
      }
      return std::move(st.rejected);
    });
    for (Rejection& r : staged) {
      if (r.column == "amount") r.column = f.amount_column;
      rejected.push_back(std::move(r));
    }
  }
  std::stable_sort(rejected.begin(), rejected.end(),
                   [](const Rejection& a, const Rejection& b) { return a.index < b.index; });
  if (!rejected.empty() && !lenient) {
    const Rejection& first = rejected.front();
    throw InvalidInput(row_name(first.index, f.index[py::int_(first.index)]) + ": " + first.column + ": " +
                       first.message);
  }
  for (const Rejection& r : rejected)
    report.rejected.push_back({r.index, f.index[py::int_(r.index)], r.column, r.message});
  report.accepted = n - report.rejected.size();
  return report;
}

std::vector<Event> events_of_frame(py::handle frame, const char* who) {
  const FrameColumns f = read_columns(frame, who);
  if (!f.errors.all().empty()) {
    const auto& [row, e] = *f.errors.all().begin();
    throw InvalidInput(row_name(row, f.index[py::int_(row)]) + ": " + e.first + ": " + e.second);
  }
  std::vector<Event> out(f.n);
  for (std::size_t i = 0; i < f.n; ++i) f.fill(i, out[i]);
  return out;
}

}  // namespace clientrisk::python
