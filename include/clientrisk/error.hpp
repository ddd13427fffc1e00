// The one exception hierarchy of clientrisk. The C ABI and the Python bindings map
// these classes to their own status codes and exception types through one table.
#pragma once

#include <stdexcept>
#include <string>

namespace clientrisk {
inline namespace v1 {

// Base of everything clientrisk throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A value given by the caller is invalid (a negative amount, an unknown client, a bad model).
class InvalidInput : public Error {
 public:
  using Error::Error;
};

// A file or text does not follow its format; the message names file, line and column.
class FormatError : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

// A file could not be opened, read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

}  // namespace v1
}  // namespace clientrisk
