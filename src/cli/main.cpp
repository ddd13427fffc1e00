// The clientrisk command: score a ledger export, backtest and calibrate a model, generate a
// synthetic ledger.
// Exit codes: 0 success, 1 bad input, 2 usage, 3 I/O.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "clientrisk/clientrisk.hpp"
#include "clientrisk/csv.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/snapshot.hpp"
#include "clientrisk/generate.hpp"
#include "common.hpp"
#include "report.hpp"
#include "review.hpp"
#include "usage.hpp"
#include "clientrisk/clientrisk.h"

namespace cr = clientrisk;
using namespace clientrisk::cli;

namespace {

std::string reason_codes(const cr::Score& s) {
  std::string out;
  for (const auto& r : s.reasons) out += (out.empty() ? "" : " ") + r.code;
  return out;
}

void print_table(const std::vector<cr::Score>& rows) {
  std::size_t width = 6;
  for (const auto& s : rows) width = std::max(width, s.client.size());
  std::printf("%-*s %6s %-8s", static_cast<int>(width), "client", "score", "band");
  for (auto f : cr::factor_names) std::printf(" %*s", static_cast<int>(std::min<std::size_t>(f.size(), 8)),
                                               std::string(f.substr(0, 8)).c_str());
  std::printf("  reasons\n");
  for (const auto& s : rows) {
    std::printf("%-*s %6.1f %-8s", static_cast<int>(width), s.client.c_str(), s.score,
                std::string(cr::to_string(s.band)).c_str());
    for (std::size_t k = 0; k < cr::factor_names.size(); ++k)
      std::printf(" %*.1f", static_cast<int>(std::min<std::size_t>(cr::factor_names[k].size(), 8)), s.contribution[k]);
    std::printf("  %s\n", reason_codes(s).c_str());
  }
}

void print_csv(const std::vector<cr::Score>& rows) {
  std::string out = "client,score,band";
  for (auto f : cr::factor_names) out += "," + std::string(f);
  out += ",reasons\n";
  for (const auto& s : rows) {
    out += csv_field(s.client) + "," + num("%.6f", s.score) + "," + std::string(cr::to_string(s.band));
    for (double c : s.contribution) out += "," + num("%.6f", c);
    out += "," + csv_field(reason_codes(s)) + "\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void print_json(const std::vector<cr::Score>& rows, const cr::ScoreTable& table) {
  std::string out = "{\"as_of\":\"" + table.as_of.to_string() + "\",\"model_fingerprint\":\"" +
                    table.model_fingerprint + "\",\"clients\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const cr::Score& s = rows[i];
    out += i ? ",\n" : "\n";
    out += "{\"client\":" + json_string(s.client) + ",\"score\":" + real(s.score) + ",\"band\":\"" +
           std::string(cr::to_string(s.band)) + "\",\"sub_scores\":{";
    for (std::size_t k = 0; k < cr::factor_names.size(); ++k)
      out += (k ? "," : "") + json_string(cr::factor_names[k]) + ":" + real(s.sub[k]);
    out += "},\"contributions\":{";
    for (std::size_t k = 0; k < cr::factor_names.size(); ++k)
      out += (k ? "," : "") + json_string(cr::factor_names[k]) + ":" + real(s.contribution[k]);
    out += "},\"reasons\":" + reasons_json(s.reasons);
    out += ",\"key_figures\":" + key_figures_json(s.key) + "}";
  }
  out += "\n]}\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
}

int run_score(const ScoreArgs& args) {
  const std::optional<cr::Date> as_of = date_option(args.as_of, "--as-of");
  cr::Engine engine = prepare_engine(args);
  cr::ScoreTable table = engine.score_all(as_of);
  // Saved once scored: the events up to the as-of date are folded into the state, the later
  // ones wait in the snapshot for their date.
  if (args.save_snapshot) cr::save_snapshot(engine, *args.save_snapshot);
  if (table.size() == 0 && !args.quiet)
    std::fprintf(stderr, "clientrisk: no client has events on or before %s\n", table.as_of.to_string().c_str());
  const std::vector<std::size_t> order = ranking(engine, table, args.top);
  std::vector<cr::Score> rows;
  rows.reserve(order.size());
  Progress bar(Progress::wanted(args.quiet), "explain", "clients");
  for (std::size_t i : order) {
    rows.push_back(engine.explain(table, i));
    bar.update(rows.size(), order.size());
  }
  bar.finish();

  if (args.format == "csv")
    print_csv(rows);
  else if (args.format == "json")
    print_json(rows, table);
  else
    print_table(rows);
  return kOk;
}

struct BacktestArgs {
  std::string events;
  std::optional<std::string> model;
  std::vector<std::string> as_of;
  int horizon = 180;
  std::string format = "table";
  std::string out;  // calibrate: the model file to write
  double l2 = 0;
  std::vector<double> points;  // calibrate: base points, base odds, points to double the odds
  std::optional<std::string> output;
  bool quiet = false;
};

// The options backtest and calibrate share: the event file, the dates, the horizon, the model.
void add_history_options(CLI::App* sub, BacktestArgs& a, const char* as_of_help, const char* model_help) {
  sub->add_option("--events", a.events, "Event file (CSV)")->required();
  sub->add_option("--as-of", a.as_of, as_of_help)->required();
  sub->add_option("--horizon", a.horizon, "Days after each date in which an outcome counts")->check(CLI::Range(1, 36500));
  sub->add_option("--model", a.model, model_help);
  sub->add_option("--format", a.format, "Output format")->check(CLI::IsMember({"table", "json"}));
  sub->add_option("--output", a.output, "Write to this file instead of standard output (replaced only on success)");
  sub->add_flag("-q,--quiet", a.quiet, "No notes on stderr");
}

// The backtest data of an event file as of the dates given.
cr::BacktestData backtest_of(const BacktestArgs& a, const cr::Model& model) {
  std::vector<cr::Date> dates;
  for (const std::string& d : a.as_of) dates.push_back(*date_option(d, "--as-of"));
  if (a.events == "-")
    throw UsageError("--events: backtest and calibrate read the history twice, from a file, not standard input");
  {
    // The file's own errors, with their lines: every row must post.
    cr::Engine check(model);
    cr::import_csv(check, a.events);
  }
  cr::BacktestOptions options;
  options.horizon_days = a.horizon;
  return cr::backtest_data(cr::read_events_csv(a.events), dates, model, options);
}

// A calibrated model from the outcomes of an event file's history, written to --out.
int run_calibrate(const BacktestArgs& a) {
  const cr::Model base = a.model ? cr::load_model(*a.model) : cr::Model{};
  const cr::BacktestData data = backtest_of(a, base);
  cr::LogisticFit fit;
  const cr::Model probability = cr::calibrated_model(data, base, a.l2, &fit);
  const cr::Model m = a.points.empty() ? probability : cr::scorecard_model(probability, a.points[0], a.points[1], a.points[2]);
  cr::save_model(m, a.out);
  const cr::BacktestReport before = cr::evaluate(data);
  std::vector<double> p(data.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    p[i] = fit.probability(std::span<const double>(&data.sub(static_cast<Eigen::Index>(i), 0), cr::factor_count));
  const double calibrated_auc = cr::auc(p, data.outcome);
  const std::string fingerprint = cr::model_fingerprint(m);
  if (a.format == "json") {
    std::string out = "{\"rows\":" + std::to_string(before.rows) + ",\"bad\":" + std::to_string(before.bad) +
                      ",\"horizon_days\":" + std::to_string(a.horizon) + ",\"l2\":" + real(a.l2) +
                      ",\"iterations\":" + std::to_string(fit.iterations) +
                      ",\"converged\":" + (fit.converged ? "true" : "false") + ",\"coefficients\":{";
    for (std::size_t k = 0; k < cr::factor_names.size(); ++k)
      out += (k ? "," : "") + json_string(cr::factor_names[k]) + ":{\"coefficient\":" +
             real(fit.coef(static_cast<Eigen::Index>(k))) + ",\"std_error\":" +
             real(fit.std_error(static_cast<Eigen::Index>(k))) + "}";
    out += "},\"intercept\":{\"coefficient\":" + real(fit.intercept) + ",\"std_error\":" +
           real(fit.intercept_std_error) + "},\"auc_before\":" + real(before.auc) +
           ",\"auc_calibrated\":" + real(calibrated_auc) + ",\"model\":" + json_string(a.out) +
           ",\"model_fingerprint\":\"" + fingerprint + "\"}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kOk;
  }
  std::printf("%zu rows, %zu went bad within %d days; %d Newton iterations\n", before.rows, before.bad, a.horizon,
              fit.iterations);
  std::printf("%-16s %12s %10s\n", "factor", "coefficient", "std error");
  for (std::size_t k = 0; k < cr::factor_names.size(); ++k)
    std::printf("%-16s %12.4f %10.4f\n", std::string(cr::factor_names[k]).c_str(), fit.coef(static_cast<Eigen::Index>(k)),
                fit.std_error(static_cast<Eigen::Index>(k)));
  std::printf("%-16s %12.4f %10.4f\n", "intercept", fit.intercept, fit.intercept_std_error);
  std::printf("AUC on these dates: %.4f with %s, %.4f calibrated\n", before.auc,
              a.model ? a.model->c_str() : "the built-in model", calibrated_auc);
  std::printf("wrote %s (fingerprint %s)\n", a.out.c_str(), fingerprint.substr(0, 12).c_str());
  return kOk;
}

// Backtest of a model on an event file: the metrics over every client and date.
int run_backtest(const BacktestArgs& a) {
  const cr::Model model = a.model ? cr::load_model(*a.model) : cr::Model{};
  const auto data = backtest_of(a, model);
  const cr::BacktestReport r = cr::evaluate(data);
  if (a.format == "json") {
    std::string out = "{\"rows\":" + std::to_string(r.rows) + ",\"bad\":" + std::to_string(r.bad) +
                      ",\"horizon_days\":" + std::to_string(a.horizon) + ",\"auc\":" + real(r.auc) +
                      ",\"gini\":" + real(r.gini) + ",\"ks\":" + real(r.ks) +
                      ",\"brier\":" + real(r.brier) + ",\"log_loss\":" + real(r.log_loss) +
                      ",\"psi\":" + real(r.psi) + ",\"bands\":{";
    for (std::size_t b = 0; b < 4; ++b)
      out += (b ? "," : "") + json_string(cr::band_names[b]) + ":{\"rows\":" + std::to_string(r.band_rows[b]) +
             ",\"bad\":" + std::to_string(r.band_bad[b]) + "}";
    out += "},\"deciles\":[";
    for (std::size_t g = 0; g < r.calibration.size(); ++g) {
      const auto& c = r.calibration[g];
      out += (g ? "," : "") + std::string("{\"rows\":") + std::to_string(c.rows) + ",\"mean_predicted\":" +
             real(c.mean_predicted) + ",\"observed_rate\":" + real(c.observed_rate) + "}";
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kOk;
  }
  std::printf("%zu rows (clients x dates), %zu went bad within %d days\n", r.rows, r.bad, a.horizon);
  std::printf("AUC %.4f  Gini %.4f  KS %.4f  Brier %.4f  log loss %.4f  PSI %.4f\n", r.auc, r.gini, r.ks, r.brier,
              r.log_loss, r.psi);
  std::printf("%-9s %8s %8s %9s\n", "band", "rows", "bad", "bad rate");
  for (std::size_t b = 0; b < 4; ++b)
    std::printf("%-9s %8zu %8zu %8.1f%%\n", std::string(cr::band_names[b]).c_str(), r.band_rows[b], r.band_bad[b],
                r.band_rows[b] ? 100.0 * static_cast<double>(r.band_bad[b]) / static_cast<double>(r.band_rows[b]) : 0.0);
  return kOk;
}

// Every weight and parameter, one per line as the model file names them, or as one JSON object.
void print_model(const cr::Model& m, const std::string& format) {
  std::vector<std::pair<std::string, double>> values;
  for (std::size_t i = 0; i < cr::factor_names.size(); ++i)
    values.emplace_back("weights." + std::string(cr::factor_names[i]), m.weights[i]);
  auto add = [&](std::span<const cr::ModelParameter> table) {
    for (const cr::ModelParameter& p : table) values.emplace_back(std::string(p.name), m.*p.field);
  };
  add(cr::model_parameters);
  add(cr::calibration_parameters);
  add(cr::policy_parameters);
  if (format == "json") {
    std::string out = "{\"model_fingerprint\":\"" + cr::model_fingerprint(m) + "\",\"parameters\":{";
    for (std::size_t i = 0; i < values.size(); ++i)
      out += (i ? "," : "") + json_string(values[i].first) + ":" + real(values[i].second);
    out += "}}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return;
  }
  for (const auto& [name, v] : values) std::printf("%-32s %.17g\n", name.c_str(), v);
  std::printf("%-32s %s\n", "model_fingerprint", cr::model_fingerprint(m).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"clientrisk: explained client risk scores from ledger events"};
  app.require_subcommand(1);
  app.option_defaults()->always_capture_default();  // --help shows every default
  app.set_version_flag("--version", version_string());
  app.footer("Examples:\n  clientrisk score --events examples/ledger.csv --top 15\n"
             "  clientrisk report --events examples/ledger.csv --output report.html\n"
             "  clientrisk explain C000002 --events examples/ledger.csv\n"
             "Exit codes: 0 success, 1 bad input, 2 usage, 3 I/O. docs/cli.md documents every subcommand.");

  auto* score = app.add_subcommand("score", "Score every client of an event file, riskiest first");
  ScoreArgs sa;
  add_ledger_options(score, sa);
  score->add_option("--save-snapshot", sa.save_snapshot, "Save the engine's state, once scored, to this snapshot");
  score->add_option("--top", sa.top, "Only the N riskiest clients")->check(positive_count());
  score->footer("Examples:\n  clientrisk score --events examples/ledger.csv --as-of 2024-12-31 --top 10\n"
                "  clientrisk score --events jan.csv --save-snapshot state.crs\n"
                "  clientrisk score --snapshot state.crs --events feb.csv --save-snapshot state.crs");

  const auto report_commands = add_report_commands(app);

  auto* generate = app.add_subcommand("generate", "Write a deterministic synthetic ledger (CSV)");
  cr::GenerateOptions gen;
  std::optional<std::string> generate_output;
  generate->add_option("--clients", gen.clients, "Number of clients")->check(CLI::Range(1ull, 100000000ull));
  generate->add_option("--months", gen.months, "Number of months")->check(CLI::Range(1, 600));
  generate->add_option("--seed", gen.seed, "Random seed");
  generate->add_option("--output", generate_output, "Write to this file instead of standard output");
  generate->footer("Example:\n  clientrisk generate --clients 1000 --months 24 --seed 7 > ledger.csv");

  auto* model = app.add_subcommand("model", "Write, show or check a model file");
  model->require_subcommand(1);
  model->footer("Examples:\n  clientrisk model init risk.crm\n  clientrisk model validate risk.crm\n"
                "  clientrisk model show risk.crm --format json");
  std::string model_path, model_format = "table";
  bool binary = false;
  auto* model_init = model->add_subcommand("init", "Write the built-in model to FILE (XML unless --binary)");
  model_init->add_option("FILE", model_path, "Model file to write")->required();
  model_init->add_flag("--binary", binary, "Write a binary archive instead of XML");
  model_init->footer("Example:\n  clientrisk model init risk.crm");
  auto* model_show = model->add_subcommand("show", "Print every weight and parameter of a model file");
  model_show->add_option("FILE", model_path, "Model file")->required();
  model_show->add_option("--format", model_format, "Output format")->check(CLI::IsMember({"table", "json"}));
  model_show->footer("Example:\n  clientrisk model show risk.crm --format json");
  auto* model_validate = model->add_subcommand("validate", "Check a model file; exit 0 when it is valid");
  model_validate->add_option("FILE", model_path, "Model file")->required();
  model_validate->footer("Example:\n  clientrisk model validate risk.crm");

  auto* backtest = app.add_subcommand("backtest", "How well a model ranks the clients that went bad later");
  BacktestArgs ba;
  add_history_options(backtest, ba, "Score as of YYYY-MM-DD (repeat for several dates)",
                      "Model file (default: the built-in model)");
  backtest->footer("Went bad: an invoice 60 days past due while open, a write-off, a lawsuit or a litigation\n"
                   "in the window (docs/calibration.md).\n"
                   "Example:\n  clientrisk backtest --events examples/ledger.csv --as-of 2024-03-31 --as-of 2024-06-30 "
                   "--horizon 180");

  auto* calibrate = app.add_subcommand("calibrate", "Learn a calibrated model from the outcomes of a ledger's history");
  BacktestArgs ca;
  add_history_options(calibrate, ca, "Development date YYYY-MM-DD (repeat for several)",
                      "Model whose parameters to keep (default: the built-in model)");
  calibrate->add_option("--l2", ca.l2, "Ridge penalty of the logistic regression")->check(CLI::Range(0.0, 1e6));
  calibrate->add_option("--out", ca.out, "Model file to write (XML)")->required();
  calibrate->add_option("--points", ca.points,
                        "Score in scorecard points instead of a probability: BASE points at odds of going bad ODDS, "
                        "PDO more points each time those odds double")
      ->expected(3)
      ->type_name("BASE ODDS PDO");
  calibrate->footer("The new model's weights are the non-negative coefficients of a logistic regression of the\n"
                    "outcomes on the sub-scores; its score is the probability of going bad within the horizon, in %,\n"
                    "or with --points scorecard points that grow with the risk (docs/calibration.md).\n"
                    "Example:\n  clientrisk calibrate --events examples/ledger.csv --as-of 2024-03-31 --as-of 2024-06-30 "
                    "--horizon 180 --l2 0.001 --out calibrated.crm\n"
                    "  clientrisk calibrate --events examples/ledger.csv --as-of 2024-03-31 --horizon 180 "
                    "--l2 0.001 --points 600 0.02 20 --out scorecard.crm");

  const auto review_commands = add_review_commands(app);
  auto* version = app.add_subcommand("version", "Print the version of the command and of the C ABI");
  std::string version_format = "table";
  version->add_option("--format", version_format, "Output format")->check(CLI::IsMember({"table", "json"}));
  version->footer("Example:\n  clientrisk version --format json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "%s\n", usage_message(app, argc, argv, e).c_str());
    return kUsage;
  }

  try {
    // The subcommand's standard output, into --output when given.
    std::optional<std::string> output = sa.output;
    if (*backtest) output = ba.output;
    if (*calibrate) output = ca.output;
    if (*generate) output = generate_output;
    if (const auto* o = review_output(*review_commands)) output = *o;
    if (const auto* o = report_output(*report_commands)) output = *o;
    Output out(output);
    int code = kUsage;
    if (*score) {
      code = run_score(sa);
    } else if (*backtest) {
      code = run_backtest(ba);
    } else if (*calibrate) {
      code = run_calibrate(ca);
    } else if (const auto c = run_review_command(*review_commands)) {
      code = *c;
    } else if (const auto r = run_report_command(*report_commands)) {
      code = *r;
    } else if (*model_init) {
      cr::save_model(cr::Model{}, model_path, binary ? cr::ArchiveFormat::binary : cr::ArchiveFormat::xml);
      code = kOk;
    } else if (*model_show) {
      print_model(cr::load_model(model_path), model_format);
      code = kOk;
    } else if (*model_validate) {
      cr::load_model(model_path);
      std::printf("%s: valid model\n", model_path.c_str());
      code = kOk;
    } else if (*generate) {
      std::ios::sync_with_stdio(false);
      cr::write_ledger_csv(std::cout, gen);
      std::cout.flush();
      if (!std::cout) throw cr::IoError("cannot write the ledger to standard output");
      code = kOk;
    } else if (*version) {
      if (version_format == "json")
        std::printf("{\"version\":\"%s\",\"abi\":%d}\n", version_string().c_str(), CR_ABI_VERSION);
      else
        std::printf("clientrisk %s (C ABI %d)\n", version_string().c_str(), CR_ABI_VERSION);
      code = kOk;
    }
    if (code == kOk) out.commit();
    return code;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "clientrisk: %s\n", e.what());
    return kUsage;
  } catch (const cr::IoError& e) {
    std::fprintf(stderr, "clientrisk: %s\n", e.what());
    return kIo;
  } catch (const cr::Error& e) {
    std::fprintf(stderr, "clientrisk: %s\n", e.what());
    return kBadInput;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "clientrisk: out of memory\n");
    return kIo;
  }
}
