// Engine.actions, worklist, credit_limits, alerts, provisions and portfolio; clientrisk.roll_rates
// and loss_rates.
#pragma once

#include <pybind11/pybind11.h>

namespace clientrisk::python {

// Adds the methods to the Engine class bound before.
void bind_review(pybind11::module_& m);

}  // namespace clientrisk::python
