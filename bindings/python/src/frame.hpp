// The Python engine and the posting of a pandas DataFrame of events.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "clientrisk/engine.hpp"
#include "convert.hpp"

namespace clientrisk::python {

// An engine shared by Python threads: every call holds its mutex (scoring advances the
// ledger, so it writes too), taken with the GIL released so that a waiting thread never
// holds the GIL the working one needs back.
struct PyEngine {
  explicit PyEngine(const Model& m) : engine(m) {}
  explicit PyEngine(Engine e) : engine(std::move(e)) {}
  Engine engine;
  std::mutex mutex;
  // Engine(keep_history=True): every event applied, in posting order, for clientrisk.backtest.
  bool keep_history = false;
  std::vector<Event> history;
};

// Runs f(engine) with the GIL released and the engine's mutex held.
template <class F>
auto with_engine(PyEngine& e, F&& f) {
  py::gil_scoped_release release;
  const std::lock_guard hold(e.mutex);
  return f(e.engine);
}

struct FrameRejection {
  std::size_t row;      // position in the frame (iloc)
  py::object label;     // its index label
  std::string column;
  std::string message;
};

struct FrameReport {
  std::size_t rows = 0;
  std::size_t accepted = 0;
  std::vector<FrameRejection> rejected;  // by row
};

// Posts the rows of frame (columns date, client, kind and optionally ref, amount or
// amount_cents, due, detail) as one batch: strict, the first bad row raises InvalidInputError
// naming its row and column and nothing is applied; lenient, bad rows are reported and the
// others applied.
FrameReport post_frame(PyEngine& engine, py::handle frame, bool lenient);

// The rows of frame as events, converted as post_frame converts them; the first bad value
// raises InvalidInputError naming its row and column (who names the caller). The events are
// not checked against each other (posting them does that).
std::vector<Event> events_of_frame(py::handle frame, const char* who);

}  // namespace clientrisk::python
