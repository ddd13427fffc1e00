#include "convert.hpp"

#include <charconv>
#include <cmath>

#include "clientrisk/error.hpp"

namespace clientrisk::python {

Types& types() {
  static Types* t = new Types();  // lives as long as the interpreter's references to the module
  return *t;
}

namespace {

py::object make_exception(py::module_& m, const char* name, py::tuple bases, const char* doc) {
  py::dict ns;
  ns["__module__"] = "clientrisk";
  ns["__doc__"] = doc;
  py::object cls = py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(&PyType_Type))(name, bases, ns);
  m.attr(name) = cls;
  return cls;
}

bool is_missing_float(py::handle v) { return PyFloat_Check(v.ptr()) && std::isnan(PyFloat_AS_DOUBLE(v.ptr())); }

std::string type_name(py::handle v) { return py::str(py::type::handle_of(v).attr("__name__")); }

}  // namespace

void init_types(py::module_& m) {
  Types& t = types();
  t.error = make_exception(m, "Error", py::make_tuple(py::handle(PyExc_Exception)),
                           "Base of every error clientrisk raises.");
  t.invalid_input =
      make_exception(m, "InvalidInputError", py::make_tuple(t.error, py::handle(PyExc_ValueError)),
                     "A value given is invalid: an event, a feature matrix, a model's parameter or an argument.\n\n"
                     "Also a ValueError. The message names the row and the field.");
  t.format_error = make_exception(m, "FormatError", py::make_tuple(t.invalid_input),
                                  "A file does not follow its format: an event file, a model file or a snapshot.\n\n"
                                  "Also an InvalidInputError and a ValueError. The message names the file, and for\n"
                                  "an event file the line and the column; ``problem`` says what is wrong with a\n"
                                  "model or snapshot file (for instance ``'checksum_mismatch'``), else ``None``.");
  t.io_error = make_exception(m, "IoError", py::make_tuple(t.error, py::handle(PyExc_OSError)),
                              "A file could not be opened, read or written. Also an OSError.");
  py::module_ datetime = py::module_::import("datetime");
  t.date = datetime.attr("date");
  t.datetime = datetime.attr("datetime");
  t.decimal = py::module_::import("decimal").attr("Decimal");
  py::module_ pandas = py::module_::import("pandas");
  t.nat = pandas.attr("NaT");
  t.na = pandas.attr("NA");
  py::module_ numpy = py::module_::import("numpy");
  t.np_integer = numpy.attr("integer");
  t.np_floating = numpy.attr("floating");
  t.np_datetime64 = numpy.attr("datetime64");
  t.np_isnat = numpy.attr("isnat");
}

bool is_missing(py::handle v) {
  const Types& t = types();
  return v.is_none() || is_missing_float(v) || v.is(t.na) || v.is(t.nat);
}

std::string shortest(double x) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, r.ptr);
}

std::string shortest_fixed(double x) {
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

Money parse_amount(std::string_view text) {
  const char* why = nullptr;
  auto m = Money::parse(text, &why);
  if (!m) throw BadValue{"'" + std::string(text) + "': " + why};
  return *m;
}

std::optional<std::string> text_of(py::handle v, std::string_view what) {
  if (PyUnicode_Check(v.ptr())) {
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(v.ptr(), &n);
    if (!s) {
      PyErr_Clear();
      throw BadValue{"is not encodable as UTF-8"};
    }
    return std::string(s, static_cast<std::size_t>(n));
  }
  if (is_missing(v)) return std::nullopt;
  if (PyBool_Check(v.ptr())) throw BadValue{"a bool is not a valid " + std::string(what)};
  if (PyLong_Check(v.ptr()) || py::isinstance<py::int_>(v)) return py::str(v).cast<std::string>();
  if (PyFloat_Check(v.ptr())) {
    const double x = PyFloat_AS_DOUBLE(v.ptr());
    if (std::isfinite(x) && x == std::trunc(x) && std::fabs(x) < 9007199254740992.0)
      return std::to_string(static_cast<long long>(x));
    throw BadValue{"the float " + py::repr(v).cast<std::string>() + " is not a valid " + std::string(what)};
  }
  if (py::isinstance(v, types().np_integer))
    return py::str(v).cast<std::string>();
  throw BadValue{"a " + type_name(v) + " is not a valid " + std::string(what) + " (give a str)"};
}

std::optional<Date> date_of(py::handle v) {
  const Types& t = types();
  if (PyUnicode_Check(v.ptr())) {
    const std::string s = v.cast<std::string>();
    if (s.empty()) return std::nullopt;
    auto d = Date::parse(s);
    if (!d) throw BadValue{"'" + s + "' is not a valid date (YYYY-MM-DD)"};
    return d;
  }
  if (is_missing(v)) return std::nullopt;
  if (py::isinstance(v, t.datetime)) {
    for (const char* part : {"hour", "minute", "second", "microsecond"})
      if (v.attr(part).cast<int>() != 0)
        throw BadValue{py::str(v).cast<std::string>() + " has a time of day; give a date"};
    if (py::hasattr(v, "nanosecond") && v.attr("nanosecond").cast<int>() != 0)
      throw BadValue{py::str(v).cast<std::string>() + " has a time of day; give a date"};
  }
  if (py::isinstance(v, t.date)) {
    auto d = Date::from_civil(v.attr("year").cast<int>(), v.attr("month").cast<unsigned>(),
                              v.attr("day").cast<unsigned>());
    if (!d) throw BadValue{py::str(v).cast<std::string>() + " is not a valid date"};
    return d;
  }
  if (py::isinstance(v, t.np_datetime64)) {
    if (t.np_isnat(v).cast<bool>()) return std::nullopt;
    py::object day = v.attr("astype")("datetime64[D]");
    if (!day.attr("__eq__")(v).cast<bool>()) throw BadValue{py::str(v).cast<std::string>() + " has a time of day; give a date"};
    const auto days = day.attr("astype")("int64").cast<long long>();
    const Date d = Date::from_days(static_cast<std::int32_t>(days));
    if (days < INT32_MIN || days > INT32_MAX || !in_calendar(d))
      throw BadValue{py::str(v).cast<std::string>() + " is outside the years 0001 to 9999"};
    return d;
  }
  throw BadValue{"a " + type_name(v) + " is not a date (give 'YYYY-MM-DD', a datetime.date or a datetime64)"};
}

std::optional<Money> amount_of(py::handle v) {
  if (PyUnicode_Check(v.ptr())) {
    const std::string s = v.cast<std::string>();
    if (s.empty()) return std::nullopt;
    return parse_amount(s);
  }
  if (is_missing(v)) return std::nullopt;
  if (PyBool_Check(v.ptr())) throw BadValue{"a bool is not an amount"};
  if (PyFloat_Check(v.ptr())) {
    const double x = PyFloat_AS_DOUBLE(v.ptr());
    if (!std::isfinite(x)) throw BadValue{py::repr(v).cast<std::string>() + " is not an amount"};
    return parse_amount(shortest_fixed(x));
  }
  if (PyLong_Check(v.ptr()) || py::isinstance(v, types().decimal) ||
      py::isinstance(v, types().np_integer)) {
    if (py::isinstance(v, types().decimal) && !v.attr("is_finite")().cast<bool>())
      throw BadValue{py::str(v).cast<std::string>() + " is not an amount"};
    return parse_amount(py::str(v).cast<std::string>());
  }
  if (py::isinstance(v, types().np_floating))
    return amount_of(py::float_(py::reinterpret_borrow<py::object>(v)));
  throw BadValue{"a " + type_name(v) + " is not an amount (give a str such as '1200.50', an int, a float or a Decimal)"};
}

std::optional<Date> optional_date(const py::object& v, std::string_view name) {
  if (v.is_none()) return std::nullopt;
  try {
    auto d = date_of(v);
    if (!d) throw BadValue{"is missing"};
    return d;
  } catch (const BadValue& b) {
    throw InvalidInput(std::string(name) + ": " + b.message);
  }
}

}  // namespace clientrisk::python
