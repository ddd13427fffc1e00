// Conversions between Python values and clientrisk's types, shared by the module's files:
// dates, amounts and texts from the many forms pandas and numpy give them, and the exception
// classes of the package.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <string_view>

#include "clientrisk/date.hpp"
#include "clientrisk/money.hpp"

namespace clientrisk::python {

namespace py = pybind11;

// Python objects looked up once at import: the exception classes and the types conversions test.
struct Types {
  py::object error, invalid_input, format_error, io_error;
  py::object date, datetime, decimal, nat, na;
  py::object np_integer, np_floating, np_datetime64, np_isnat;
};
Types& types();
void init_types(py::module_& m);

// Thrown by conversions; the caller adds the row and the column.
struct BadValue {
  std::string message;
};

// None, a float NaN, pd.NA or pd.NaT.
bool is_missing(py::handle v);

// The text a value stands for, or nullopt for a missing one (None, NaN, pd.NA, NaT).
// str as it is; int as its decimal digits; an integral float as an int; other types refused.
std::optional<std::string> text_of(py::handle v, std::string_view what);

// A calendar date from str (YYYY-MM-DD), datetime.date, a datetime or pandas Timestamp at
// midnight, or numpy.datetime64; nullopt for a missing one.
std::optional<Date> date_of(py::handle v);

// An amount in currency units from str or Decimal ("1200.50"), int (1200 is 1200.00) or float
// (read as its shortest decimal form: 1200.5 is 1200.50, 1.005 has three decimals and is refused);
// nullopt for a missing one.
std::optional<Money> amount_of(py::handle v);

// A date argument that may be None (as_of=None).
std::optional<Date> optional_date(const py::object& v, std::string_view name);

// Shortest text that reads back as x, as Python's repr (0.35, 1e+300).
std::string shortest(double x);

// Shortest decimal text of a finite double without exponent (what Python's repr gives, in
// positional form).
std::string shortest_fixed(double x);

// The amount in *text, parsed as the event file's amount column is.
Money parse_amount(std::string_view text);

}  // namespace clientrisk::python
