// clientrisk.calibrate and the metrics functions (auc, gini, ks, brier, log_loss, psi,
// calibration_table).
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace clientrisk::python {

void bind_calibration(pybind11::module_& m);

// A docstring built at run time that lives as long as the module (pybind11 keeps the pointer).
const char* keep(std::string text);

}  // namespace clientrisk::python
