// clientrisk.calibrate and the metrics functions (auc, gini, ks, brier, log_loss, psi,
// calibration_table).
#pragma once

#include <pybind11/pybind11.h>

namespace clientrisk::python {

void bind_calibration(pybind11::module_& m);

}  // namespace clientrisk::python
