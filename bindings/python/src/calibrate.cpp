// clientrisk.calibrate (logistic regression) and the metrics functions: numpy in, without a
// Python loop, the GIL released while they work.
#include "calibrate.hpp"

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "clientrisk/backtest.hpp"
#include "clientrisk/calibrate.hpp"
#include "clientrisk/metrics.hpp"
#include "convert.hpp"
#include "frame.hpp"

namespace clientrisk::python {
namespace {

using namespace pybind11::literals;

// A 1-D float64 array (converted when it is another numeric type), named in errors as `what`.
py::array_t<double, py::array::c_style> vector_of(const py::object& v, const char* what) {
  py::object a = py::module_::import("numpy").attr("asarray")(v);
  py::array arr = a;
  const char kind = arr.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
    throw InvalidInput(std::string(what) + ": expected numbers, got dtype " + py::str(arr.dtype()).cast<std::string>());
  if (arr.ndim() != 1)
    throw InvalidInput(std::string(what) + ": expected a 1-D array, got " + std::to_string(arr.ndim()) + " dimension(s)");
  return py::array_t<double, py::array::c_style>::ensure(arr);
}

std::span<const double> span_of(const py::array_t<double, py::array::c_style>& a) {
  return {a.data(), static_cast<std::size_t>(a.shape(0))};
}

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The design matrix of calibrate: 2-D numeric, or a DataFrame (its columns' names kept).
py::array_t<double, py::array::c_style> matrix_of(py::object x, std::vector<std::string>& names) {
  py::object pandas = py::module_::import("pandas");
  if (py::isinstance(x, pandas.attr("DataFrame"))) {
    for (auto c : x.attr("columns")) names.push_back(py::str(c).cast<std::string>());
    x = x.attr("to_numpy")("dtype"_a = "float64");
  }
  py::array arr = py::module_::import("numpy").attr("asarray")(x);
  const char kind = arr.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
    throw InvalidInput("X: expected numbers, got dtype " + py::str(arr.dtype()).cast<std::string>());
  if (arr.ndim() != 2) throw InvalidInput("X: expected a 2-D array, got " + std::to_string(arr.ndim()) + " dimension(s)");
  return py::array_t<double, py::array::c_style>::ensure(arr);
}

struct PyFit {
  LogisticFit fit;
  std::vector<std::string> names;
};

PyFit calibrate(py::object X, py::object y, double l2, bool intercept, bool non_negative, int max_iterations,
                double tolerance, unsigned threads) {
  PyFit out;
  const auto x = matrix_of(std::move(X), out.names);
  const auto yv = vector_of(y, "y");
  LogisticOptions o;
  o.l2 = l2;
  o.intercept = intercept;
  o.non_negative = non_negative;
  o.max_iterations = max_iterations;
  o.tolerance = tolerance;
  o.threads = threads;
  const Eigen::Map<const RowMatrix> m(x.data(), x.shape(0), x.shape(1));
  {
    py::gil_scoped_release release;
    out.fit = fit_logistic(m, span_of(yv), o);
  }
  return out;
}

// A metric of two 1-D arrays, named first and second in errors.
template <typename F>
double metric(const py::object& a, const py::object& b, const char* first, const char* second, F&& f) {
  const auto x = vector_of(a, first), y = vector_of(b, second);
  py::gil_scoped_release release;
  return f(span_of(x), span_of(y));
}

py::object backtest(py::handle events, py::object dates, int horizon, std::optional<Model> model, int days_past_due,
                    bool write_off, bool lawsuit, bool litigation) {
  std::vector<Event> ev;
  if (py::isinstance<PyEngine>(events)) {
    PyEngine& engine = events.cast<PyEngine&>();
    if (!engine.keep_history)
      throw InvalidInput("backtest: this engine does not keep its events; make it with Engine(keep_history=True), or "
                         "pass the events DataFrame");
    with_engine(engine, [&](Engine& en) {
      ev = engine.history;
      if (!model) model = en.model();
    });
  } else {
    ev = events_of_frame(events, "backtest");
  }
  std::vector<Date> when;
  py::object as_list = py::module_::import("builtins").attr("list")(
      py::isinstance<py::str>(dates) || !py::hasattr(dates, "__iter__") ? py::make_tuple(dates) : dates);
  for (auto d : as_list) {
    const auto parsed = optional_date(py::reinterpret_borrow<py::object>(d), "dates");
    if (!parsed) throw InvalidInput("dates: a date is missing");
    when.push_back(*parsed);
  }
  BacktestOptions o;
  o.horizon_days = horizon;
  o.outcome.days_past_due = days_past_due;
  o.outcome.write_off = write_off;
  o.outcome.lawsuit = lawsuit;
  o.outcome.litigation = litigation;
  const Model m = model.value_or(Model{});
  BacktestData d;
  {
    py::gil_scoped_release release;
    d = backtest_data(ev, when, m, o);
  }
  py::module_ np = py::module_::import("numpy");
  py::dict columns;
  columns["client"] = py::cast(d.client);
  std::vector<std::int64_t> days;
  for (Date x : d.as_of) days.push_back(x.days());
  columns["as_of"] = np.attr("array")(py::cast(days), "dtype"_a = "int64").attr("astype")("datetime64[D]");
  columns["score"] = py::cast(Eigen::VectorXd(d.score));
  std::vector<std::string> band;
  for (Band b : d.band) band.emplace_back(to_string(b));
  columns["band"] = py::cast(band);
  for (int k = 0; k < factor_count; ++k)
    columns[py::str(std::string(factor_names[static_cast<std::size_t>(k)]))] = py::cast(Eigen::VectorXd(d.sub.col(k)));
  for (int k = 0; k < feature_count; ++k)
    columns[py::str(std::string(feature_names[static_cast<std::size_t>(k)]))] = py::cast(Eigen::VectorXd(d.features.col(k)));
  columns["outcome"] = np.attr("array")(py::cast(d.outcome), "dtype"_a = "int8");
  return py::module_::import("pandas").attr("DataFrame")(columns);
}

py::tuple calibrated_model_of(py::object backtest, std::optional<Model> model, double l2,
                              std::optional<std::tuple<double, double, double>> points) {
  py::list factors;
  for (auto f : factor_names) factors.append(py::str(std::string(f)));
  if (!py::hasattr(backtest, "columns")) throw InvalidInput("backtest: expected the DataFrame clientrisk.backtest returns");
  for (auto f : factors)
    if (!backtest.attr("columns").attr("__contains__")(f).cast<bool>())
      throw InvalidInput("backtest: no column '" + f.cast<std::string>() + "' (see clientrisk.FACTORS)");
  if (!backtest.attr("columns").attr("__contains__")("outcome").cast<bool>())
    throw InvalidInput("backtest: no column 'outcome'");
  PyFit fit = calibrate(backtest.attr("__getitem__")(factors), backtest.attr("__getitem__")("outcome"), l2, true, true,
                        100, 1e-10, 1);
  Model m = model.value_or(Model{});
  for (int k = 0; k < factor_count; ++k) m.weights[static_cast<std::size_t>(k)] = fit.fit.coef(k);
  m.calibrated = 1;
  m.calibration_intercept = fit.fit.intercept;
  validate(m);
  if (points) m = scorecard_model(m, std::get<0>(*points), std::get<1>(*points), std::get<2>(*points));
  return py::make_tuple(m, fit);
}

}  // namespace

// A docstring that lives as long as the module (pybind11 keeps the pointer).
const char* keep(std::string text) {
  static std::vector<std::unique_ptr<std::string>> texts;
  texts.push_back(std::make_unique<std::string>(std::move(text)));
  return texts.back()->c_str();
}

void bind_calibration(py::module_& m) {
  py::class_<PyFit>(m, "LogisticFit", R"doc(
A fitted logistic regression: P(bad) = 1 / (1 + exp(-(intercept + X @ coef))).

Made by :func:`clientrisk.calibrate`.
)doc")
      .def_property_readonly("coef", [](const PyFit& f) { return Eigen::VectorXd(f.fit.coef); },
                             "numpy.ndarray: one coefficient per column of X.")
      .def_property_readonly("intercept", [](const PyFit& f) { return f.fit.intercept; }, "float: 0 when fitted without one.")
      .def_property_readonly("std_error", [](const PyFit& f) { return Eigen::VectorXd(f.fit.std_error); },
                             "numpy.ndarray: standard errors of coef, from the inverse Hessian (penalised when l2 > 0); "
                             "0 for a coefficient held at 0 by non_negative.")
      .def_property_readonly("intercept_std_error", [](const PyFit& f) { return f.fit.intercept_std_error; },
                             "float: standard error of the intercept.")
      .def_property_readonly("log_likelihood", [](const PyFit& f) { return f.fit.log_likelihood; },
                             "float: the (unpenalised) log-likelihood at the solution.")
      .def_property_readonly("iterations", [](const PyFit& f) { return f.fit.iterations; }, "int: Newton iterations.")
      .def_property_readonly("converged", [](const PyFit& f) { return f.fit.converged; },
                             "bool: always True (a fit that does not converge raises instead).")
      .def_property_readonly("columns", [](const PyFit& f) { return f.names; },
                             "list of str: the DataFrame's column names, empty for an array.")
      .def("predict_proba", [](const PyFit& f, py::object X) {
        std::vector<std::string> ignored;
        const auto x = matrix_of(std::move(X), ignored);
        if (x.shape(1) != f.fit.coef.size())
          throw InvalidInput("X: expected " + std::to_string(f.fit.coef.size()) + " columns, got " + std::to_string(x.shape(1)));
        const Eigen::Map<const RowMatrix> mx(x.data(), x.shape(0), x.shape(1));
        Eigen::VectorXd eta = mx * f.fit.coef;
        eta.array() += f.fit.intercept;
        return Eigen::VectorXd((1 + (-eta.array()).exp()).inverse());
      }, "X"_a, R"doc(
P(bad) for each row of X.

Parameters
----------
X : numpy.ndarray or pandas.DataFrame
    Shape (n, len(coef)).

Returns
-------
numpy.ndarray of float64
)doc")
      .def("__repr__", [](const PyFit& f) {
        return "LogisticFit(columns=" + std::to_string(f.fit.coef.size()) + ", intercept=" + shortest(f.fit.intercept) +
               ", iterations=" + std::to_string(f.fit.iterations) + ")";
      });

  m.def("calibrate", &calibrate, "X"_a, "y"_a, py::kw_only(), "l2"_a = 0.0, "intercept"_a = true,
        "non_negative"_a = false, "max_iterations"_a = 100, "tolerance"_a = 1e-10, "threads"_a = 1u, R"doc(
Fits a logistic regression of 0/1 outcomes on a numeric matrix, by Newton's method (IRLS).

Parameters
----------
X : numpy.ndarray or pandas.DataFrame
    Shape (n, p), any numeric dtype; the sub-scores, the features or the analyst's own columns.
y : array-like
    0 or 1 per row (1: went bad).
l2 : float, default 0
    Ridge penalty l2/2 * |coef|^2 (not on the intercept).
intercept : bool, default True
non_negative : bool, default False
    Keep every coefficient >= 0, so that more of a risk driver never lowers the probability.
max_iterations : int, default 100
tolerance : float, default 1e-10
    Convergence when the largest Newton step is below tolerance * (1 + max |coef|),
    each coefficient measured in the units of its column (times its root mean square).
threads : int, default 1
    Threads sharing the rows (0: one per core). The fit is the same bits whatever the number.

Returns
-------
LogisticFit

Raises
------
InvalidInputError
    NaN or infinite values (naming row and column), outcomes other than 0 and 1, one class only,
    fewer rows than coefficients + 1, a constant column without l2, classes separated perfectly
    without l2 (their maximum-likelihood coefficients are infinite), no convergence.
)doc");

  m.def("backtest", &backtest, "events"_a, "dates"_a, "horizon"_a = 180, "model"_a = py::none(), py::kw_only(),
        "days_past_due"_a = 60, "write_off"_a = true, "lawsuit"_a = true, "litigation"_a = true, R"doc(
Backtests a model on a ledger's history, without look-ahead.

For each date T, every client with events on or before T is scored as of T (only those events
count), beside whether it went bad in (T, T + horizon]: an invoice still open days_past_due days
after its due date on some day of the window, a write-off, a lawsuit (legal_notice lawsuit) or a
litigation (dispute_resolved litigation), each of which can be turned off.

Parameters
----------
events : pandas.DataFrame or Engine
    The events, with the columns of the event file (as ``Engine.post_frame`` reads them; for a
    file, ``pandas.read_csv(path, dtype=str, keep_default_na=False)``), or an engine made with
    ``keep_history=True``, whose events and model are used.
dates : date-like or list of them
    The dates T.
horizon : int, default 180
    Days of the outcome window.
model : Model, optional
    The engine's model for an engine, else the built-in one, when omitted.
days_past_due, write_off, lawsuit, litigation
    The outcome rule (docs/calibration.md).

Returns
-------
pandas.DataFrame
    One row per client and date, dates ascending: client, as_of, score, band, the seven
    sub-scores (clientrisk.FACTORS), the 24 features (clientrisk.FEATURES), outcome (0 or 1).

Raises
------
InvalidInputError
    A bad event (naming its row and column), no dates, a horizon below one day, or a date whose
    window ends after the latest event (its outcomes are not known yet).
)doc");
  m.def("scorecard_model", &scorecard_model, "model"_a, "base"_a, "odds"_a, "pdo"_a, R"doc(
A calibrated model that scores in scorecard points.

The same regression as ``model`` (calibrated 1 or 2), with scores in points that grow with the
risk: ``base`` points at odds of going bad of ``odds`` (p / (1 - p)), ``pdo`` more each time those
odds double. Each factor's contribution is its log-odds times pdo / ln 2, so contributions add up
to the score less the points at the intercept. The band limits become the points of the
probabilities they stood for (docs/calibration.md).

Parameters
----------
model : Model
    Calibrated (``model.calibrated`` 1 or 2).
base : float
    Points at the base odds.
odds : float
    Odds of going bad at ``base`` points, in (0, 1e9]: 0.02 is 1 to 50.
pdo : float
    Points to double the odds, > 0.

Returns
-------
Model
    ``calibrated == 2``, valid.

Raises
------
InvalidInputError
    An uncalibrated model or a value out of range, naming the field.
)doc");
  m.def("calibrated_model", &calibrated_model_of, "backtest"_a, "model"_a = py::none(), "l2"_a = 0.0,
        "points"_a = py::none(), R"doc(
A calibrated model learnt from a backtest.

The new model keeps the parameters of ``model``; its weights are the non-negative coefficients
of a logistic regression of the outcome on the seven sub-scores, and its score is the
probability of going bad within the backtest's horizon, in percent (docs/calibration.md).

Parameters
----------
backtest : pandas.DataFrame
    What :func:`clientrisk.backtest` returns (the columns of ``clientrisk.FACTORS`` and outcome).
model : Model, optional
    The model whose other parameters to keep; the built-in one when omitted.
l2 : float, default 0
    Ridge penalty of the regression.
points : (base, odds, pdo), optional
    Score in scorecard points instead of a probability, as :func:`clientrisk.scorecard_model`.

Returns
-------
model : Model
    Calibrated (``model.calibrated`` 1, or 2 with ``points``) and valid.
fit : LogisticFit
    The regression: coefficients, standard errors, iterations.

Raises
------
InvalidInputError
    A missing column, or as :func:`clientrisk.calibrate` (one class only, separated outcomes
    without l2, ...).
)doc");
  const char* scored = R"doc(

Parameters
----------
scores : array-like of float
    Higher for riskier rows.
y : array-like of 0 and 1
    1: went bad. Both classes must be present.

Returns
-------
float
)doc";
  m.def("auc", [](py::object s, py::object y) { return metric(s, y, "scores", "y", [](auto a, auto b) { return auc(a, b); }); },
        "scores"_a, "y"_a, keep(std::string(R"doc(
Area under the ROC curve: the probability that a random bad row (y = 1) scores above a random
good one, ties counting half; equal to sklearn.metrics.roc_auc_score. Exact: integer counts,
one division.)doc") + scored));
  m.def("gini", [](py::object s, py::object y) { return metric(s, y, "scores", "y", [](auto a, auto b) { return gini(a, b); }); },
        "scores"_a, "y"_a, keep(std::string(R"doc(
Gini coefficient (accuracy ratio): 2 * auc - 1.)doc") + scored));
  m.def("ks", [](py::object s, py::object y) { return metric(s, y, "scores", "y", [](auto a, auto b) { return ks(a, b); }); },
        "scores"_a, "y"_a, keep(std::string(R"doc(
Kolmogorov-Smirnov statistic: the largest gap between the empirical distribution functions of
the scores of bad and of good rows (scipy.stats.ks_2samp's statistic).)doc") + scored));
  const char* probabilities = R"doc(

Parameters
----------
p : array-like of float
    Predicted probabilities of going bad, in [0, 1].
y : array-like of 0 and 1

Returns
-------
float
)doc";
  m.def("brier", [](py::object p, py::object y) { return metric(p, y, "p", "y", [](auto a, auto b) { return brier(a, b); }); },
        "p"_a, "y"_a, keep(std::string(R"doc(
Brier score: the mean of (p - y)^2.)doc") + probabilities));
  m.def("log_loss", [](py::object p, py::object y) { return metric(p, y, "p", "y", [](auto a, auto b) { return log_loss(a, b); }); },
        "p"_a, "y"_a, keep(std::string(R"doc(
Log loss: the mean of -(y ln p + (1 - y) ln(1 - p)), p clipped to [1e-15, 1 - 1e-15].)doc") + probabilities));
  m.def("psi", [](py::object expected, py::object actual, std::size_t bins) {
    const auto e = vector_of(expected, "expected"), a = vector_of(actual, "actual");
    py::gil_scoped_release release;
    return psi(span_of(e), span_of(a), bins);
  }, "expected"_a, "actual"_a, "bins"_a = 10, R"doc(
Population stability index of actual scores against expected ones.

Bins are cut at the quantiles of expected; PSI = sum over bins of (a - e) ln(a / e), shares
floored at 1e-4. Below 0.10: stable; 0.10 to 0.25: watch; above 0.25: act.

Parameters
----------
expected : array-like of float
    The reference distribution (the development sample, or an earlier date).
actual : array-like of float
bins : int, default 10

Returns
-------
float
)doc");
  m.def("calibration_table", [](py::object p, py::object y, std::size_t groups) {
    const auto pv = vector_of(p, "p"), yv = vector_of(y, "y");
    std::vector<CalibrationGroup> table;
    {
      py::gil_scoped_release release;
      table = calibration_table(span_of(pv), span_of(yv), groups);
    }
    py::dict columns;
    std::vector<std::size_t> rows;
    std::vector<double> lowest, highest, predicted, observed;
    for (const auto& g : table) {
      rows.push_back(g.rows);
      lowest.push_back(g.lowest);
      highest.push_back(g.highest);
      predicted.push_back(g.mean_predicted);
      observed.push_back(g.observed_rate);
    }
    columns["rows"] = py::cast(rows);
    columns["lowest"] = py::cast(lowest);
    columns["highest"] = py::cast(highest);
    columns["mean_predicted"] = py::cast(predicted);
    columns["observed_rate"] = py::cast(observed);
    return py::module_::import("pandas").attr("DataFrame")(columns);
  }, "p"_a, "y"_a, "groups"_a = 10, R"doc(
Calibration table: rows sorted by predicted probability and cut into groups of equal counts.

Parameters
----------
p : array-like of float
    Predicted probabilities, in [0, 1].
y : array-like of 0 and 1
groups : int, default 10
    Deciles by default.

Returns
-------
pandas.DataFrame
    One row per group: rows, lowest, highest, mean_predicted, observed_rate.
)doc");
}

}  // namespace clientrisk::python
