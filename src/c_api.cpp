// The C ABI (include/clientrisk/clientrisk.h) over the C++ library. Every entry point runs its
// body inside guard(), which turns every exception into a status and the thread's message: no
// exception crosses the boundary.
#include "clientrisk/clientrisk.h"

#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "clientrisk/actions.hpp"
#include "clientrisk/backtest.hpp"
#include "clientrisk/calibrate.hpp"
#include "clientrisk/csv.hpp"
#include "clientrisk/metrics.hpp"
#include "clientrisk/engine.hpp"
#include "clientrisk/shared_engine.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/provisions.hpp"
#include "clientrisk/snapshot.hpp"
#include "clientrisk/version.hpp"

static_assert(CR_VERSION_NUMBER == CLIENTRISK_VERSION, "clientrisk.h and version.hpp disagree on the version");
static_assert(CR_FACTOR_COUNT == clientrisk::factor_count);
static_assert(CR_REVIEW + 1 == clientrisk::event_kind_count);

struct cr_model {
  clientrisk::Model model;
};

struct cr_backtest {
  clientrisk::BacktestData data;
};

struct cr_review {
  clientrisk::Review review;
};

struct cr_provisions {
  clientrisk::ProvisionReport report;
};

struct cr_engine {
  explicit cr_engine(clientrisk::Engine e) : engine(std::move(e)) {}
  // Held alone by every call that changes the engine; shared by the scores of a date its state
  // stands at already (clientrisk::with_state_at).
  mutable clientrisk::SharedMutex lock;
  clientrisk::Engine engine;
  clientrisk::CsvOptions csv_limits;                   // the row and file limits of imports
  std::string csv_path;                                // of the last import
  std::vector<clientrisk::CsvRejection> csv_rejected;  // its rejected rows
};

namespace {

namespace cr = clientrisk;

thread_local std::string last_error;
// What cr_engine_client_id and cr_engine_csv_rejection return, per thread.
thread_local std::string returned_text;

// A failure of the caller's arguments, found before the library is called.
struct BadArgument {
  std::string message;
};
struct BufferTooSmall {
  std::string message;
};

std::optional<cr::Date> date_arg(int32_t as_of) {
  return as_of == CR_NO_DATE ? std::nullopt : std::optional(cr::Date::from_days(as_of));
}

// Sets the last error to prefix + message. Called from the handlers of guard(), which may not
// throw: it allocates only inside its own try.
cr_status fail(cr_status status, std::string_view prefix, std::string_view message = {}) noexcept {
  try {
    last_error.assign(prefix);
    last_error.append(message);
  } catch (...) {
    last_error.clear();  // no memory for the message: the status still says what happened
  }
  return status;
}

// Runs body, mapping what it throws to a status; the one table from C++ errors to C codes.
template <class Body>
cr_status guard(Body body) noexcept {
  try {
    last_error.clear();
    body();
    return CR_OK;
  } catch (const BadArgument& e) {
    return fail(CR_ERROR_INVALID_ARGUMENT, e.message);
  } catch (const BufferTooSmall& e) {
    return fail(CR_ERROR_BUFFER_TOO_SMALL, e.message);
  } catch (const cr::FileFormatError& e) {
    return fail(CR_ERROR_BAD_FILE, e.what());
  } catch (const cr::FormatError& e) {
    return fail(CR_ERROR_FORMAT, e.what());
  } catch (const cr::InvalidInput& e) {
    return fail(CR_ERROR_INVALID_INPUT, e.what());
  } catch (const cr::IoError& e) {
    return fail(CR_ERROR_IO, e.what());
  } catch (const std::bad_alloc&) {
    return fail(CR_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return fail(CR_ERROR_INTERNAL, "internal error: ", e.what());
  } catch (...) {
    return fail(CR_ERROR_INTERNAL, "internal error: an unknown exception");
  }
}

template <class T>
T& need(T* p, const char* what) {
  if (!p) throw BadArgument{std::string(what) + " is NULL"};
  return *p;
}

const char* need_text(const char* s, const char* what) {
  if (!s) throw BadArgument{std::string(what) + " is NULL"};
  return s;
}

// Copies text and its NUL into a fixed array; a text that does not fit is a bug, not a cut.
void copy_text(char* dst, std::size_t size, const std::string& text) {
  if (text.size() >= size) throw std::logic_error("a text of " + std::to_string(text.size()) + " bytes for " +
                                                  std::to_string(size - 1));
  std::memcpy(dst, text.c_str(), text.size() + 1);
}

// The weight or parameter of that name (const or not, as the model).
template <class M>
auto field_of(M& m, std::string_view name) -> decltype(&m.weights[0]) {
  if (name.starts_with("weights.")) {
    const std::string_view factor = name.substr(8);
    for (std::size_t i = 0; i < cr::factor_names.size(); ++i)
      if (cr::factor_names[i] == factor) return &m.weights[i];
  }
  for (const cr::ModelParameter& p : cr::model_parameters)
    if (p.name == name) return &(m.*p.field);
  for (const cr::ModelParameter& p : cr::calibration_parameters)
    if (p.name == name) return &(m.*p.field);
  for (const cr::ModelParameter& p : cr::policy_parameters)
    if (p.name == name) return &(m.*p.field);
  throw BadArgument{"no weight or parameter is named '" + std::string(name) + "'"};
}

cr::Event event_of(const cr_event& e, std::size_t index) {
  const std::string at = index == static_cast<std::size_t>(-1) ? "event: " : "event " + std::to_string(index) + ": ";
  if (e.struct_size < sizeof(cr_event))
    throw BadArgument{at + "struct_size is " + std::to_string(e.struct_size) + ", less than sizeof(cr_event) " +
                      std::to_string(sizeof(cr_event))};
  if (!e.client) throw BadArgument{at + "client is NULL"};
  cr::Event out;
  out.date = cr::Date::from_days(e.date);
  out.client = e.client;
  if (e.kind >= static_cast<std::uint32_t>(cr::event_kind_count))
    throw cr::InvalidInput(at + "kind: unknown kind code " + std::to_string(e.kind));
  out.kind = static_cast<cr::EventKind>(e.kind);
  if (e.ref) out.ref = e.ref;
  if (e.amount != CR_NO_AMOUNT) {
    if (e.amount < 0) throw cr::InvalidInput(at + "amount: amount must not be negative");
    out.amount = cr::Money::from_cents(e.amount);
  }
  if (e.due != CR_NO_DATE) out.due = cr::Date::from_days(e.due);
  if (e.detail) out.detail = e.detail;
  return out;
}

}  // namespace

extern "C" {

const char* cr_version(void) {
  static const std::string v = cr::version_string();
  return v.c_str();
}

int cr_version_number(void) { return CLIENTRISK_VERSION; }

const char* cr_status_string(cr_status status) {
  switch (status) {
    case CR_OK: return "CR_OK";
    case CR_ERROR_INVALID_ARGUMENT: return "CR_ERROR_INVALID_ARGUMENT";
    case CR_ERROR_INVALID_INPUT: return "CR_ERROR_INVALID_INPUT";
    case CR_ERROR_FORMAT: return "CR_ERROR_FORMAT";
    case CR_ERROR_BAD_FILE: return "CR_ERROR_BAD_FILE";
    case CR_ERROR_IO: return "CR_ERROR_IO";
    case CR_ERROR_BUFFER_TOO_SMALL: return "CR_ERROR_BUFFER_TOO_SMALL";
    case CR_ERROR_OUT_OF_MEMORY: return "CR_ERROR_OUT_OF_MEMORY";
    case CR_ERROR_INTERNAL: return "CR_ERROR_INTERNAL";
  }
  return "CR_UNKNOWN_STATUS";
}

const char* cr_last_error(void) { return last_error.c_str(); }

cr_status cr_model_default(cr_model** out) {
  return guard([&] {
    need(out, "out");
    *out = new cr_model{};
  });
}

cr_status cr_model_load(const char* path, cr_model** out) {
  return guard([&] {
    need(out, "out");
    *out = new cr_model{cr::load_model(need_text(path, "path"))};
  });
}

cr_status cr_model_save(const cr_model* model, const char* path, int binary) {
  return guard([&] {
    cr::save_model(need(model, "model").model, need_text(path, "path"),
                   binary ? cr::ArchiveFormat::binary : cr::ArchiveFormat::xml);
  });
}

void cr_model_free(cr_model* model) { delete model; }

cr_status cr_model_get(const cr_model* model, const char* name, double* value) {
  return guard([&] {
    need(value, "value") = *field_of(need(model, "model").model, need_text(name, "name"));
  });
}

cr_status cr_model_set(cr_model* model, const char* name, double value) {
  return guard([&] {
    cr::Model changed = need(model, "model").model;
    *field_of(changed, need_text(name, "name")) = value;
    cr::validate(changed);
    model->model = changed;
  });
}

cr_status cr_model_validate(const cr_model* model) {
  return guard([&] { cr::validate(need(model, "model").model); });
}

cr_status cr_model_scorecard(cr_model* model, double base, double odds, double pdo) {
  return guard([&] { model->model = cr::scorecard_model(need(model, "model").model, base, odds, pdo); });
}

cr_status cr_model_fingerprint(const cr_model* model, char out[65]) {
  return guard([&] {
    const std::string f = cr::model_fingerprint(need(model, "model").model);
    if (!out) throw BadArgument{"out is NULL"};
    std::memcpy(out, f.c_str(), f.size() + 1);
  });
}

cr_status cr_engine_new(const cr_model* model, cr_engine** out) {
  return guard([&] {
    need(out, "out");
    *out = new cr_engine(cr::Engine(model ? model->model : cr::Model{}));
  });
}

void cr_engine_free(cr_engine* engine) { delete engine; }

cr_status cr_engine_post(cr_engine* engine, const cr_event* event) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    const std::lock_guard hold(e.lock);
    e.engine.post(event_of(need(event, "event"), static_cast<std::size_t>(-1)));
  });
}

cr_status cr_engine_post_many(cr_engine* engine, const cr_event* events, size_t count) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    const std::lock_guard hold(e.lock);
    if (count > 0) need(events, "events");
    std::vector<cr::Event> batch;
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) batch.push_back(event_of(events[i], i));
    e.engine.post(batch);
  });
}

cr_status cr_engine_client_count(const cr_engine* engine, size_t* count) {
  return guard([&] {
    const cr_engine& e = need(engine, "engine");
    const std::shared_lock hold(e.lock);
    need(count, "count") = e.engine.client_count();
  });
}

cr_status cr_engine_set_threads(cr_engine* engine, uint32_t threads) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    const std::lock_guard hold(e.lock);
    e.engine.set_threads(threads);
  });
}

cr_status cr_engine_score(cr_engine* engine, const char* client, int32_t as_of, cr_score* out) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    need_text(client, "client");
    if (need(out, "out").struct_size < sizeof(cr_score))
      throw BadArgument{"out->struct_size is " + std::to_string(out->struct_size) + ", less than sizeof(cr_score) " +
                        std::to_string(sizeof(cr_score))};
    const cr::Score s = cr::SharedEngine::score_of(e.lock, e.engine, client, date_arg(as_of));
    cr_score r{};
    r.struct_size = sizeof r;
    r.as_of = s.as_of.days();
    r.score = s.score;
    r.band = static_cast<std::uint32_t>(s.band);
    for (int k = 0; k < CR_FACTOR_COUNT; ++k) {
      r.sub[k] = s.sub[static_cast<std::size_t>(k)];
      r.contribution[k] = s.contribution[static_cast<std::size_t>(k)];
    }
    if (s.reasons.size() > CR_MAX_REASONS) throw std::logic_error("more reasons than CR_MAX_REASONS");
    r.reason_count = static_cast<std::uint32_t>(s.reasons.size());
    for (std::size_t i = 0; i < s.reasons.size(); ++i) {
      copy_text(r.reasons[i].code, sizeof r.reasons[i].code, s.reasons[i].code);
      copy_text(r.reasons[i].text, sizeof r.reasons[i].text, s.reasons[i].text);
      r.reasons[i].factor = static_cast<std::uint32_t>(s.reasons[i].factor);
      r.reasons[i].points = s.reasons[i].points;
    }
    r.outstanding = s.key.outstanding.cents();
    r.overdue = s.key.overdue.cents();
    r.over_90 = s.key.over_90.cents();
    r.credit_balance = s.key.credit_balance.cents();
    r.disputed = s.key.disputed.cents();
    r.revenue_12m = s.key.revenue_12m.cents();
    r.days_beyond_terms = s.key.days_beyond_terms;
    r.revenue_share = s.key.revenue_share;
    r.open_invoices = s.key.open_invoices;
    r.open_disputes = s.key.open_disputes;
    copy_text(r.model_fingerprint, sizeof r.model_fingerprint, s.model_fingerprint);
    *out = r;
  });
}

cr_status cr_engine_score_all(cr_engine* engine, int32_t as_of, size_t capacity, size_t* rows, uint32_t* client,
                              double* score, uint8_t* band, double* sub, double* contribution) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    need(rows, "rows");
    // The table and the number of clients of one state: a post may add clients before or after.
    auto [t, needed] = cr::with_state_at(e.lock, e.engine, date_arg(as_of), [](const cr::Engine& en, cr::Date d) {
      return std::pair(en.score_all_at(d), en.client_count());
    });
    if (capacity < needed) {
      *rows = needed;
      throw BufferTooSmall{"capacity " + std::to_string(capacity) + " is below the " + std::to_string(needed) +
                           " clients of the engine"};
    }
    need(client, "client"), need(score, "score"), need(band, "band");
    for (std::size_t r = 0; r < t.size(); ++r) {
      const auto i = static_cast<Eigen::Index>(r);
      client[r] = t.client[r];
      score[r] = t.score(i);
      band[r] = static_cast<std::uint8_t>(t.band[r]);
      for (Eigen::Index k = 0; k < cr::factor_count; ++k) {
        if (sub) sub[r * CR_FACTOR_COUNT + static_cast<std::size_t>(k)] = t.sub(i, k);
        if (contribution) contribution[r * CR_FACTOR_COUNT + static_cast<std::size_t>(k)] = t.contribution(i, k);
      }
    }
    *rows = t.size();
  });
}

cr_status cr_engine_client_id(const cr_engine* engine, uint32_t index, const char** id) {
  return guard([&] {
    const cr_engine& e = need(engine, "engine");
    const std::shared_lock hold(e.lock);
    need(id, "id");
    if (index >= e.engine.client_count())
      throw BadArgument{"client index " + std::to_string(index) + " is past the engine's " +
                        std::to_string(e.engine.client_count()) + " clients"};
    returned_text = e.engine.client_id(index);
    *id = returned_text.c_str();
  });
}

cr_status cr_engine_import_csv(cr_engine* engine, const char* path, int lenient, cr_csv_report* report) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    const std::lock_guard hold(e.lock);
    need_text(path, "path");
    if (report && report->struct_size < sizeof(cr_csv_report))
      throw BadArgument{"report->struct_size is " + std::to_string(report->struct_size) +
                        ", less than sizeof(cr_csv_report) " + std::to_string(sizeof(cr_csv_report))};
    cr::CsvOptions options = e.csv_limits;
    options.lenient = lenient != 0;
    cr::CsvReport r = cr::import_csv(e.engine, path, options);
    e.csv_path = path;
    e.csv_rejected = std::move(r.rejected);
    if (report) {
      report->rows = r.rows;
      report->accepted = r.accepted;
      report->rejected = e.csv_rejected.size();
    }
  });
}

namespace {
// 0 stands for no limit in cr_limits; a limit of npos or SIZE_MAX reads back as 0.
std::uint64_t limit_out(std::size_t v, std::size_t none) { return v >= none ? 0 : v; }
std::size_t limit_in(std::uint64_t v, std::size_t none) { return v == 0 || v >= none ? none : static_cast<std::size_t>(v); }
}  // namespace

cr_status cr_engine_limits(const cr_engine* engine, cr_limits* out) {
  return guard([&] {
    const cr_engine& e = need(engine, "engine");
    if (need(out, "out").struct_size < sizeof(cr_limits))
      throw BadArgument{"out->struct_size is " + std::to_string(out->struct_size) + ", less than sizeof(cr_limits) " +
                        std::to_string(sizeof(cr_limits))};
    const std::shared_lock hold(e.lock);
    out->max_clients = limit_out(e.engine.max_clients(), cr::Ledger::npos);
    out->max_events_per_client = limit_out(e.engine.max_events_per_client(), cr::Ledger::npos);
    out->max_field_bytes = limit_out(e.csv_limits.max_field_bytes, SIZE_MAX);
    out->max_row_bytes = limit_out(e.csv_limits.max_row_bytes, SIZE_MAX);
    out->max_file_bytes = e.csv_limits.max_file_bytes;
  });
}

cr_status cr_engine_set_limits(cr_engine* engine, const cr_limits* limits) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    if (need(limits, "limits").struct_size < sizeof(cr_limits))
      throw BadArgument{"limits->struct_size is " + std::to_string(limits->struct_size) +
                        ", less than sizeof(cr_limits) " + std::to_string(sizeof(cr_limits))};
    const std::lock_guard hold(e.lock);
    e.engine.set_max_clients(limit_in(limits->max_clients, cr::Ledger::npos));
    e.engine.set_max_events_per_client(limit_in(limits->max_events_per_client, cr::Ledger::npos));
    e.csv_limits.max_field_bytes = limit_in(limits->max_field_bytes, SIZE_MAX);
    e.csv_limits.max_row_bytes = limit_in(limits->max_row_bytes, SIZE_MAX);
    e.csv_limits.max_file_bytes = limits->max_file_bytes;
  });
}

cr_status cr_engine_csv_rejection(const cr_engine* engine, size_t index, uint64_t* line, const char** message) {
  return guard([&] {
    const cr_engine& e = need(engine, "engine");
    const std::shared_lock hold(e.lock);
    need(line, "line"), need(message, "message");
    if (index >= e.csv_rejected.size())
      throw BadArgument{"rejection " + std::to_string(index) + " is past the last import's " +
                        std::to_string(e.csv_rejected.size())};
    returned_text = e.csv_rejected[index].to_string(e.csv_path);
    *line = e.csv_rejected[index].line;
    *message = returned_text.c_str();
  });
}

cr_status cr_score_features_threads(const double* x, size_t rows, size_t columns, size_t row_stride,
                                    const cr_model* model, double* score, uint8_t* band, uint32_t threads) {
  return guard([&] {
    if (columns != static_cast<std::size_t>(cr::feature_count))
      throw BadArgument{"columns is " + std::to_string(columns) + ", not the " + std::to_string(cr::feature_count) +
                        " features"};
    const cr::Model builtin;
    const cr::Model& m = model ? model->model : builtin;
    std::vector<double> own;
    if (!score && band) own.resize(rows);
    double* out = score ? score : own.data();
    if (!score && !band) out = nullptr;
    cr::score_features(x, rows, row_stride, m, out, nullptr, threads);
    if (band)
      for (std::size_t r = 0; r < rows; ++r) band[r] = static_cast<std::uint8_t>(cr::band_of(out[r], m));
  });
}

cr_status cr_score_features(const double* x, size_t rows, size_t columns, size_t row_stride, const cr_model* model,
                            double* score, uint8_t* band) {
  return cr_score_features_threads(x, rows, columns, row_stride, model, score, band, 1);
}

cr_status cr_engine_save_snapshot(const cr_engine* engine, const char* path) {
  return guard([&] {
    const cr_engine& e = need(engine, "engine");
    const std::shared_lock hold(e.lock);
    cr::save_snapshot(e.engine, need_text(path, "path"));
  });
}

cr_status cr_engine_load_snapshot(const char* path, cr_engine** out) {
  return guard([&] {
    need(out, "out");
    *out = new cr_engine(cr::load_snapshot(need_text(path, "path")));
  });
}

}  // extern "C"

void cr_logistic_options_default(cr_logistic_options* options) {
  if (!options) return;
  const cr::LogisticOptions d;
  *options = cr_logistic_options{sizeof(cr_logistic_options), d.l2, d.intercept ? 1 : 0, d.non_negative ? 1 : 0,
                                 d.max_iterations, d.tolerance, d.threads};
}

cr_status cr_calibrate(const double* x, size_t rows, size_t columns, size_t row_stride, const double* y,
                       const cr_logistic_options* options, double* coef, double* std_error, double* intercept,
                       double* intercept_std_error, int32_t* iterations) {
  return guard([&] {
    if (rows > 0) {
      need(x, "x");
      need(y, "y");
    }
    need(coef, "coef");
    if (columns == 0) throw BadArgument{"columns is 0"};
    if (row_stride < columns)
      throw BadArgument{"row_stride " + std::to_string(row_stride) + " is below columns " + std::to_string(columns)};
    cr::LogisticOptions o;
    if (options) {
      if (options->struct_size < sizeof(cr_logistic_options))
        throw BadArgument{"options: struct_size is " + std::to_string(options->struct_size) +
                          ", less than sizeof(cr_logistic_options) " + std::to_string(sizeof(cr_logistic_options))};
      o.l2 = options->l2;
      o.intercept = options->intercept != 0;
      o.non_negative = options->non_negative != 0;
      o.max_iterations = options->max_iterations;
      o.tolerance = options->tolerance;
      o.threads = options->threads;
    }
    using Rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Rows, 0, Eigen::OuterStride<>> m(x, static_cast<Eigen::Index>(rows),
                                                            static_cast<Eigen::Index>(columns),
                                                            Eigen::OuterStride<>(static_cast<Eigen::Index>(row_stride)));
    const cr::LogisticFit f = cr::fit_logistic(m, std::span<const double>(y, rows), o);
    for (std::size_t j = 0; j < columns; ++j) {
      coef[j] = f.coef(static_cast<Eigen::Index>(j));
      if (std_error) std_error[j] = f.std_error(static_cast<Eigen::Index>(j));
    }
    if (intercept) *intercept = f.intercept;
    if (intercept_std_error) *intercept_std_error = f.intercept_std_error;
    if (iterations) *iterations = f.iterations;
  });
}

namespace {
template <typename Metric>
cr_status scored_metric(const double* score, const double* y, size_t rows, double* out, Metric&& metric) {
  return guard([&] {
    if (rows > 0) {
      need(score, "score");
      need(y, "y");
    }
    need(out, "out") = metric(std::span<const double>(score, rows), std::span<const double>(y, rows));
  });
}
}  // namespace

cr_status cr_auc(const double* score, const double* y, size_t rows, double* out) {
  return scored_metric(score, y, rows, out, [](auto s, auto o) { return cr::auc(s, o); });
}

cr_status cr_ks(const double* score, const double* y, size_t rows, double* out) {
  return scored_metric(score, y, rows, out, [](auto s, auto o) { return cr::ks(s, o); });
}

cr_status cr_psi(const double* expected, size_t expected_rows, const double* actual, size_t actual_rows, uint32_t bins,
                 double* out) {
  return guard([&] {
    if (expected_rows > 0) need(expected, "expected");
    if (actual_rows > 0) need(actual, "actual");
    need(out, "out") = cr::psi(std::span<const double>(expected, expected_rows),
                               std::span<const double>(actual, actual_rows), bins);
  });
}

cr_status cr_backtest_new(const cr_event* events, size_t count, const int32_t* dates, size_t date_count,
                          int32_t horizon_days, const cr_model* model, cr_backtest** out) {
  return guard([&] {
    need(out, "out") = nullptr;
    if (count > 0) need(events, "events");
    if (date_count > 0) need(dates, "dates");
    std::vector<cr::Event> batch;
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) batch.push_back(event_of(events[i], i));
    std::vector<cr::Date> when;
    for (std::size_t i = 0; i < date_count; ++i) when.push_back(cr::Date::from_days(dates[i]));
    cr::BacktestOptions o;
    o.horizon_days = horizon_days;
    const cr::Model builtin;
    auto b = std::make_unique<cr_backtest>();
    b->data = cr::backtest_data(batch, when, model ? model->model : builtin, o);
    *out = b.release();
  });
}

void cr_backtest_free(cr_backtest* backtest) { delete backtest; }

cr_status cr_backtest_rows(const cr_backtest* backtest, size_t* rows) {
  return guard([&] { need(rows, "rows") = need(backtest, "backtest").data.size(); });
}

cr_status cr_backtest_row(const cr_backtest* backtest, size_t row, const char** client, int32_t* as_of, double* score,
                          uint8_t* band, uint8_t* outcome, double* sub, double* features) {
  return guard([&] {
    const cr::BacktestData& d = need(backtest, "backtest").data;
    if (row >= d.size())
      throw BadArgument{"row " + std::to_string(row) + " is past the backtest's " + std::to_string(d.size()) + " rows"};
    const auto r = static_cast<Eigen::Index>(row);
    if (client) *client = d.client[row].c_str();
    if (as_of) *as_of = d.as_of[row].days();
    if (score) *score = d.score(r);
    if (band) *band = static_cast<std::uint8_t>(d.band[row]);
    if (outcome) *outcome = d.outcome[row] == 1 ? 1 : 0;
    if (sub)
      for (int k = 0; k < cr::factor_count; ++k) sub[k] = d.sub(r, k);
    if (features)
      for (int k = 0; k < cr::feature_count; ++k) features[k] = d.features(r, k);
  });
}

cr_status cr_backtest_metrics(const cr_backtest* backtest, double* auc, double* ks, double* psi) {
  return guard([&] {
    const cr::BacktestReport r = cr::evaluate(need(backtest, "backtest").data);
    if (auc) *auc = r.auc;
    if (ks) *ks = r.ks;
    if (psi) *psi = r.psi;
  });
}

// --- actions, provisions, portfolio ---------------------------------------------------------

namespace {

cr::ClientAmounts amounts_of(const cr_client_amount* v, std::size_t n, const char* what) {
  cr::ClientAmounts out;
  if (n > 0) need(v, what);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string at = std::string(what) + "[" + std::to_string(i) + "]";
    if (!v[i].client || !*v[i].client) throw BadArgument{at + ".client is NULL or empty"};
    if (!out.emplace(v[i].client, cr::Money::from_cents(v[i].cents)).second)
      throw cr::InvalidInput(at + ": client '" + std::string(v[i].client) + "' appears twice");
  }
  return out;
}

template <class T>
T& checked_out(T* out, const char* type) {
  if (need(out, "out").struct_size < sizeof(T))
    throw BadArgument{"out->struct_size is " + std::to_string(out->struct_size) + ", less than sizeof(" + type + ") " +
                      std::to_string(sizeof(T))};
  return *out;
}

cr::ProvisionOptions provision_options_of(const cr_provision_options* o) {
  cr::ProvisionOptions out;
  if (!o) return out;
  if (o->struct_size < sizeof(cr_provision_options))
    throw BadArgument{"options: struct_size is " + std::to_string(o->struct_size) + ", less than sizeof(cr_provision_options) " +
                      std::to_string(sizeof(cr_provision_options))};
  if (o->bound_count == 0 || o->bound_count >= CR_MAX_BUCKETS)
    throw BadArgument{"options: bound_count must be 1 to " + std::to_string(CR_MAX_BUCKETS - 1)};
  need(o->bounds, "options->bounds");
  need(o->loss_rates, "options->loss_rates");
  out.bounds.assign(o->bounds, o->bounds + o->bound_count);
  out.loss_rates.assign(o->loss_rates, o->loss_rates + o->bound_count + 1);
  out.disputed_rate = o->disputed_rate;
  out.lawsuit_rate = o->lawsuit_rate;
  out.vat_rate = o->vat_rate;
  cr::validate(out);
  return out;
}

}  // namespace

cr_status cr_engine_set_language(cr_engine* engine, const char* language) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    const auto l = cr::parse_language(need_text(language, "language"));
    if (!l) throw BadArgument{"language '" + std::string(language) + "' is not \"en\" or \"fr\""};
    const std::lock_guard hold(e.lock);
    e.engine.set_language(*l);
  });
}

const char* cr_action_code_name(uint32_t code) {
  return code < cr::action_code_names.size() ? cr::action_code_names[code].data() : nullptr;
}

cr_status cr_engine_review(cr_engine* engine, int32_t as_of, const cr_client_amount* orders, size_t order_count,
                           const cr_client_amount* limits, size_t limit_count, cr_review** out) {
  return guard([&] {
    need(out, "out") = nullptr;
    cr_engine& e = need(engine, "engine");
    cr::ReviewOptions o;
    o.open_orders = amounts_of(orders, order_count, "orders");
    o.credit_limits = amounts_of(limits, limit_count, "limits");
    auto r = std::make_unique<cr_review>();
    const std::lock_guard hold(e.lock);
    r->review = cr::review(e.engine, date_arg(as_of), o);
    *out = r.release();
  });
}

void cr_review_free(cr_review* review) { delete review; }

cr_status cr_review_counts(const cr_review* review, int32_t* as_of, size_t* actions, size_t* worklist, size_t* credit_lines) {
  return guard([&] {
    const cr::Review& r = need(review, "review").review;
    if (as_of) *as_of = r.as_of.days();
    if (actions) *actions = r.actions.size();
    if (worklist) *worklist = r.worklist.size();
    if (credit_lines) *credit_lines = r.credit.size();
  });
}

namespace {
template <class V>
const typename V::value_type& row_of(const V& v, std::size_t i, const char* what) {
  if (i >= v.size())
    throw BadArgument{"index " + std::to_string(i) + " is past the " + std::to_string(v.size()) + " " + what};
  return v[i];
}
}  // namespace

cr_status cr_review_action(const cr_review* review, size_t index, cr_action* out) {
  return guard([&] {
    const cr::Action& a = row_of(need(review, "review").review.actions, index, "actions");
    cr_action& o = checked_out(out, "cr_action");
    o.client = a.client.c_str();
    o.code = static_cast<uint32_t>(a.code);
    o.priority = a.priority;
    o.amount = a.amount.cents();
    o.deadline = a.deadline.days();
    o.reason = a.reason.c_str();
  });
}

cr_status cr_review_work_item(const cr_review* review, size_t index, cr_work_item* out) {
  return guard([&] {
    const cr::WorkItem& w = row_of(need(review, "review").review.worklist, index, "worklist rows");
    cr_work_item& o = checked_out(out, "cr_work_item");
    o.client = w.client.c_str();
    o.value = w.value;
    o.at_stake = w.at_stake.cents();
    o.likelihood = w.likelihood;
    o.urgency = w.urgency;
    o.score = w.score;
    o.days_past_due = w.days_past_due;
    o.band = static_cast<uint32_t>(w.band);
    o.action = w.action ? static_cast<int32_t>(*w.action) : -1;
  });
}

cr_status cr_review_credit_line(const cr_review* review, size_t index, cr_credit_line* out) {
  return guard([&] {
    const cr::CreditLine& c = row_of(need(review, "review").review.credit, index, "credit lines");
    cr_credit_line& o = checked_out(out, "cr_credit_line");
    o.client = c.client.c_str();
    o.band = static_cast<uint32_t>(c.band);
    o.revenue_12m = c.revenue_12m.cents();
    o.recommended = c.recommended.cents();
    o.limit = c.limit.cents();
    o.receivables = c.receivables.cents();
    o.orders = c.orders.cents();
    o.exposure = c.exposure.cents();
    o.utilisation = c.utilisation;
    o.over_limit = c.over_limit ? 1 : 0;
  });
}

void cr_provision_options_default(cr_provision_options* options) {
  if (!options) return;
  const cr::ProvisionOptions d;
  *options = cr_provision_options{sizeof(cr_provision_options), cr::default_bucket_bounds.data(),
                                  cr::default_bucket_bounds.size(), cr::default_loss_rates.data(), d.disputed_rate,
                                  d.lawsuit_rate, d.vat_rate};
}

cr_status cr_estimate_loss_rates(const cr_event* events, size_t count, const int32_t* bounds, size_t bound_count,
                                 int32_t months, const cr_model* model, double* rates) {
  return guard([&] {
    if (count > 0) need(events, "events");
    need(bounds, "bounds");
    need(rates, "rates");
    if (bound_count == 0 || bound_count >= CR_MAX_BUCKETS)
      throw BadArgument{"bound_count must be 1 to " + std::to_string(CR_MAX_BUCKETS - 1)};
    cr::ProvisionOptions o;
    o.bounds.assign(bounds, bounds + bound_count);
    o.loss_rates.assign(bound_count + 1, 0.0);
    cr::validate(o);
    std::vector<cr::Event> batch;
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) batch.push_back(event_of(events[i], i));
    const cr::Model builtin;
    const std::vector<double> r = cr::estimate_roll_rates(batch, months, model ? model->model : builtin).loss_rates(o.bounds);
    std::copy(r.begin(), r.end(), rates);
  });
}

cr_status cr_engine_provisions(cr_engine* engine, int32_t as_of, const cr_provision_options* options, cr_provisions** out) {
  return guard([&] {
    need(out, "out") = nullptr;
    cr_engine& e = need(engine, "engine");
    const cr::ProvisionOptions o = provision_options_of(options);
    auto p = std::make_unique<cr_provisions>();
    const std::lock_guard hold(e.lock);
    p->report = cr::provisions(e.engine, e.engine.score_all(date_arg(as_of)), o);
    *out = p.release();
  });
}

void cr_provisions_free(cr_provisions* provisions) { delete provisions; }

cr_status cr_provisions_counts(const cr_provisions* provisions, size_t* clients, size_t* buckets, int64_t* specific,
                               int64_t* total) {
  return guard([&] {
    const cr::ProvisionReport& r = need(provisions, "provisions").report;
    if (clients) *clients = r.clients.size();
    if (buckets) *buckets = r.buckets.size();
    if (specific) *specific = r.specific.cents();
    if (total) *total = r.total.cents();
  });
}

cr_status cr_provisions_row(const cr_provisions* provisions, size_t index, const char** client, int64_t* balance,
                            int64_t* expected, int64_t* disputed, int64_t* specific, int64_t* total, int32_t* litigation) {
  return guard([&] {
    const cr::ProvisionRow& p = row_of(need(provisions, "provisions").report.clients, index, "clients");
    if (client) *client = p.client.c_str();
    for (std::size_t b = 0; b < p.balance.size(); ++b) {
      if (balance) balance[b] = p.balance[b].cents();
      if (expected) expected[b] = p.expected[b].cents();
    }
    if (disputed) *disputed = p.disputed.cents();
    if (specific) *specific = p.specific.cents();
    if (total) *total = p.total.cents();
    if (litigation) *litigation = p.litigation ? 1 : 0;
  });
}

cr_status cr_engine_portfolio(cr_engine* engine, int32_t as_of, const cr_provision_options* options, cr_portfolio* out) {
  return guard([&] {
    cr_engine& e = need(engine, "engine");
    cr_portfolio& o = checked_out(out, "cr_portfolio");
    const cr::ProvisionOptions po = provision_options_of(options);
    const std::lock_guard hold(e.lock);
    const cr::ScoreTable t = e.engine.score_all(date_arg(as_of));
    const cr::Portfolio p = cr::portfolio(e.engine, t, cr::provisions(e.engine, t, po));
    o.as_of = p.as_of.days();
    o.clients = p.clients;
    o.receivables = p.receivables.cents();
    o.revenue_12m = p.revenue_12m.cents();
    o.expected_loss = p.expected_loss.cents();
    o.hhi = p.hhi;
    o.hhi_normalised = p.hhi_normalised;
    o.top1_share = p.top1_share;
    o.top5_share = p.top5_share;
    o.top10_share = p.top10_share;
    o.clients_for_80 = p.clients_for_80;
    for (std::size_t b = 0; b < 4; ++b) {
      o.band_clients[b] = p.band_clients[b];
      o.band_exposure[b] = p.band_exposure[b].cents();
      o.band_expected_loss[b] = p.band_expected_loss[b].cents();
    }
    o.dso_simple = p.dso_simple;
    o.dso_countback = p.dso_countback;
    o.days_beyond_terms = p.days_beyond_terms;
  });
}
