// clientrisk._core: the compiled half of the Python package. The package's __init__.py
// re-exports every public name; docstrings follow numpydoc.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <deque>
#include <map>

#include "clientrisk/clientrisk.hpp"
#include "clientrisk/csv.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/snapshot.hpp"
#include "calibrate.hpp"
#include "review.hpp"
#include "convert.hpp"
#include "frame.hpp"

namespace clientrisk::python {
namespace {

using namespace py::literals;

// --- errors ---------------------------------------------------------------------------------

void raise(const py::object& type, const char* message, py::object problem = py::none()) {
  py::object instance = type(message);
  instance.attr("problem") = std::move(problem);
  PyErr_SetObject(type.ptr(), instance.ptr());
}

void translate(std::exception_ptr p) {
  const Types& t = types();
  try {
    if (p) std::rethrow_exception(p);
  } catch (const FileFormatError& e) {
    raise(t.format_error, e.what(), py::str(std::string(to_string(e.problem()))));
  } catch (const FormatError& e) {
    raise(t.format_error, e.what());
  } catch (const InvalidInput& e) {
    PyErr_SetString(t.invalid_input.ptr(), e.what());
  } catch (const IoError& e) {
    PyErr_SetString(t.io_error.ptr(), e.what());
  } catch (const Error& e) {
    PyErr_SetString(t.error.ptr(), e.what());
  }
}

// --- values ---------------------------------------------------------------------------------

py::object to_python(Date d) {
  const CivilDate c = d.civil();
  return types().date(c.year, c.month, c.day);
}

std::string path_of(const py::object& path) {
  return py::module_::import("os").attr("fspath")(path).cast<std::string>();
}

template <std::size_t N>
py::tuple names_tuple(const std::array<std::string_view, N>& names) {
  py::tuple t(N);
  for (std::size_t i = 0; i < N; ++i) t[i] = py::str(std::string(names[i]));
  return t;
}

py::dict per_factor(const std::array<double, factor_count>& v) {
  py::dict d;
  for (int k = 0; k < factor_count; ++k)
    d[py::str(std::string(factor_names[static_cast<std::size_t>(k)]))] = v[static_cast<std::size_t>(k)];
  return d;
}

py::dict key_figures(const KeyFigures& k) {
  py::dict d;
  d["outstanding_cents"] = k.outstanding.cents();
  d["overdue_cents"] = k.overdue.cents();
  d["over_90_cents"] = k.over_90.cents();
  d["credit_balance_cents"] = k.credit_balance.cents();
  d["disputed_cents"] = k.disputed.cents();
  d["days_beyond_terms"] = k.days_beyond_terms;
  d["revenue_12m_cents"] = k.revenue_12m.cents();
  d["revenue_share"] = k.revenue_share;
  d["open_invoices"] = k.open_invoices;
  d["open_disputes"] = k.open_disputes;
  return d;
}

// A numpy array that owns v's memory (no copy).
template <class T>
py::array_t<T> owned(std::vector<T>&& v) {
  auto* held = new std::vector<T>(std::move(v));
  py::capsule free(held, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(held->size()), held->data(), free);
}

// --- the model ------------------------------------------------------------------------------

const std::map<std::string_view, std::string_view>& parameter_docs() {
  static const std::map<std::string_view, std::string_view> docs = {
      {"band_moderate", "Lowest score of the moderate band, in points."},
      {"band_high", "Lowest score of the high band, in points."},
      {"band_critical", "Lowest score of the critical band, in points."},
      {"payment_half_life_days", "Days over which the weight of a payment experience halves."},
      {"paydex_severe", "PAYDEX at which the payment-history part of non_payment saturates (30: 90 days late)."},
      {"delinquency_full_days", "Days past due at which the delinquency part of non_payment saturates."},
      {"material_amount_cents", "Overdue amount, in cents, below which overdue receivables count in proportion."},
      {"credibility_cents", "Prior weight, in cents, of PAYDEX and of the shares of invoiced amounts."},
      {"overdue_share_weight", "Part of non_payment given when all open receivables are overdue."},
      {"write_off_half_cents", "Written-off amount, in cents, giving half of the write-off part."},
      {"write_off_window_days", "Days over which write-offs count (a whole number)."},
      {"dissatisfaction_half_life_days", "Days over which complaints, returns and disputes halve."},
      {"complaint_half_severity", "Decayed complaint severity points giving half of the complaint part."},
      {"return_share_half", "Returned / invoiced (decayed) giving half of the return part."},
      {"dispute_count_half", "Decayed number of disputes giving half of the dispute part."},
      {"disputed_share_half", "Disputed / invoiced (decayed) giving half of the disputed-share part."},
      {"cancellation_window_days", "Days over which contract cancellations count (a whole number)."},
      {"early_cancellation_weight", "How many times an early cancellation counts."},
      {"cancellation_ratio_half", "Weighted cancellations per contract held giving half of cancellation."},
      {"concentration_share_low", "Revenue share where dependence on the client starts to count."},
      {"concentration_share_high", "Revenue share where concentration saturates."},
      {"seasonality_min_months", "Completed months of history needed to judge seasonality."},
      {"seasonality_cv_low", "Coefficient of variation of 3-month sums where seasonality starts to count."},
      {"seasonality_cv_high", "Coefficient of variation where it saturates."},
      {"seasonality_swing_low", "Swing (1 - lowest / highest quarter) where seasonality starts to count."},
      {"seasonality_swing_high", "Swing where it saturates."},
      {"review_half_life_days", "Days over which the weight of a review halves."},
      {"rating_good", "Mean rating (1 to 5) at or above which reputation is clean."},
      {"rating_bad", "Mean rating at or below which the rating part saturates."},
      {"negative_share_low", "Share of ratings 1 and 2 where it starts to count."},
      {"negative_share_high", "Share of ratings 1 and 2 where it saturates."},
      {"review_credibility", "Decayed number of reviews giving half credibility to their mean."},
      {"legal_window_days", "Days over which legal notices and litigations count (a whole number)."},
      {"lawyer_letter_severity", "legal sub-score of a lawyer's letter."},
      {"formal_notice_severity", "legal sub-score of a formal notice (mise en demeure)."},
      {"lawsuit_severity", "legal sub-score of a lawsuit."},
      {"litigation_severity", "legal sub-score of a dispute resolved by litigation."},
      {"calibrated", "0: weights in points; 1: weights are logistic coefficients and the score the probability of "
                     "going bad in percent; 2: the same regression in scorecard points (points_base, points_odds, points_pdo)."},
      {"calibration_intercept", "Intercept of the logistic regression of a calibrated model."},
      {"points_base", "Points of a scorecard model (calibrated = 2) at odds of going bad of points_odds."},
      {"points_odds", "Odds of going bad, p / (1 - p), at points_base (1/9: a 10 % probability)."},
      {"points_pdo", "Points added each time the odds of going bad double."},
      {"preventive_reminder_days", "preventive_reminder: an invoice due within this many days (docs/actions.md)."},
      {"preventive_paydex_below", "preventive_reminder: for a client whose PAYDEX is below this (has paid late)."},
      {"reminder_deadline_days", "Days a payment reminder's deadline lies after the as-of date."},
      {"formal_notice_days", "formal_notice: an invoice overdue more than this many days."},
      {"insurer_claim_cents", "declare_to_insurer: an open disputed amount of at least this, in cents."},
      {"insurer_deadline_days", "Days a declaration to the insurer's deadline lies after the as-of date."},
      {"provision_days", "provision: an invoice overdue more than this many days."},
      {"dispute_document_days", "document_dispute: a dispute open more than this many days."},
      {"dependence_share", "review_dependence: a client above this share of the 12-month revenue."},
      {"credit_months_low", "Recommended credit limit of a low-band client, in months of its 12-month revenue."},
      {"credit_months_moderate", "The same for the moderate band."},
      {"credit_months_high", "The same for the high band."},
      {"credit_months_critical", "The same for the critical band."},
      {"credit_limit_rounding_cents", "Recommended limits round down to a multiple of this, in cents."},
      {"worklist_urgency_days", "Days past due at which a client's urgency on the worklist is one half."},
  };
  return docs;
}

// Every parameter the package shows: the model's, then the calibration fields.
const std::vector<ModelParameter>& all_parameters() {
  static const std::vector<ModelParameter> all = [] {
    std::vector<ModelParameter> v(model_parameters.begin(), model_parameters.end());
    v.insert(v.end(), calibration_parameters.begin(), calibration_parameters.end());
    v.insert(v.end(), policy_parameters.begin(), policy_parameters.end());
    return v;
  }();
  return all;
}

double number_for(py::handle v, std::string_view name) {
  if (PyBool_Check(v.ptr()) || !(PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr()) || py::isinstance(v, types().np_floating) ||
                                 py::isinstance(v, types().np_integer)))
    throw InvalidInput(std::string(name) + " must be a number, got a " +
                       py::str(py::type::handle_of(v).attr("__name__")).cast<std::string>());
  return v.cast<double>();
}

void set_parameter(Model& m, const ModelParameter& p, py::handle v) {
  const double x = number_for(v, p.name);
  if (!std::isfinite(x) || x < p.min || x > p.max)
    throw InvalidInput(std::string(p.name) + " must be in [" + shortest(p.min) + ", " + shortest(p.max) +
                       "], got " + shortest(x));
  m.*p.field = x;
}

void set_weights(Model& m, py::handle mapping) {
  if (!PyMapping_Check(mapping.ptr()) || PyUnicode_Check(mapping.ptr()))
    throw InvalidInput("weights must be a mapping from factor name to weight");
  Model next = m;
  for (auto item : py::reinterpret_borrow<py::object>(mapping).attr("items")()) {
    auto kv = item.cast<py::tuple>();
    const std::string name = py::str(kv[0]);
    double* w = model_field(next, "weights." + name);
    if (!w) throw InvalidInput("weights: unknown factor '" + name + "' (expected one of " + detail::one_of(factor_names) + ")");
    const double x = number_for(kv[1], "weights." + name);
    if (!std::isfinite(x) || x < 0 || x > 1e6)
      throw InvalidInput("weights." + name + " must be in [0, 1e6], got " + shortest(x));
    *w = x;
  }
  m = next;
}

const ModelParameter* parameter(std::string_view name) {
  for (const ModelParameter& p : all_parameters())
    if (p.name == name) return &p;
  return nullptr;
}

Model model_from_kwargs(const py::kwargs& kwargs) {
  Model m;
  for (auto [key, value] : kwargs) {
    const std::string name = py::str(key);
    if (name == "weights") {
      set_weights(m, value);
    } else if (const ModelParameter* p = parameter(name)) {
      set_parameter(m, *p, value);
    } else {
      throw InvalidInput("Model: unknown parameter '" + name + "'");
    }
  }
  return m;
}

std::string model_repr(const Model& m) {
  std::string out = "Model(weights={";
  for (int k = 0; k < factor_count; ++k)
    out += (k ? ", '" : "'") + std::string(factor_names[static_cast<std::size_t>(k)]) +
           "': " + shortest(m.weights[static_cast<std::size_t>(k)]);
  out += "}";
  const Model d;
  for (const ModelParameter& p : all_parameters())
    if (m.*p.field != d.*p.field) out += ", " + std::string(p.name) + "=" + shortest(m.*p.field);
  const auto problem = model_problem(m);
  if (problem) out += ", invalid: " + *problem;
  else out += ", fingerprint='" + model_fingerprint(m).substr(0, 12) + "...'";
  return out + ")";
}

ArchiveFormat archive_format(const std::string& f) {
  if (f == "xml") return ArchiveFormat::xml;
  if (f == "binary") return ArchiveFormat::binary;
  throw InvalidInput("format must be 'xml' or 'binary', got '" + f + "'");
}

void bind_model(py::module_& m) {
  py::class_<Model> model(m, "Model", R"doc(
The scoring model: factor weights, every factor parameter, band thresholds, half-lives and windows.

Parameters
----------
weights : mapping of str to float, optional
    Weights of the factors named in ``clientrisk.FACTORS``; factors not named keep their default.
**parameters : float
    Any parameter of the model by name (see ``clientrisk.PARAMETERS``), for instance ``band_high=55``.

Notes
-----
Each parameter is an attribute; setting one checks its range at once, and ``validate()`` checks the
rules between parameters (band thresholds in order, for instance). docs/factors.md explains every
formula. Models compare equal when every number is equal, and pickle exactly.

Examples
--------
>>> m = clientrisk.Model(band_high=55, weights={"legal": 0.3})
>>> m.band_high
55.0
)doc");
  model.def(py::init(&model_from_kwargs));
  model.def_static("default", [] { return Model{}; }, R"doc(
The built-in model.

Returns
-------
Model
    The defaults documented in docs/factors.md.
)doc");
  model.def_static("load", [](const py::object& path) {
    const std::string p = path_of(path);
    py::gil_scoped_release release;
    return load_model(p);
  }, "path"_a, R"doc(
Loads a model file (XML or binary, see docs/persistence.md).

Parameters
----------
path : str or os.PathLike

Returns
-------
Model

Raises
------
FormatError
    The file is not a valid model file; ``problem`` says why.
IoError
    The file cannot be read.
)doc");
  model.def("save", [](const Model& self, const py::object& path, const std::string& format) {
    const std::string p = path_of(path);
    const ArchiveFormat f = archive_format(format);
    py::gil_scoped_release release;
    save_model(self, p, f);
  }, "path"_a, "format"_a = "xml", R"doc(
Saves the model atomically: the previous file at path stays whole if the save fails.

Parameters
----------
path : str or os.PathLike
format : {'xml', 'binary'}, default 'xml'

Raises
------
InvalidInputError
    The model is invalid.
IoError
    The file cannot be written; the message names the step that failed.
)doc");
  model.def("validate", [](const Model& self) { validate(self); }, R"doc(
Checks every parameter and the rules between them.

Raises
------
InvalidInputError
    Naming the first invalid field.
)doc");
  model.def_property_readonly("fingerprint", [](const Model& self) { return model_fingerprint(self); }, R"doc(
str: SHA-256 of the model's canonical form, which every score carries.
)doc");
  model.def_property("weights", [](const Model& self) { return per_factor(self.weights); }, &set_weights, R"doc(
dict of str to float: the factor weights (a copy); assign a mapping to change some of them.

Only their ratios matter: a factor's points are 100 x weight / sum of the weights.
)doc");
  static std::deque<std::string> docs;  // pybind11 keeps pointers to docstrings
  for (const ModelParameter& p : all_parameters()) {
    docs.push_back("float: " + std::string(parameter_docs().at(p.name)) + " In [" + shortest(p.min) + ", " +
                   (p.max >= kUnbounded ? std::string("inf") : shortest(p.max)) + "].");
    model.def_property(std::string(p.name).c_str(), [f = p.field](const Model& self) { return self.*f; },
                       [&p](Model& self, py::handle v) { set_parameter(self, p, v); }, docs.back().c_str());
  }
  model.def("to_dict", [](const Model& self) {
    py::dict d;
    d["weights"] = per_factor(self.weights);
    for (const ModelParameter& p : all_parameters()) d[py::str(std::string(p.name))] = self.*p.field;
    return d;
  }, R"doc(
Every number of the model.

Returns
-------
dict
    ``weights`` (a dict per factor) and each parameter by name; ``Model(**d)`` gives the model back.
)doc");
  model.def("__eq__", [](const Model& a, py::object b) {
    return py::isinstance<Model>(b) && a == b.cast<const Model&>();
  }, py::is_operator());
  model.attr("__hash__") = py::none();
  model.def("__repr__", &model_repr);
  model.def("__copy__", [](const Model& self) { return self; });
  model.def("__deepcopy__", [](const Model& self, py::handle) { return self; }, "memo"_a);
  model.def(py::pickle(
      [](const Model& self) { return py::bytes(model_file_bytes(self, ArchiveFormat::binary)); },
      [](const py::bytes& state) { return model_from_file_bytes(std::string(state), "a pickled Model"); }));
}

// --- results --------------------------------------------------------------------------------

std::string score_repr(const Score& s) {
  std::string out = "Score(client='" + s.client + "', as_of=" + s.as_of.to_string() + ", score=" +
                    shortest(std::round(s.score * 100) / 100) + ", band='" + std::string(to_string(s.band)) +
                    "', reasons=[";
  for (std::size_t i = 0; i < s.reasons.size(); ++i) out += (i ? ", '" : "'") + s.reasons[i].code + "'";
  return out + "])";
}

void bind_results(py::module_& m) {
  py::class_<Reason>(m, "Reason", R"doc(
One reason of a score: a factor's contribution, named after the part of the factor that weighs most.

Attributes
----------
code : str
    Stable code, for instance ``'NP-OVER-90'`` (docs/factors.md lists them).
factor : str
    The factor, one of ``clientrisk.FACTORS``.
points : float
    The factor's contribution to the score.
text : str
    One line of English.
)doc")
      .def_readonly("code", &Reason::code, "str: stable code, for instance 'NP-OVER-90'.")
      .def_property_readonly("factor", [](const Reason& r) { return std::string(to_string(r.factor)); }, "str: the factor, one of clientrisk.FACTORS.")
      .def_readonly("points", &Reason::points, "float: the factor's contribution to the score.")
      .def_readonly("text", &Reason::text, "str: one line of English.")
      .def("__repr__", [](const Reason& r) {
        return "Reason(code='" + r.code + "', factor='" + std::string(to_string(r.factor)) + "', points=" +
               shortest(r.points) + ", text='" + r.text + "')";
      });

  py::class_<Score>(m, "Score", R"doc(
One client's score as of a date, with everything that explains it. Made by ``Engine.score``.

Attributes
----------
client : str
as_of : datetime.date
score : float
    In [0, 100]: the sum of the contributions.
band : str
    One of ``clientrisk.BANDS``.
sub_scores : dict of str to float
    Each factor's sub-score, in [0, 1].
contributions : dict of str to float
    Each factor's points; they sum to ``score``.
reasons : list of Reason
    At most four, largest contribution first.
key_figures : dict
    ``outstanding_cents``, ``overdue_cents``, ``over_90_cents``, ``credit_balance_cents``,
    ``disputed_cents``, ``revenue_12m_cents`` (integers, minor units), ``days_beyond_terms``,
    ``revenue_share``, ``open_invoices``, ``open_disputes``.
features : numpy.ndarray
    The 24 features, in the order of ``clientrisk.FEATURES``; ``score_features`` on them gives ``score``.
model_fingerprint : str
    Fingerprint of the model that made the score.
)doc")
      .def_readonly("client", &Score::client, "str: the client id.")
      .def_property_readonly("as_of", [](const Score& s) { return to_python(s.as_of); }, "datetime.date: the date scored as of.")
      .def_readonly("score", &Score::score, "float: the score, in [0, 100].")
      .def_property_readonly("band", [](const Score& s) { return std::string(to_string(s.band)); }, "str: the band, one of clientrisk.BANDS.")
      .def_property_readonly("sub_scores", [](const Score& s) {
        std::array<double, factor_count> v;
        std::copy(s.sub.begin(), s.sub.end(), v.begin());
        return per_factor(v);
      }, "dict of str to float: each factor's sub-score, in [0, 1].")
      .def_property_readonly("contributions", [](const Score& s) { return per_factor(s.contribution); }, "dict of str to float: each factor's points; they sum to score (for a calibrated model, to score minus its base score 100 / (1 + exp(-calibration_intercept))).")
      .def_readonly("reasons", &Score::reasons, "list of Reason: at most four, largest contribution first.")
      .def_property_readonly("key_figures", [](const Score& s) { return key_figures(s.key); }, "dict: amounts in cents (int) and the other key figures of the client.")
      .def_property_readonly("features", [](const Score& s) {
        return owned(std::vector<double>(s.features.begin(), s.features.end()));
      }, "numpy.ndarray: the 24 features, in the order of clientrisk.FEATURES.")
      .def_readonly("model_fingerprint", &Score::model_fingerprint, "str: fingerprint of the model that made the score.")
      .def("__repr__", &score_repr);

  py::class_<CsvRejection>(m, "CsvRejection", R"doc(
A row of an event file that was not imported.

Attributes
----------
line : int
    1-based line where the row starts.
column : str
    The column concerned, or '' for the whole row.
message : str
)doc")
      .def_readonly("line", &CsvRejection::line, "int: 1-based line where the row starts.")
      .def_readonly("column", &CsvRejection::column, "str: the column concerned, or '' for the whole row.")
      .def_readonly("message", &CsvRejection::message, "str: what is wrong.")
      .def("__repr__", [](const CsvRejection& r) {
        return "CsvRejection(line=" + std::to_string(r.line) + ", column='" + r.column + "', message='" + r.message + "')";
      });
  py::class_<CsvReport>(m, "CsvReport", R"doc(
What ``Engine.import_csv`` read.

Attributes
----------
rows : int
    Data rows read.
accepted : int
    Rows posted.
bytes : int
    Bytes read.
rejected : list of CsvRejection
    By line (lenient imports only; a strict import raises instead).
)doc")
      .def_readonly("rows", &CsvReport::rows, "int: data rows read.")
      .def_readonly("accepted", &CsvReport::accepted, "int: rows posted.")
      .def_readonly("bytes", &CsvReport::bytes, "int: bytes read.")
      .def_readonly("rejected", &CsvReport::rejected, "list of CsvRejection: the rows not imported, by line.")
      .def("__repr__", [](const CsvReport& r) {
        return "CsvReport(rows=" + std::to_string(r.rows) + ", accepted=" + std::to_string(r.accepted) +
               ", rejected=" + std::to_string(r.rejected.size()) + ")";
      });

  py::class_<FrameRejection>(m, "FrameRejection", R"doc(
A row of a DataFrame that was not posted.

Attributes
----------
row : int
    Its position (``iloc``).
label : object
    Its index label (``loc``).
column : str
message : str
)doc")
      .def_readonly("row", &FrameRejection::row, "int: the row's position (iloc).")
      .def_readonly("label", &FrameRejection::label, "object: the row's index label (loc).")
      .def_readonly("column", &FrameRejection::column, "str: the column concerned.")
      .def_readonly("message", &FrameRejection::message, "str: what is wrong.")
      .def("__repr__", [](const FrameRejection& r) {
        return "FrameRejection(row=" + std::to_string(r.row) + ", label=" + py::repr(r.label).cast<std::string>() +
               ", column='" + r.column + "', message='" + r.message + "')";
      });
  py::class_<FrameReport>(m, "FrameReport", R"doc(
What ``Engine.post_frame`` posted.

Attributes
----------
rows : int
accepted : int
rejected : list of FrameRejection
    By row (lenient posts only; a strict post raises instead).
)doc")
      .def_readonly("rows", &FrameReport::rows, "int: rows in the frame.")
      .def_readonly("accepted", &FrameReport::accepted, "int: rows posted.")
      .def_readonly("rejected", &FrameReport::rejected, "list of FrameRejection: the rows not posted, by row.")
      .def("__repr__", [](const FrameReport& r) {
        return "FrameReport(rows=" + std::to_string(r.rows) + ", accepted=" + std::to_string(r.accepted) +
               ", rejected=" + std::to_string(r.rejected.size()) + ")";
      });
}

// --- the engine -----------------------------------------------------------------------------

// Everything scores() shows, computed with the GIL released.
struct Explained {
  ScoreTable table;
  std::vector<std::string> ids, codes, texts;
  std::vector<KeyFigures> key;
};

Explained explain_all(Engine& e, std::optional<Date> as_of) {
  Explained x;
  x.table = e.score_all(as_of);
  const std::size_t n = x.table.size();
  x.ids.reserve(n), x.codes.reserve(n), x.texts.reserve(n), x.key.reserve(n);
  for (std::size_t r = 0; r < n; ++r) {
    Score s = e.explain(x.table, r);
    std::string codes, texts;
    for (const Reason& reason : s.reasons) {
      codes += (codes.empty() ? "" : " ") + reason.code;
      texts += (texts.empty() ? "" : "; ") + reason.text;
    }
    x.ids.push_back(std::move(s.client));
    x.codes.push_back(std::move(codes));
    x.texts.push_back(std::move(texts));
    x.key.push_back(s.key);
  }
  return x;
}

py::list str_list(const std::vector<std::string>& v) {
  py::list out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    PyObject* s = PyUnicode_DecodeUTF8(v[i].data(), static_cast<Py_ssize_t>(v[i].size()), "replace");
    if (!s) throw py::error_already_set();
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), s);
  }
  return out;
}

template <class F>
py::array_t<std::int64_t> key_column(const std::vector<KeyFigures>& key, F f) {
  std::vector<std::int64_t> v(key.size());
  for (std::size_t i = 0; i < key.size(); ++i) v[i] = f(key[i]);
  return owned(std::move(v));
}

py::object scores_frame(Explained&& x) {
  py::module_ pd = py::module_::import("pandas");
  const std::size_t n = x.table.size();
  py::dict columns;
  columns["score"] = owned(std::vector<double>(x.table.score.data(), x.table.score.data() + n));
  std::vector<std::int8_t> band(n);
  for (std::size_t i = 0; i < n; ++i) band[i] = static_cast<std::int8_t>(x.table.band[i]);
  columns["band"] = pd.attr("Categorical").attr("from_codes")(owned(std::move(band)), names_tuple(band_names),
                                                              "ordered"_a = true);
  for (const auto& [prefix, matrix] : {std::pair<const char*, const SubScoreMatrix*>{"sub_", &x.table.sub},
                                       std::pair<const char*, const SubScoreMatrix*>{"contribution_", &x.table.contribution}}) {
    for (int k = 0; k < factor_count; ++k) {
      std::vector<double> v(n);
      for (std::size_t i = 0; i < n; ++i) v[i] = (*matrix)(static_cast<Eigen::Index>(i), k);
      columns[py::str(prefix + std::string(factor_names[static_cast<std::size_t>(k)]))] = owned(std::move(v));
    }
  }
  columns["reasons"] = str_list(x.codes);
  columns["reason_texts"] = str_list(x.texts);
  columns["outstanding_cents"] = key_column(x.key, [](const KeyFigures& k) { return k.outstanding.cents(); });
  columns["overdue_cents"] = key_column(x.key, [](const KeyFigures& k) { return k.overdue.cents(); });
  columns["over_90_cents"] = key_column(x.key, [](const KeyFigures& k) { return k.over_90.cents(); });
  columns["credit_balance_cents"] = key_column(x.key, [](const KeyFigures& k) { return k.credit_balance.cents(); });
  columns["disputed_cents"] = key_column(x.key, [](const KeyFigures& k) { return k.disputed.cents(); });
  {
    std::vector<double> dbt(n), share(n);
    for (std::size_t i = 0; i < n; ++i) dbt[i] = x.key[i].days_beyond_terms, share[i] = x.key[i].revenue_share;
    columns["days_beyond_terms"] = owned(std::move(dbt));
    columns["revenue_12m_cents"] = key_column(x.key, [](const KeyFigures& k) { return k.revenue_12m.cents(); });
    columns["revenue_share"] = owned(std::move(share));
  }
  columns["open_invoices"] = key_column(x.key, [](const KeyFigures& k) { return k.open_invoices; });
  columns["open_disputes"] = key_column(x.key, [](const KeyFigures& k) { return k.open_disputes; });
  columns["model_fingerprint"] = pd.attr("Categorical").attr("from_codes")(
      owned(std::vector<std::int8_t>(n, 0)), py::make_tuple(x.table.model_fingerprint));
  py::object index = pd.attr("Index")(str_list(x.ids), "name"_a = "client", "dtype"_a = "object");
  py::object frame = pd.attr("DataFrame")(columns, "index"_a = index);
  frame.attr("attrs")["as_of"] = to_python(x.table.as_of);
  frame.attr("attrs")["model_fingerprint"] = x.table.model_fingerprint;
  return frame;
}

Event event_of(const py::object& date, const py::object& client, const py::object& kind, const py::object& ref,
               const py::object& amount, const py::object& due, const py::object& detail,
               const py::object& amount_cents) {
  Event e;
  auto field = [](const char* name, auto convert) {
    try {
      return convert();
    } catch (const BadValue& b) {
      throw InvalidInput(std::string(name) + ": " + b.message);
    }
  };
  auto d = field("date", [&] { return date_of(date); });
  if (!d) throw InvalidInput("date: date is missing");
  e.date = *d;
  e.client = field("client", [&] { return text_of(client, "client"); }).value_or("");
  const std::string k = field("kind", [&] { return text_of(kind, "kind"); }).value_or("");
  auto parsed = parse_event_kind(k);
  if (!parsed) throw InvalidInput("kind: unknown kind '" + k + "' (expected one of " + detail::one_of(event_kind_names) + ")");
  e.kind = *parsed;
  e.ref = field("ref", [&] { return text_of(ref, "ref"); }).value_or("");
  if (!amount.is_none() && !amount_cents.is_none()) throw InvalidInput("give amount or amount_cents, not both");
  if (!amount_cents.is_none()) {
    if (!PyLong_Check(amount_cents.ptr()) || PyBool_Check(amount_cents.ptr()))
      throw InvalidInput("amount_cents: must be an int, got " + py::repr(amount_cents).cast<std::string>());
    int overflow = 0;
    const long long c = PyLong_AsLongLongAndOverflow(amount_cents.ptr(), &overflow);
    if (overflow) throw InvalidInput("amount_cents: is too large");
    e.amount = Money::from_cents(c);
  } else {
    e.amount = field("amount", [&] { return amount_of(amount); });
  }
  e.due = field("due", [&] { return date_of(due); });
  e.detail = field("detail", [&] { return text_of(detail, "detail"); }).value_or("");
  return e;
}

// A limit given from Python: None for none (the value none), else a positive int.
std::size_t limit_of(std::optional<long long> n, const char* name, std::size_t none = Ledger::npos) {
  if (!n) return none;
  if (*n <= 0) throw InvalidInput(std::string(name) + ": " + std::to_string(*n) + " is not a positive number (None: no limit)");
  return std::min(static_cast<std::size_t>(*n), none);
}
py::object limit_out(std::size_t v, std::size_t none) { return v >= none ? py::object(py::none()) : py::int_(v); }

unsigned threads_of(long long n) {
  if (n < 0 || n > max_threads)
    throw InvalidInput("threads: must be 0 (one per hardware thread) to " + std::to_string(max_threads) + ", got " +
                       std::to_string(n));
  return static_cast<unsigned>(n);
}

void bind_engine(py::module_& m) {
  py::class_<PyEngine> engine(m, "Engine", R"doc(
A ledger and a model: post events in any order, then score clients as of a date.

Parameters
----------
model : Model, optional
    The built-in model when omitted.
threads : int, default 1
    The threads ``scores()`` shares its clients among; 0 means one per hardware thread. Scores
    are the same bits whatever the number. Also an attribute.
keep_history : bool, default False
    Keep every event posted (``post``, ``post_frame``, strict ``import_csv``), so that
    ``clientrisk.backtest(engine, dates)`` can replay them: an engine folds closed invoices into
    aggregates and cannot go back to an earlier date by itself. It costs the events' memory; a
    snapshot does not hold them.
language : str, default 'en'
    'en' or 'fr', the language of reason, action and alert texts. Also an attribute.
max_clients : int, optional
    The most clients the engine takes: an event of a new client beyond is rejected, naming the
    limit. None (the default) for no limit. Also an attribute.
max_events_per_client : int, optional
    The most events one client takes, applied and waiting: a client's events past it are rejected,
    naming the limit. None (the default) for no limit. Also an attribute.

Notes
-----
Several Python threads may share an engine: calls run one at a time, with the GIL released while
they work. Scores are identical bit for bit to those of the C++ library, the C ABI and the command
line. Scoring as of a date folds the events up to it into the clients' state, so dates must be
scored in ascending order (an earlier date raises InvalidInputError).

Examples
--------
>>> engine = clientrisk.Engine()
>>> engine.import_csv("examples/ledger.csv")
CsvReport(rows=..., accepted=..., rejected=0)
>>> engine.scores().sort_values("score", ascending=False).head()
)doc");
  engine.def(py::init([](std::optional<Model> model, long long threads, bool keep_history, const std::string& language,
                          std::optional<long long> max_clients, std::optional<long long> max_events_per_client) {
               auto e = std::make_unique<PyEngine>(model.value_or(Model{}));
               e->engine.set_threads(threads_of(threads));
               e->engine.set_max_clients(limit_of(max_clients, "max_clients"));
               e->engine.set_max_events_per_client(limit_of(max_events_per_client, "max_events_per_client"));
               e->keep_history = keep_history;
               const auto l = parse_language(language);
               if (!l) throw InvalidInput("language: '" + language + "' is not 'en' or 'fr'");
               e->engine.set_language(*l);
               return e;
             }),
             "model"_a = py::none(), "threads"_a = 1, py::kw_only(), "keep_history"_a = false, "language"_a = "en",
             "max_clients"_a = py::none(), "max_events_per_client"_a = py::none());
  auto limit_property = [&engine](const char* name, std::size_t (Engine::*get)() const,
                                  void (Engine::*set)(std::size_t), const char* doc) {
    engine.def_property(name, [get](PyEngine& self) {
      return limit_out(with_engine(self, [&](Engine& en) { return (en.*get)(); }), Ledger::npos);
    }, [set, name](PyEngine& self, std::optional<long long> n) {
      const std::size_t limit = limit_of(n, name);
      with_engine(self, [&](Engine& en) { (en.*set)(limit); });
    }, doc);
  };
  limit_property("max_clients", &Engine::max_clients, &Engine::set_max_clients,
                 "int or None: the most clients the engine takes (None: no limit).");
  limit_property("max_events_per_client", &Engine::max_events_per_client, &Engine::set_max_events_per_client,
                 "int or None: the most events one client takes, applied and waiting (None: no limit).");
  engine.def_property_readonly("keeps_history", [](PyEngine& self) { return self.keep_history; },
                               "bool: whether the engine keeps its events for clientrisk.backtest.");
  engine.def_property("threads", [](PyEngine& self) {
    return with_engine(self, [](Engine& en) { return en.threads(); });
  }, [](PyEngine& self, long long n) {
    const unsigned threads = threads_of(n);
    with_engine(self, [&](Engine& en) { en.set_threads(threads); });
  }, "int: the threads scores() shares its clients among (0: one per hardware thread).");
  engine.def("post", [](PyEngine& self, py::object date, py::object client, py::object kind, py::object ref,
                        py::object amount, py::object due, py::object detail, py::object amount_cents) {
    const Event e = event_of(date, client, kind, ref, amount, due, detail, amount_cents);
    with_engine(self, [&](Engine& en) {
      en.post(e);
      if (self.keep_history) self.history.push_back(e);
    });
  }, "date"_a, "client"_a, "kind"_a, "ref"_a = py::none(), "amount"_a = py::none(), "due"_a = py::none(),
     "detail"_a = py::none(), py::kw_only(), "amount_cents"_a = py::none(), R"doc(
Posts one event.

Parameters
----------
date : str, datetime.date or numpy.datetime64
    The event's date (``'YYYY-MM-DD'``).
client : str
kind : str
    One of ``clientrisk.EVENT_KINDS``.
ref : str, optional
    Invoice or contract id.
amount : str, Decimal, int or float, optional
    In currency units, as in the event file: ``'1200.50'``, ``Decimal('1200.50')``, ``1200`` (1200.00)
    or ``1200.5`` (a float is read as its shortest decimal form and may have at most two decimals).
due : date, optional
    An invoice's due date, a contract's end date.
detail : str or int, optional
    The kind's detail: a severity or rating 1 to 5, an outcome, a cancellation, a notice type.
amount_cents : int, optional
    The amount in minor units instead of ``amount``.

Raises
------
InvalidInputError
    Naming the field; nothing is applied.
)doc");
  engine.def("post_frame", &post_frame, "frame"_a, "lenient"_a = false, R"doc(
Posts every row of a DataFrame of events as one batch, without a Python loop per row.

Parameters
----------
frame : pandas.DataFrame
    Columns ``date``, ``client``, ``kind`` and any of ``ref``, ``amount`` (or ``amount_cents``),
    ``due``, ``detail``; other columns are ignored. Dates may be datetime64 or strings, kinds strings
    or categoricals; amounts follow ``post``; numbers in text columns are read as their digits.
lenient : bool, default False
    False: the first bad row raises and nothing is posted. True: bad rows are reported, the others posted.

Returns
-------
FrameReport

Raises
------
InvalidInputError
    Strict, naming the row (position and index label) and the column.
)doc");
  engine.def("import_csv", [](PyEngine& self, const py::object& path, bool lenient, std::optional<long long> max_field_bytes,
                              std::optional<long long> max_row_bytes, std::optional<long long> max_file_bytes) {
    const std::string p = path_of(path);
    CsvOptions options;
    options.lenient = lenient;
    options.max_field_bytes = limit_of(max_field_bytes, "max_field_bytes", SIZE_MAX);
    options.max_row_bytes = limit_of(max_row_bytes, "max_row_bytes", SIZE_MAX);
    options.max_file_bytes = max_file_bytes ? limit_of(max_file_bytes, "max_file_bytes", SIZE_MAX) : 0;
    if (self.keep_history && lenient)
      throw InvalidInput("import_csv: an engine that keeps its history imports strictly; post_frame(..., lenient=True) "
                         "keeps the accepted rows");
    return with_engine(self, [&](Engine& en) {
      const CsvReport report = import_csv(en, p, options);
      if (self.keep_history) {
        const std::vector<Event> read = read_events_csv(p);
        self.history.insert(self.history.end(), read.begin(), read.end());
      }
      return report;
    });
  }, "path"_a, "lenient"_a = false, py::kw_only(), "max_field_bytes"_a = CsvOptions{}.max_field_bytes,
     "max_row_bytes"_a = CsvOptions{}.max_row_bytes, "max_file_bytes"_a = py::none(), R"doc(
Imports an event file (date,client,kind,ref,amount,due,detail; see the README).

Parameters
----------
path : str or os.PathLike
lenient : bool, default False
    False: the first bad row raises and nothing is imported. True: bad rows are reported.
max_field_bytes : int or None, default 4096
    The longest field: a longer one is an error at its line. None: no limit.
max_row_bytes : int or None, default 65536
    The longest row, quoted line breaks included: a longer one is an error at its line. None: no limit.
max_file_bytes : int, optional
    The largest file: a larger one is refused before it is read (FormatError). None: no limit.

Returns
-------
CsvReport

Raises
------
FormatError
    Strict, with ``file:line: column: message``.
IoError
    The file cannot be read.
)doc");
  engine.def("score", [](PyEngine& self, const std::string& client, const py::object& as_of) {
    const auto d = optional_date(as_of, "as_of");
    return with_engine(self, [&](Engine& en) { return en.score(client, d); });
  }, "client"_a, "as_of"_a = py::none(), R"doc(
One client's score, explained.

Parameters
----------
client : str
as_of : date, optional
    Default: the latest event date posted (or the latest date scored at, when later).

Returns
-------
Score

Raises
------
InvalidInputError
    The client is unknown or has no event on or before ``as_of``, or ``as_of`` is before a date
    already scored.
)doc");
  engine.def("scores", [](PyEngine& self, const py::object& as_of) {
    const auto d = optional_date(as_of, "as_of");
    return scores_frame(with_engine(self, [&](Engine& en) { return explain_all(en, d); }));
  }, "as_of"_a = py::none(), R"doc(
Every client with events on or before ``as_of``, explained, one row each in ledger order.

Parameters
----------
as_of : date, optional
    As for ``score``.

Returns
-------
pandas.DataFrame
    Indexed by ``client``. Columns: ``score``; ``band`` (ordered categorical of ``clientrisk.BANDS``);
    ``sub_<factor>`` and ``contribution_<factor>`` for each factor; ``reasons`` (codes separated by
    spaces, as in the command line's CSV) and ``reason_texts`` (separated by ``'; '``); the key figures
    of ``Score.key_figures``; ``model_fingerprint``. ``attrs`` holds ``as_of`` and ``model_fingerprint``.
)doc");
  engine.def_property("portfolio_revenue_12m", [](PyEngine& self) {
    return with_engine(self, [](Engine& en) { return en.portfolio_revenue_12m(); });
  }, [](PyEngine& self, std::optional<std::int64_t> cents) {
    with_engine(self, [&](Engine& en) { en.set_portfolio_revenue_12m(cents); });
  }, R"doc(
int or None: the whole portfolio's invoiced revenue over the 12 calendar months ending with the
month scored, in cents, for an engine that holds part of a portfolio (one partition of a
distributed run, as ``clientrisk.dask`` does). Revenue shares (the concentration factor, the key
figure ``revenue_share``) are then taken against it. It must be the figure of the date scored: the
sum of every part's ``own_revenue_12m(as_of)``. None (the default): this engine's own clients.
)doc");
  engine.def("own_revenue_12m", [](PyEngine& self, const py::object& as_of) {
    const auto d = optional_date(as_of, "as_of");
    return with_engine(self, [&](Engine& en) { return en.own_revenue_12m(en.advance(d)); });
  }, "as_of"_a = py::none(), R"doc(
This engine's own clients' invoiced revenue over the 12 calendar months ending with the month of
``as_of`` (default: the latest event date), in cents, from the invoices dated on or before it.
Like scoring, it moves the engine's state to ``as_of``.
)doc");
  engine.def("save_snapshot", [](PyEngine& self, const py::object& path) {
    const std::string p = path_of(path);
    with_engine(self, [&](Engine& en) { save_snapshot(en, p); });
  }, "path"_a, R"doc(
Saves the whole engine (model, client state, waiting events) atomically; see docs/persistence.md.

Parameters
----------
path : str or os.PathLike

Raises
------
IoError
    Naming the step of the save that failed; the previous file stays whole.
)doc");
  engine.def_static("load_snapshot", [](const py::object& path) {
    const std::string p = path_of(path);
    py::gil_scoped_release release;
    return new PyEngine(load_snapshot(p));
  }, "path"_a, R"doc(
An engine from a snapshot file; posting the remaining events then scores like one pass over all.

Parameters
----------
path : str or os.PathLike

Returns
-------
Engine

Raises
------
FormatError
    The file is not a valid snapshot; ``problem`` says why.
IoError
    The file cannot be read.
)doc");
  engine.def_property_readonly("model", [](PyEngine& self) {
    return with_engine(self, [](Engine& en) { return en.model(); });
  }, "Model: a copy of the engine's model.");
  engine.def_property_readonly("fingerprint", [](PyEngine& self) {
    return with_engine(self, [](Engine& en) { return en.fingerprint(); });
  }, "str: the fingerprint of the engine's model, which its scores carry.");
  engine.def("__len__", [](PyEngine& self) {
    return with_engine(self, [](Engine& en) { return en.client_count(); });
  }, "Number of clients posted.");
  engine.def_property_readonly("clients", [](PyEngine& self) {
    std::vector<std::string> ids = with_engine(self, [](Engine& en) {
      std::vector<std::string> out(en.client_count());
      for (std::uint32_t i = 0; i < out.size(); ++i) out[i] = std::string(en.client_id(i));
      return out;
    });
    return str_list(ids);
  }, "list of str: every client id, in ledger order (order of first appearance).");
  engine.def_property_readonly("latest_event_date", [](PyEngine& self) -> py::object {
    const auto latest = with_engine(self, [](Engine& en) { return en.ledger().latest_event_date(); });
    return latest ? to_python(*latest) : py::object(py::none());
  }, "datetime.date or None: the latest event date posted, applied or waiting.");
  engine.def("__repr__", [](PyEngine& self) {
    return with_engine(self, [](Engine& en) {
      auto latest = en.ledger().latest_event_date();
      return "Engine(clients=" + std::to_string(en.client_count()) + ", latest_event=" +
             (latest ? latest->to_string() : std::string("None")) + ", fingerprint='" +
             en.fingerprint().substr(0, 12) + "...')";
    });
  });
  engine.def(py::pickle(
      [](PyEngine& self) { return py::bytes(with_engine(self, [](Engine& en) { return snapshot_bytes(en); })); },
      [](const py::bytes& state) {
        const std::string bytes = state;
        return new PyEngine(engine_from_snapshot_bytes(bytes, "a pickled Engine"));
      }));
}

// --- feature matrices -------------------------------------------------------------------------

// X as a float64 matrix whose rows are 24 contiguous doubles apart by a whole number of doubles:
// the array itself when it is one (no copy), else an explicit conversion to a C-contiguous copy.
py::array feature_matrix(py::object x) {
  if (py::hasattr(x, "columns") && py::hasattr(x, "to_numpy")) {
    py::list wanted;
    for (std::string_view f : feature_names) wanted.append(py::str(std::string(f)));
    py::object columns = x.attr("columns");
    for (auto f : wanted)
      if (!columns.attr("__contains__")(f).cast<bool>())
        throw InvalidInput("X: the DataFrame has no column '" + f.cast<std::string>() + "' (see clientrisk.FEATURES)");
    x = x.attr("__getitem__")(wanted).attr("to_numpy")("dtype"_a = "float64");
  }
  if (!py::isinstance<py::array>(x))
    throw InvalidInput("X: expected a 2-D numpy array or a DataFrame, got a " +
                       py::str(py::type::handle_of(x).attr("__name__")).cast<std::string>());
  py::array a = x;
  if (a.ndim() != 2)
    throw InvalidInput("X: expected a 2-D array of " + std::to_string(feature_count) + " columns, got " +
                       std::to_string(a.ndim()) + " dimension(s)");
  if (a.shape(1) != feature_count)
    throw InvalidInput("X: expected " + std::to_string(feature_count) + " columns (clientrisk.FEATURES), got " +
                       std::to_string(a.shape(1)));
  const char kind = a.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u')
    throw InvalidInput(std::string("X: expected numbers, got dtype ") + py::str(a.dtype()).cast<std::string>());
  const bool usable = a.dtype().is(py::dtype::of<double>()) || (kind == 'f' && a.itemsize() == 8 &&
                                                                py::str(a.dtype().attr("byteorder")).cast<std::string>() != ">");
  const auto d = static_cast<py::ssize_t>(sizeof(double));
  const bool aligned = (reinterpret_cast<std::uintptr_t>(a.data()) % alignof(double)) == 0;
  if (usable && aligned && a.strides(1) == d && a.strides(0) % d == 0 &&
      (a.shape(0) <= 1 || a.strides(0) >= feature_count * d))
    return a;
  return py::module_::import("numpy").attr("ascontiguousarray")(a, "dtype"_a = "float64");
}

py::tuple score_feature_matrix(py::object x, std::optional<Model> model, long long threads) {
  const unsigned n_threads = threads_of(threads);
  py::array a = feature_matrix(std::move(x));
  const Model m = model.value_or(Model{});
  const auto rows = static_cast<std::size_t>(a.shape(0));
  const std::size_t stride = rows <= 1 ? feature_count : static_cast<std::size_t>(a.strides(0)) / sizeof(double);
  py::array_t<double> scores(static_cast<py::ssize_t>(rows));
  py::array_t<std::uint8_t> bands(static_cast<py::ssize_t>(rows));
  const auto* px = static_cast<const double*>(a.data());
  double* ps = scores.mutable_data();
  auto* pb = reinterpret_cast<Band*>(bands.mutable_data());
  {
    py::gil_scoped_release release;
    score_features(px, rows, stride, m, ps, pb, n_threads);
  }
  return py::make_tuple(scores, bands);
}

}  // namespace
}  // namespace clientrisk::python

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace py::literals;
  namespace cp = clientrisk::python;
  namespace cr = clientrisk;
  m.doc() = "The compiled core of clientrisk; import clientrisk instead.";
  cp::init_types(m);
  py::register_exception_translator(&cp::translate);
  m.attr("__version__") = cr::version_string();
  m.attr("FEATURES") = cp::names_tuple(cr::feature_names);
  m.attr("FACTORS") = cp::names_tuple(cr::factor_names);
  m.attr("BANDS") = cp::names_tuple(cr::band_names);
  m.attr("EVENT_KINDS") = cp::names_tuple(cr::event_kind_names);
  {
    const auto& all = cp::all_parameters();
    py::tuple params(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) params[i] = py::str(std::string(all[i].name));
    m.attr("PARAMETERS") = params;
  }
  cp::bind_model(m);
  cp::bind_results(m);
  cp::bind_engine(m);
  cp::bind_calibration(m);
  cp::bind_review(m);
  m.def("score_features", &cp::score_feature_matrix, "X"_a, "model"_a = py::none(), "threads"_a = 1, R"doc(
Scores a feature matrix: one row per client, the columns of ``clientrisk.FEATURES``.

Parameters
----------
X : numpy.ndarray or pandas.DataFrame
    Shape (n, 24). A float64 array whose rows hold 24 contiguous values (C order, or a view of
    24 columns of a wider C-ordered array) is read in place, without a copy; other dtypes and
    orders are converted to one first. A DataFrame is read by column name.
model : Model, optional
    The built-in model when omitted.
threads : int, default 1
    The threads the rows are shared among; 0 means one per hardware thread. The results are the
    same bits whatever the number.

Returns
-------
scores : numpy.ndarray of float64
    In [0, 100], equal bit for bit to ``Engine.score`` on the same features.
bands : numpy.ndarray of uint8
    Index into ``clientrisk.BANDS``.

Raises
------
InvalidInputError
    The shape is wrong, or a value is NaN, infinite or out of its range (naming row and feature).

Notes
-----
The GIL is released while it works: Python threads scoring parts of a matrix also run in
parallel.
)doc");
}
