// The Google Benchmark suite of clientrisk's hot paths: posting, CSV import, scoring from
// ledger state and from a feature matrix, one explained score, snapshot save and load; and
// BM_Memory_Read, the reference every throughput is also given as a share of
// (`bandwidth_share`: the bytes a benchmark must read per second over what this machine reads
// per second with as many threads). Figures in benchmarks/README.md and docs/performance.md.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "clientrisk/actions.hpp"
#include "clientrisk/clientrisk.h"
#include "clientrisk/clientrisk.hpp"
#include "clientrisk/csv.hpp"
#include "clientrisk/generate.hpp"
#include "clientrisk/provisions.hpp"
#include "clientrisk/snapshot.hpp"

namespace cr = clientrisk;

namespace {

// The reference kernel: a read of a 512 MiB array (far beyond the caches) by `threads`
// threads, each summing its contiguous part in eight independent 64-bit lanes, which the
// compiler vectorises. Returns the sum, so that the reads cannot be dropped.
std::uint64_t read_array(const std::vector<std::uint64_t>& a, unsigned threads) {
  std::vector<std::uint64_t> sums(threads);
  auto part = [&](unsigned t) {
    const std::size_t first = a.size() * t / threads, last = a.size() * (t + 1) / threads;
    std::uint64_t lane[8] = {};
    for (std::size_t i = first; i + 8 <= last; i += 8)
      for (int k = 0; k < 8; ++k) lane[k] += a[i + static_cast<std::size_t>(k)];
    std::uint64_t s = 0;
    for (std::uint64_t v : lane) s += v;
    sums[t] = s;
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(part, t);
  part(0);
  pool.clear();
  std::uint64_t s = 0;
  for (std::uint64_t v : sums) s += v;
  return s;
}

const std::vector<std::uint64_t>& reference_array() {
  static const std::vector<std::uint64_t> a = [] {
    std::vector<std::uint64_t> v((std::size_t{512} << 20) / sizeof(std::uint64_t));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
    return v;
  }();
  return a;
}

// Bytes per second the machine reads with `threads` threads: the best of five reads, measured
// once per thread count in a process, before the first benchmark that needs it.
double read_bandwidth(unsigned threads) {
  static std::map<unsigned, double> measured;
  auto& bw = measured[threads];
  if (bw == 0) {
    const auto& a = reference_array();
    double best = 1e30;
    for (int i = 0; i < 5; ++i) {
      const auto t = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(read_array(a, threads));
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
    }
    bw = static_cast<double>(a.size() * sizeof(std::uint64_t)) / best;
  }
  return bw;
}

// The bytes a benchmark must read, as a rate; the reporter below adds it as a share of the
// machine's read bandwidth.
void bandwidth_counters(benchmark::State& state, double bytes_read) {
  state.counters["read_bytes"] = benchmark::Counter(bytes_read, benchmark::Counter::kIsRate);
}

// The display reporter (console, JSON or CSV, as --benchmark_format says) with one more counter
// for every run that reads bytes: bandwidth_share, its read_bytes per second over
// read_bandwidth() with the threads of its `threads:` argument (1 without one).
class ShareReporter : public benchmark::BenchmarkReporter {
 public:
  explicit ShareReporter(benchmark::BenchmarkReporter* inner) : inner_(inner) {}
  bool ReportContext(const Context& context) override { return inner_->ReportContext(context); }
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> out = runs;
    for (Run& r : out) {
      const auto read = r.counters.find("read_bytes");
      if (read == r.counters.end() || r.error_occurred) continue;
      unsigned threads = 1;
      const std::string& args = r.run_name.args;
      if (const auto at = args.find("threads:"); at != std::string::npos)
        threads = static_cast<unsigned>(std::stoul(args.substr(at + 8)));
      r.counters["bandwidth_share"] = benchmark::Counter(read->second.value / read_bandwidth(threads));
    }
    inner_->ReportRuns(out);
  }
  void Finalize() override { inner_->Finalize(); }

 private:
  std::unique_ptr<benchmark::BenchmarkReporter> inner_;
};

void BM_Memory_Read(benchmark::State& state) {
  const auto threads = static_cast<unsigned>(state.range(0));
  const auto& a = reference_array();
  for (auto _ : state) benchmark::DoNotOptimize(read_array(a, threads));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(a.size() * sizeof(std::uint64_t)));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(a.size()));
}
BENCHMARK(BM_Memory_Read)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// A simple, fast ledger for large client counts: per client and month an invoice with
// 30-day terms, paid on time, late or not at all, and now and then a complaint or a review.
std::vector<cr::Event> simple_events(std::size_t first, std::size_t clients, int months, int first_month = 0) {
  std::vector<cr::Event> out;
  out.reserve(clients * static_cast<std::size_t>(months) * 2);
  const cr::Date start = *cr::Date::from_civil(2023, 1, 1);
  for (int m = first_month; m < first_month + months; ++m) {
    for (std::size_t c = first; c < first + clients; ++c) {
      const std::string id = "C" + std::to_string(c);
      const cr::Date d = start + m * 30 + static_cast<std::int32_t>(c % 28);
      const std::string ref = "F" + std::to_string(m);
      const auto amount = cr::Money::from_cents(static_cast<std::int64_t>(10000 + (c * 7919 + static_cast<std::size_t>(m) * 104729) % 500000));
      out.push_back({d, id, cr::EventKind::invoice, ref, amount, d + 30, ""});
      const std::size_t kind = (c + static_cast<std::size_t>(m)) % 10;
      if (kind < 7) out.push_back({d + (kind < 5 ? 28 : 55), id, cr::EventKind::payment, ref, amount, {}, ""});
      if (kind == 8) out.push_back({d + 3, id, cr::EventKind::complaint, "", {}, {}, "3"});
      if (kind == 9) out.push_back({d + 5, id, cr::EventKind::review, "", {}, {}, "4"});
    }
  }
  return out;
}

const std::vector<cr::Event>& post_events() {
  static const std::vector<cr::Event> events = simple_events(0, 100000, 6);
  return events;
}

cr::Date last_date(const std::vector<cr::Event>& events) {
  cr::Date d = events.front().date;
  for (const auto& e : events) d = std::max(d, e.date);
  return d;
}

// Memory counters of a ledger, per client and per open invoice.
void memory_counters(benchmark::State& state, const cr::Ledger& l) {
  const auto clients = static_cast<double>(l.client_count());
  state.counters["clients"] = clients;
  state.counters["bytes_per_client"] = static_cast<double>(l.state_bytes()) / clients;
  state.counters["bytes_per_open_invoice"] =
      static_cast<double>(l.invoice_bytes()) / static_cast<double>(l.open_invoice_count());
  state.counters["registry_bytes_per_client"] = static_cast<double>(l.registry_bytes()) / clients;
}

// Posts events in one batch into a copy of base and applies them, timing only that.
void time_posting(benchmark::State& state, const cr::Engine& base, const std::vector<cr::Event>& events) {
  const cr::Date end = last_date(events);
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<cr::Engine>(base);
    state.ResumeTiming();
    engine->post(events);
    engine->ledger().advance(end);
    benchmark::DoNotOptimize(engine->ledger().open_invoice_count());
    state.PauseTiming();
    memory_counters(state, engine->ledger());
    engine.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(events.size()));
  bandwidth_counters(state, static_cast<double>(state.iterations() * events.size() * sizeof(cr::Event)));
}

// Posting into an engine that already holds 100 000 clients (six months of history): one more
// month of their events.
void BM_Ledger_Post(benchmark::State& state) {
  const auto history = simple_events(0, 100000, 6);
  cr::Engine base;
  base.post(history);
  base.ledger().advance(last_date(history));
  time_posting(state, base, simple_events(0, 100000, 1, 6));
}
BENCHMARK(BM_Ledger_Post)->Unit(benchmark::kMillisecond)->UseRealTime();

// Building a ledger from nothing: `clients` clients over `months` months (about 1.7 events
// per client and month), to see how posting scales with clients and with events per client.
void BM_Ledger_Build(benchmark::State& state) {
  const auto clients = static_cast<std::size_t>(state.range(0));
  const int months = static_cast<int>(state.range(1));
  time_posting(state, cr::Engine(), clients == 100000 && months == 6 ? post_events() : simple_events(0, clients, months));
}
BENCHMARK(BM_Ledger_Build)
    ->ArgNames({"clients", "months"})
    ->Args({100000, 6})
    ->Args({10000, 6})
    ->Args({1000000, 6})
    ->Args({100000, 1})
    ->Args({100000, 24})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Csv_Import(benchmark::State& state) {
  cr::GenerateOptions g;
  g.clients = static_cast<std::uint64_t>(state.range(0));
  g.months = 12;
  std::ostringstream out;
  cr::write_ledger_csv(out, g);
  const std::string text = out.str();
  for (auto _ : state) {
    cr::Engine engine;
    auto report = cr::import_csv_text(engine, text, "bench.csv");
    engine.ledger().advance(*engine.ledger().latest_event_date());
    benchmark::DoNotOptimize(report.rows);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  bandwidth_counters(state, static_cast<double>(state.iterations() * text.size()));
  state.SetItemsProcessed(state.iterations() * (std::count(text.begin(), text.end(), '\n') - 1));
}
BENCHMARK(BM_Csv_Import)->ArgName("clients")->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

cr::Engine& loaded_engine(std::size_t clients) {
  static std::map<std::size_t, std::unique_ptr<cr::Engine>> engines;
  auto& e = engines[clients];
  if (!e) {
    e = std::make_unique<cr::Engine>();
    constexpr std::size_t chunk = 50000;
    for (std::size_t first = 0; first < clients; first += chunk)
      e->post(simple_events(first, std::min(chunk, clients - first), 6));
    e->score_all();  // applies every event
  }
  return *e;
}

// Every client scored from ledger state; what it must read is the clients' state and their open
// invoices.
void BM_Score_All(benchmark::State& state) {
  auto& engine = loaded_engine(static_cast<std::size_t>(state.range(0)));
  const auto threads = static_cast<unsigned>(state.range(1));
  engine.set_threads(threads);
  for (auto _ : state) {
    cr::ScoreTable t = engine.score_all();
    benchmark::DoNotOptimize(t.score.data());
  }
  engine.set_threads(1);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  const auto& l = engine.ledger();
  bandwidth_counters(state, static_cast<double>(state.iterations()) *
                                static_cast<double>(l.client_count() * sizeof(cr::ClientState) +
                                                    l.open_invoice_count() * sizeof(cr::detail::Invoice)));
}
BENCHMARK(BM_Score_All)
    ->ArgNames({"clients", "threads"})
    ->Args({100000, 1})
    ->Args({10000, 1})
    ->Args({1000000, 1})
    ->Args({10000000, 1})
    ->Args({1000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A feature matrix of `rows` rows: the features of the first 1000 clients of the 100 000, repeated.
std::vector<double> feature_matrix(std::size_t rows) {
  auto& engine = loaded_engine(100000);
  const cr::ScoreTable t = engine.score_all();
  std::vector<double> first(1000 * cr::feature_count);
  for (std::size_t r = 0; r < 1000; ++r) {
    const cr::Score s = engine.explain(t, r);
    std::copy(s.features.begin(), s.features.end(), first.begin() + static_cast<std::ptrdiff_t>(r * cr::feature_count));
  }
  std::vector<double> x(rows * cr::feature_count);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = first[i % first.size()];
  return x;
}

void BM_Score_Features(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const std::vector<double> x = feature_matrix(rows);
  std::vector<double> scores(rows);
  std::vector<cr::Band> bands(rows);
  const cr::Model model;
  for (auto _ : state) {
    cr::score_features(x.data(), rows, cr::feature_count, model, scores.data(), bands.data(), threads);
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(x.size() * sizeof(double)));
  bandwidth_counters(state, static_cast<double>(state.iterations() * x.size() * sizeof(double)));
}
BENCHMARK(BM_Score_Features)
    ->ArgNames({"rows", "threads"})
    ->Args({1000000, 1})
    ->Args({100000, 1})
    ->Args({10000000, 1})
    ->Args({1000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_Score_One(benchmark::State& state) {
  auto& engine = loaded_engine(static_cast<std::size_t>(state.range(0)));
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 1024; ++i) ids.push_back("C" + std::to_string((i * 7919) % static_cast<std::size_t>(state.range(0))));
  std::size_t i = 0;
  for (auto _ : state) {
    cr::Score s = engine.score(ids[i++ & 1023]);
    benchmark::DoNotOptimize(s.score);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Score_One)->ArgName("clients")->Arg(1000000)->Repetitions(5)->ReportAggregatesOnly(true);

// The C ABI's cr_engine_score: one client scored and explained into a cr_score, with the
// engine's lock and the copy of texts, 1 000 000 clients loaded (the snapshot of the C++ one).
void BM_CApi_ScoreOne(benchmark::State& state) {
  const auto clients = static_cast<std::size_t>(state.range(0));
  const std::string path = std::filesystem::temp_directory_path() /
                           ("clientrisk-bench-capi-" + std::to_string(::getpid()) + ".crs");
  cr::save_snapshot(loaded_engine(clients), path);
  cr_engine* engine = nullptr;
  if (cr_engine_load_snapshot(path.c_str(), &engine) != CR_OK) state.SkipWithError(cr_last_error());
  std::remove(path.c_str());
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 1024; ++i) ids.push_back("C" + std::to_string((i * 7919) % clients));
  std::size_t i = 0;
  cr_score s{};
  s.struct_size = sizeof s;
  for (auto _ : state) {
    if (cr_engine_score(engine, ids[i++ & 1023].c_str(), CR_NO_DATE, &s) != CR_OK) state.SkipWithError(cr_last_error());
    benchmark::DoNotOptimize(s.score);
  }
  state.SetItemsProcessed(state.iterations());
  cr_engine_free(engine);
}
BENCHMARK(BM_CApi_ScoreOne)->ArgName("clients")->Arg(1000000)->Repetitions(5)->ReportAggregatesOnly(true);

// cr_score_features on the matrix of BM_Score_Features: the C path against the C++ one.
void BM_CApi_ScoreFeatures(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::vector<double> x = feature_matrix(rows);
  std::vector<double> scores(rows);
  std::vector<std::uint8_t> bands(rows);
  for (auto _ : state) {
    if (cr_score_features(x.data(), rows, cr::feature_count, cr::feature_count, nullptr, scores.data(), bands.data()) !=
        CR_OK)
      state.SkipWithError(cr_last_error());
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(x.size() * sizeof(double)));
  bandwidth_counters(state, static_cast<double>(state.iterations() * x.size() * sizeof(double)));
}
BENCHMARK(BM_CApi_ScoreFeatures)->ArgName("rows")->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// A snapshot file of the engine of `clients` clients, in the system's temporary directory.
std::string snapshot_path(std::size_t clients) {
  return (std::filesystem::temp_directory_path() /
          ("clientrisk-bench-" + std::to_string(::getpid()) + "-" + std::to_string(clients) + ".crs"))
      .string();
}

void snapshot_counters(benchmark::State& state, const cr::Engine& engine, std::size_t file_bytes) {
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(file_bytes));
  bandwidth_counters(state, static_cast<double>(state.iterations() * file_bytes));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(engine.client_count()));
  state.counters["snapshot_bytes_per_client"] =
      static_cast<double>(file_bytes) / static_cast<double>(engine.client_count());
}

// The whole engine to a file: archive, checksum, write, fsync, rename, fsync of the directory.
void BM_Snapshot_Save(benchmark::State& state) {
  const auto clients = static_cast<std::size_t>(state.range(0));
  const auto& engine = loaded_engine(clients);
  const std::string path = snapshot_path(clients);
  for (auto _ : state) cr::save_snapshot(engine, path);
  snapshot_counters(state, engine, std::filesystem::file_size(path));
  std::remove(path.c_str());
}
// Three repetitions: the first in a process pays for the first touch of the memory it writes.
BENCHMARK(BM_Snapshot_Save)->ArgName("clients")->Arg(1000000)->Repetitions(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// The whole engine from a file (in the page cache after the first run): read, checksum,
// archive, and the checks of every invariant of the state.
void BM_Snapshot_Load(benchmark::State& state) {
  const auto clients = static_cast<std::size_t>(state.range(0));
  const std::string path = snapshot_path(clients);
  cr::save_snapshot(loaded_engine(clients), path);
  for (auto _ : state) {
    cr::Engine engine = cr::load_snapshot(path);
    benchmark::DoNotOptimize(engine.client_count());
  }
  snapshot_counters(state, loaded_engine(clients), std::filesystem::file_size(path));
  std::remove(path.c_str());
}
BENCHMARK(BM_Snapshot_Load)->ArgName("clients")->Arg(1000000)->Repetitions(3)->Unit(benchmark::kMillisecond)->UseRealTime();

// Rows of `columns` standard normal features and outcomes drawn from a logistic model of them.
struct Outcomes {
  Eigen::MatrixXd x;
  std::vector<double> y;
};

Outcomes logistic_data(std::size_t rows, std::size_t columns) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> z;
  std::uniform_real_distribution<double> u(0, 1);
  Outcomes d{Eigen::MatrixXd(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(columns)), std::vector<double>(rows)};
  for (std::size_t i = 0; i < rows; ++i) {
    double eta = -1;
    for (std::size_t j = 0; j < columns; ++j) {
      const double v = z(rng);
      d.x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = v;
      eta += (static_cast<double>(j % 3) - 1) * 0.5 * v;
    }
    d.y[i] = u(rng) < 1 / (1 + std::exp(-eta)) ? 1 : 0;
  }
  return d;
}

// A logistic regression fitted by Newton's method: one item is one row of the design.
void BM_Calibrate_Fit(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const Outcomes d = logistic_data(rows, static_cast<std::size_t>(state.range(1)));
  cr::LogisticOptions o;
  o.threads = static_cast<unsigned>(state.range(2));
  int iterations = 0;
  for (auto _ : state) {
    const cr::LogisticFit f = cr::fit_logistic(d.x, d.y, o);
    iterations = f.iterations;
    benchmark::DoNotOptimize(f.coef.data());
  }
  state.counters["iterations"] = iterations;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
  bandwidth_counters(state, static_cast<double>(state.iterations()) * static_cast<double>(d.x.size() * sizeof(double)));
}
BENCHMARK(BM_Calibrate_Fit)->ArgNames({"rows", "columns", "threads"})->Args({1000000, 8, 1})->Args({1000000, 8, 2})->Args({100000, 24, 1})->Unit(benchmark::kMillisecond)->UseRealTime();

// The AUC of scores with ties: one item is one score.
void BM_Metrics_Auc(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  std::mt19937_64 rng(6);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> score(rows), y(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    y[i] = u(rng) < 0.2 ? 1 : 0;
    score[i] = std::round((u(rng) + 0.3 * y[i]) * 1000) / 10;  // 0.1-point scores: many ties
  }
  for (auto _ : state) benchmark::DoNotOptimize(cr::auc(score, y));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_Metrics_Auc)->ArgName("rows")->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// A generated ledger of `clients` clients over 12 months (every kind of event), applied.
cr::Engine& generated_engine(std::size_t clients) {
  static std::map<std::size_t, std::unique_ptr<cr::Engine>> engines;
  auto& e = engines[clients];
  if (!e) {
    e = std::make_unique<cr::Engine>();
    cr::GenerateOptions g;
    g.clients = clients;
    g.months = 12;
    e->post(cr::generate_events(g));
    e->score_all();
  }
  return *e;
}

// What a credit controller's morning needs, one item per client: scores, actions, worklist and
// credit lines (review), then provisions and the portfolio view from the same table.
void BM_Review_All(benchmark::State& state) {
  auto& engine = generated_engine(static_cast<std::size_t>(state.range(0)));
  std::size_t actions = 0;
  for (auto _ : state) {
    const cr::Review r = cr::review(engine);
    const cr::ProvisionReport p = cr::provisions(engine, r.scores);
    const cr::Portfolio view = cr::portfolio(engine, r.scores, p);
    actions = r.actions.size();
    benchmark::DoNotOptimize(view.hhi);
  }
  state.counters["actions"] = static_cast<double>(actions);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Review_All)->ArgName("clients")->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The parts: review() alone (scores included), and provisions and portfolio from a table.
void BM_Review_Actions(benchmark::State& state) {
  auto& engine = generated_engine(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(cr::review(engine).actions.data());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Review_Actions)->ArgName("clients")->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Review_Provisions(benchmark::State& state) {
  auto& engine = generated_engine(static_cast<std::size_t>(state.range(0)));
  const cr::ScoreTable t = engine.score_all();
  for (auto _ : state) benchmark::DoNotOptimize(cr::provisions(engine, t).total);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Review_Provisions)->ArgName("clients")->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Review_Portfolio(benchmark::State& state) {
  auto& engine = generated_engine(static_cast<std::size_t>(state.range(0)));
  const cr::ScoreTable t = engine.score_all();
  const cr::ProvisionReport p = cr::provisions(engine, t);
  for (auto _ : state) benchmark::DoNotOptimize(cr::portfolio(engine, t, p).hhi);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Review_Portfolio)->ArgName("clients")->Arg(1000000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  ShareReporter reporter(benchmark::CreateDefaultDisplayReporter());
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
