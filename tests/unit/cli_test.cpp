// The clientrisk command end to end: the bundled ledger, formats, exit codes, determinism.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "clientrisk/actions.hpp"
#include "clientrisk/backtest.hpp"
#include "clientrisk/csv.hpp"
#include "clientrisk/persist.hpp"
#include "clientrisk/provisions.hpp"

using namespace clientrisk;

namespace {

struct CliRun {
  int exit_code;
  std::string out, err;
};

// Unique to the test and the process: ctest runs tests in parallel processes.
std::string temp_path(const std::string& name) {
  return testing::TempDir() + "clientrisk_cli_" + testing::UnitTest::GetInstance()->current_test_info()->name() +
         "_" + std::to_string(getpid()) + "_" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CliRun run(const std::string& args) {
  const std::string err_path = temp_path("stderr.txt");
  const std::string cmd = std::string(CLIENTRISK_CLI) + " " + args + " 2>" + err_path;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "", "popen failed"};
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out, read_file(err_path)};
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

const std::string kLedger = std::string(CLIENTRISK_SOURCE_DIR) + "/examples/ledger.csv";

// The engine the review commands make of the bundled ledger.
Engine bundled_engine(Language l = Language::en) {
  Engine e;
  e.set_language(l);
  import_csv(e, kLedger);
  return e;
}

TEST(Cli, ActionsListTheLibrarysActionsInEveryFormat) {
  Engine e = bundled_engine();
  const Review r = review(e);
  ASSERT_FALSE(r.actions.empty());
  const CliRun csv = run("actions --events " + kLedger + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto rows = lines(csv.out);
  ASSERT_EQ(rows.size(), r.actions.size() + 1);
  EXPECT_EQ(rows[0], "priority,code,client,amount,deadline,reason");
  const Action& first = r.actions[0];
  EXPECT_EQ(rows[1].rfind(std::to_string(first.priority) + "," + std::string(to_string(first.code)) + "," + first.client + "," +
                              first.amount.to_string() + "," + first.deadline.to_string() + ",",
                          0),
            0u)
      << rows[1];
  const CliRun table = run("actions --events " + kLedger + " --top 3");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(lines(table.out).size(), 4u);
  const CliRun json = run("actions --events " + kLedger + " --format json --since 2024-06-30");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.rfind("{\"as_of\":\"2024-12-31\",\"model_fingerprint\":\"" + model_fingerprint(Model{}) +
                               "\",\"language\":\"en\",\"actions\":[",
                           0),
            0u);
  EXPECT_NE(json.out.find("\"alerts\":[\n{\"client\":"), std::string::npos);
  const CliRun fr = run("actions --events " + kLedger + " --lang fr --format csv");
  ASSERT_EQ(fr.exit_code, 0);
  EXPECT_NE(fr.out.find("au total"), std::string::npos);
  EXPECT_EQ(lines(fr.out).size(), rows.size());  // the same actions, other texts
}

TEST(Cli, ActionsRefuseBadDatesAndAmountFiles) {
  const CliRun after = run("actions --events " + kLedger + " --as-of 2024-06-30 --since 2024-07-01");
  EXPECT_EQ(after.exit_code, 2);
  EXPECT_NE(after.err.find("--since 2024-07-01 is after --as-of"), std::string::npos) << after.err;
  const CliRun bad_date = run("actions --events " + kLedger + " --since 2024-13-01");
  EXPECT_EQ(bad_date.exit_code, 2);  // a flag's value: a usage error
  EXPECT_NE(bad_date.err.find("--since: '2024-13-01' is not a valid date"), std::string::npos) << bad_date.err;
  const std::string orders = temp_path("orders.csv");
  std::ofstream(orders) << "client;amount\n";
  const CliRun header = run("actions --events " + kLedger + " --orders " + orders);
  EXPECT_EQ(header.exit_code, 1);
  EXPECT_NE(header.err.find(orders + ":1: the header must be 'client,amount'"), std::string::npos) << header.err;
  std::ofstream(orders) << "client,amount\nC000001,12.345\n";
  const CliRun amount = run("actions --events " + kLedger + " --orders " + orders);
  EXPECT_EQ(amount.exit_code, 1);
  EXPECT_NE(amount.err.find(orders + ":2: amount: "), std::string::npos) << amount.err;
  std::ofstream(orders) << "client,amount\nC000001,1.00\nNOBODY,12.34\n";
  const CliRun unknown = run("actions --events " + kLedger + " --limits " + orders);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find(orders + ":3: client: 'NOBODY' has no events on or before 2024-12-31"), std::string::npos)
      << unknown.err;
  std::ofstream(orders) << "client,amount\nC000001,-1.00\n";
  const CliRun negative = run("worklist --events " + kLedger + " --orders " + orders);
  EXPECT_EQ(negative.exit_code, 1);
  EXPECT_NE(negative.err.find(orders + ":2: amount: "), std::string::npos) << negative.err;
  // A large order puts the client on hold.
  std::ofstream(orders) << "client,amount\n\"C000001\",1000000.00\n";
  const CliRun held = run("actions --events " + kLedger + " --orders " + orders + " --format csv");
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_NE(held.out.find("1,credit_hold,C000001,"), std::string::npos);
  EXPECT_EQ(run("actions --events " + kLedger + " --orders " + temp_path("missing.csv")).exit_code, 3);
  EXPECT_EQ(run("actions --events " + kLedger + " --lang de").exit_code, 2);
  EXPECT_EQ(run("actions").exit_code, 2);  // neither --events nor --snapshot
  std::remove(orders.c_str());
}

TEST(Cli, WorklistRanksByValue) {
  Engine e = bundled_engine();
  const Review r = review(e);
  const CliRun csv = run("worklist --events " + kLedger + " --format csv --top 3");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const auto rows = lines(csv.out);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], "rank,client,value,at_stake,likelihood,urgency,days_past_due,score,band,action");
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(split(rows[i + 1], ',')[1], r.worklist[i].client);
  const CliRun json = run("worklist --events " + kLedger + " --format json");
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("{\"rank\":1,\"client\":\"" + r.worklist[0].client + "\""), std::string::npos);
}

TEST(Cli, ProvisionsEqualTheLibrarysWithGivenOrEstimatedRates) {
  Engine e = bundled_engine();
  const ScoreTable t = e.score_all();
  ProvisionOptions o;
  o.vat_rate = 0.2;
  const ProvisionReport given = provisions(e, t, o);
  const CliRun json = run("provisions --events " + kLedger +
                          " --vat 0.2 --loss-rates 0.005,0.02,0.05,0.10,0.25,0.50,1 --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"provision\":\"" + given.total.to_string() + "\"}"), std::string::npos) << json.out.substr(0, 900);
  // Estimated: the roll rates of the file's own history.
  o.loss_rates = estimate_roll_rates(read_events_csv(kLedger)).loss_rates(o.bounds);
  const ProvisionReport rolled = provisions(e, t, o);
  const CliRun table = run("provisions --events " + kLedger + " --vat 0.2");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("total provision: " + rolled.total.to_string() + "\n"), std::string::npos) << table.out;
  const CliRun csv = run("provisions --events " + kLedger + " --buckets 0,30,90 --loss-rates 0.01,0.1,0.3,1 --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(lines(csv.out)[0],
            "client,band,litigation,balance current,balance 1-30,balance 31-90,balance > 90,expected current,"
            "expected 1-30,expected 31-90,expected > 90,disputed,specific,provision");
  const CliRun few = run("provisions --events " + kLedger + " --loss-rates 0.1,0.2");
  EXPECT_EQ(few.exit_code, 2);
  EXPECT_NE(few.err.find("7 buckets but 2 loss rates"), std::string::npos) << few.err;
  const CliRun word = run("provisions --events " + kLedger + " --loss-rates 0.1,x");
  EXPECT_EQ(word.exit_code, 2);
  EXPECT_NE(word.err.find("--loss-rates: 'x' is not a number"), std::string::npos) << word.err;
  const CliRun piped = run("provisions --events - < " + kLedger);
  EXPECT_EQ(piped.exit_code, 2);
  EXPECT_NE(piped.err.find("give --events FILE"), std::string::npos) << piped.err;
}

TEST(Cli, PortfolioFigures) {
  Engine e = bundled_engine();
  const ScoreTable t = e.score_all();
  ProvisionOptions o;
  o.loss_rates = estimate_roll_rates(read_events_csv(kLedger)).loss_rates(o.bounds);
  const Portfolio p = portfolio(e, t, provisions(e, t, o));
  const CliRun csv = run("portfolio --events " + kLedger + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find("\nclients," + std::to_string(p.clients) + "\n"), std::string::npos);
  EXPECT_NE(csv.out.find("\nexpected_loss," + p.expected_loss.to_string() + "\n"), std::string::npos);
  EXPECT_NE(csv.out.find("\nclients_for_80_percent," + std::to_string(p.clients_for_80) + "\n"), std::string::npos);
  const CliRun json = run("portfolio --events " + kLedger + " --format json");
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_NE(json.out.find("\"bands\":[{\"band\":\"low\",\"clients\":" + std::to_string(p.band_clients[0])), std::string::npos);
  const CliRun table = run("portfolio --events " + kLedger);
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_EQ(lines(table.out)[0], "portfolio as of 2024-12-31: " + std::to_string(p.clients) + " clients");
}

}  // namespace

TEST(Cli, ScoresTheBundledLedgerAsCsvRiskiestFirst) {
  CliRun r = run("score --events " + kLedger + " --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = lines(r.out);
  ASSERT_GT(rows.size(), 10u);
  EXPECT_EQ(rows[0],
            "client,score,band,non_payment,dissatisfaction,cancellation,concentration,seasonality,reputation,legal,"
            "reasons");
  double previous = 101;
  std::string previous_client;
  int bands_seen = 0;
  std::string last_band;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    auto f = split(rows[i], ',');
    ASSERT_EQ(f.size(), 11u) << rows[i];
    const double score = std::stod(f[1]);
    EXPECT_LE(score, previous) << rows[i];
    if (score == previous) {
      EXPECT_LT(previous_client, f[0]);
    }
    double sum = 0;
    for (int k = 3; k < 10; ++k) sum += std::stod(f[static_cast<std::size_t>(k)]);
    EXPECT_NEAR(sum, score, 1e-5) << rows[i];
    if (f[2] != last_band) ++bands_seen, last_band = f[2];
    previous = score;
    previous_client = f[0];
  }
  EXPECT_GE(bands_seen, 3) << "the bundled ledger should show at least three bands";
}

TEST(Cli, OutputIsDeterministic) {
  CliRun a = run("score --events " + kLedger + " --format json");
  CliRun b = run("score --events " + kLedger + " --format json");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out.rfind("{\"as_of\":\"", 0), 0u);
  EXPECT_NE(a.out.find("\"reasons\":[{\"code\":"), std::string::npos);
}

TEST(Cli, TableTopAndAsOf) {
  CliRun top = run("score --events " + kLedger + " --top 5");
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_EQ(lines(top.out).size(), 6u);
  CliRun early = run("score --events " + kLedger + " --as-of 2023-06-30 --format csv");
  CliRun late = run("score --events " + kLedger + " --format csv");
  ASSERT_EQ(early.exit_code, 0) << early.err;
  EXPECT_NE(early.out, late.out);
  EXPECT_LE(lines(early.out).size(), lines(late.out).size());
}

TEST(Cli, StrictErrorNamesFileLineAndColumn) {
  const std::string path = temp_path("bad.csv");
  std::ofstream(path) << "date,client,kind,ref,amount,due,detail\n2024-01-01,a,review,,,,5\n2024-02-30,a,review,,,,4\n";
  CliRun r = run("score --events " + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "clientrisk: " + path + ":3: date: '2024-02-30' is not a valid date (YYYY-MM-DD)\n");
  EXPECT_EQ(r.out, "");
  CliRun lenient = run("score --events " + path + " --lenient --format csv");
  EXPECT_EQ(lenient.exit_code, 0);
  EXPECT_NE(lenient.err.find(path + ":3: date:"), std::string::npos);
  EXPECT_EQ(lines(lenient.out).size(), 2u);
}

TEST(Cli, ExitCodes) {
  EXPECT_EQ(run("score --events /nonexistent/x.csv").exit_code, 3);
  EXPECT_EQ(run("score --events " + kLedger + " --frobnicate").exit_code, 2);
  EXPECT_EQ(run("scroe --events " + kLedger).exit_code, 2);
  EXPECT_EQ(run("score").exit_code, 2);
  EXPECT_EQ(run("score --events " + kLedger + " --as-of 2024-02-30").exit_code, 2);
  EXPECT_EQ(run("score --events " + kLedger + " --format xml").exit_code, 2);
  CliRun v = run("version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("clientrisk ", 0), 0u);
}

TEST(Cli, GenerateIsDeterministicAndScores) {
  CliRun a = run("generate --clients 50 --months 12 --seed 7");
  CliRun b = run("generate --clients 50 --months 12 --seed 7");
  CliRun c = run("generate --clients 50 --months 12 --seed 8");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_EQ(lines(a.out)[0], "date,client,kind,ref,amount,due,detail");
  const std::string path = temp_path("generated.csv");
  std::ofstream(path) << a.out;
  CliRun s = run("score --events " + path + " --format csv");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(lines(s.out).size(), 51u);
}

TEST(Cli, ClearMessagesForOddArguments) {
  for (const char* top : {"0", "-1", "abc"}) {
    CliRun r = run("score --events " + kLedger + " --top " + top);
    EXPECT_EQ(r.exit_code, 2) << top;
    EXPECT_NE(r.err.find("--top: must be a whole number of at least 1"), std::string::npos) << r.err;
  }
  CliRun dir = run("score --events " + testing::TempDir());
  EXPECT_EQ(dir.exit_code, 3);
  EXPECT_NE(dir.err.find("is a directory"), std::string::npos) << dir.err;
  CliRun empty = run("score --events ''");
  EXPECT_EQ(empty.exit_code, 3);
  EXPECT_NE(empty.err.find("empty name"), std::string::npos) << empty.err;
  CliRun before = run("score --events " + kLedger + " --as-of 2000-01-01 --format csv");
  EXPECT_EQ(before.exit_code, 0);
  EXPECT_EQ(lines(before.out).size(), 1u);
  EXPECT_NE(before.err.find("no client has events on or before 2000-01-01"), std::string::npos) << before.err;
}

TEST(Cli, ModelInitShowValidateAndScoreWithIt) {
  const std::string model = temp_path("model.crm");
  ASSERT_EQ(run("model init " + model).exit_code, 0);
  const CliRun shown = run("model show " + model);
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_EQ(lines(shown.out).size(), 65u) << shown.out;  // 7 weights, 37 parameters, 5 of calibration, 15 of policy, the fingerprint
  EXPECT_EQ(lines(shown.out).front(), "weights.non_payment              0.34999999999999998");
  EXPECT_EQ(lines(shown.out).back().substr(0, 33), "model_fingerprint                ") << shown.out;
  EXPECT_EQ(lines(shown.out).back().size(), 33u + 64u) << shown.out;
  const CliRun valid = run("model validate " + model);
  EXPECT_EQ(valid.exit_code, 0);
  EXPECT_EQ(valid.out, model + ": valid model\n");
  // The built-in model written to a file scores exactly as the built-in model.
  const std::string builtin = run("score --format csv --events " + kLedger).out;
  EXPECT_EQ(run("score --format csv --events " + kLedger + " --model " + model).out, builtin);
  // Another model scores differently.
  const std::string golden = std::string(CLIENTRISK_SOURCE_DIR) + "/tests/data/model-v1.bin";
  const CliRun other = run("score --format csv --events " + kLedger + " --model " + golden);
  EXPECT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.out, builtin);

  std::ofstream(model, std::ios::app) << "x";
  const CliRun damaged = run("model validate " + model);
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_NE(damaged.err.find(model + ": 1 byte after the payload"), std::string::npos) << damaged.err;
  EXPECT_EQ(run("score --events " + kLedger + " --model " + model).exit_code, 1);
  EXPECT_EQ(run("model show /nonexistent/model.crm").exit_code, 3);
  EXPECT_EQ(run("model init /nonexistent/dir/model.crm").exit_code, 3);
  EXPECT_EQ(run("model").exit_code, 2);
  std::remove(model.c_str());
}

TEST(Cli, SnapshotThenResumeScoresLikeOnePass) {
  // The bundled ledger cut in two at a date: the rows are in date order.
  std::ifstream in(kLedger);
  std::string header, row, first, second;
  std::getline(in, header);
  while (std::getline(in, row)) (row.compare(0, 10, "2024-06-30") <= 0 ? first : second) += row + "\n";
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  const std::string part1 = temp_path("part1.csv"), part2 = temp_path("part2.csv"), snap = temp_path("state.crs");
  std::ofstream(part1) << header << "\n" << first;
  std::ofstream(part2) << header << "\n" << second;

  const CliRun saved = run("score --events " + part1 + " --as-of 2024-06-30 --save-snapshot " + snap + " --top 1");
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  const CliRun resumed = run("score --snapshot " + snap + " --events " + part2 + " --format json");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const CliRun one_pass = run("score --events " + kLedger + " --format json");
  EXPECT_EQ(resumed.out, one_pass.out);
  EXPECT_NE(one_pass.out.find("\"model_fingerprint\":\""), std::string::npos);
  // The snapshot alone scores its state as of the date it was saved at.
  EXPECT_EQ(run("score --snapshot " + snap + " --format csv").out,
            run("score --events " + part1 + " --as-of 2024-06-30 --format csv").out);

  // A snapshot that cannot be saved: an I/O error, and no scores printed as if all went well.
  const CliRun unsaved = run("score --events " + part1 + " --save-snapshot /nonexistent/dir/state.crs");
  EXPECT_EQ(unsaved.exit_code, 3);
  EXPECT_EQ(unsaved.out, "");
  EXPECT_NE(unsaved.err.find("save failed at open"), std::string::npos) << unsaved.err;
  EXPECT_EQ(run("score --format csv").exit_code, 2);  // neither --events nor --snapshot
  EXPECT_EQ(run("score --snapshot " + kLedger).exit_code, 1);
  EXPECT_EQ(run("score --snapshot /nonexistent/state.crs").exit_code, 3);
  EXPECT_EQ(run("score --snapshot " + snap + " --as-of 2024-01-01").exit_code, 1);  // before the saved state
  const std::string model = std::string(CLIENTRISK_SOURCE_DIR) + "/tests/data/model-v1.xml";
  const CliRun other_model = run("score --snapshot " + snap + " --model " + model);
  EXPECT_EQ(other_model.exit_code, 1);  // its half-lives differ from the snapshot's
  EXPECT_NE(other_model.err.find("half-lives"), std::string::npos) << other_model.err;
  // Roll rates need the whole history, which a snapshot does not keep; given rates work.
  for (const char* sub : {"provisions", "portfolio", "report"}) {
    const CliRun roll = run(std::string(sub) + " --snapshot " + snap + " --events " + part2);
    EXPECT_EQ(roll.exit_code, 2) << sub;
    EXPECT_NE(roll.err.find("with --snapshot, give the rates"), std::string::npos) << roll.err;
  }
  EXPECT_EQ(run("provisions --snapshot " + snap + " --events " + part2 + " --loss-rates 0,0,0,0.1,0.5,1,1").out,
            run("provisions --events " + kLedger + " --loss-rates 0,0,0,0.1,0.5,1,1").out);
  for (const std::string& p : {part1, part2, snap}) std::remove(p.c_str());
}

TEST(Cli, BacktestPrintsTheMetricsAndRefusesUnknownOutcomes) {
  CliRun r = run("backtest --events " + kLedger + " --as-of 2024-03-31 --as-of 2024-06-30 --horizon 180");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines(r.out);
  ASSERT_GE(out.size(), 7u);
  EXPECT_EQ(out[0].rfind("80 rows (clients x dates), ", 0), 0u) << out[0];
  EXPECT_EQ(out[1].rfind("AUC 0.", 0), 0u) << out[1];
  EXPECT_EQ(out[2], "band          rows      bad  bad rate");
  CliRun json = run("backtest --events " + kLedger + " --as-of 2024-03-31 --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json.out.rfind("{\"rows\":40,", 0), 0u) << json.out;
  EXPECT_NE(json.out.find("\"deciles\":["), std::string::npos);
  // The same figures as the library's.
  Engine check;
  import_csv(check, kLedger);
  const std::vector<Date> dates = {*Date::parse("2024-03-31")};
  const BacktestReport rep = evaluate(backtest_data(read_events_csv(kLedger), dates, Model{}));
  char auc[64];
  std::snprintf(auc, sizeof auc, "\"auc\":%.17g,", rep.auc);
  EXPECT_NE(json.out.find(auc), std::string::npos) << json.out;

  CliRun late = run("backtest --events " + kLedger + " --as-of 2024-09-30");
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_NE(late.err.find("after the latest event (2024-12-31)"), std::string::npos) << late.err;
  EXPECT_EQ(run("backtest --events " + kLedger + " --as-of 2024-3-31").exit_code, 2);
  EXPECT_EQ(run("backtest --events " + kLedger).exit_code, 2);
  EXPECT_EQ(run("backtest --events " + kLedger + " --as-of 2024-03-31 --horizon 0").exit_code, 2);
  EXPECT_EQ(run("backtest --events /nonexistent/x.csv --as-of 2024-03-31").exit_code, 3);
  const std::string path = temp_path("bad.csv");
  std::ofstream(path) << "date,client,kind,ref,amount,due,detail\n2024-01-01,a,review,,,,5\n2024-02-30,a,review,,,,4\n";
  CliRun bad = run("backtest --events " + path + " --as-of 2024-01-15");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "clientrisk: " + path + ":3: date: '2024-02-30' is not a valid date (YYYY-MM-DD)\n");
}

TEST(Cli, CalibrateWritesAModelThatScoresProbabilities) {
  const std::string out = temp_path("calibrated.crm");
  CliRun r = run("calibrate --events " + kLedger + " --as-of 2024-03-31 --as-of 2024-06-30 --l2 0.001 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("80 rows, 14 went bad within 180 days; ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("wrote " + out), std::string::npos);
  const Model m = load_model(out);
  EXPECT_EQ(m.calibrated, 1);
  CliRun show = run("model show " + out);
  EXPECT_NE(show.out.find("calibrated                       1\n"), std::string::npos) << show.out;
  CliRun back = run("backtest --events " + kLedger + " --as-of 2024-03-31 --as-of 2024-06-30 --model " + out);
  ASSERT_EQ(back.exit_code, 0) << back.err;
  CliRun scored = run("score --events " + kLedger + " --model " + out + " --format csv --top 1");
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  EXPECT_EQ(run("calibrate --events " + kLedger + " --as-of 2024-03-31").exit_code, 2);  // no --out
  // Scorecard points: the same weights, 600 points at odds of 1 to 50, 20 to double them.
  const std::string card = temp_path("scorecard.crm");
  CliRun pts = run("calibrate --events " + kLedger + " --as-of 2024-03-31 --as-of 2024-06-30 --l2 0.001 --points 600 0.02 20 --out " + card);
  ASSERT_EQ(pts.exit_code, 0) << pts.err;
  const Model c = load_model(card);
  EXPECT_EQ(c.calibrated, 2);
  EXPECT_EQ(c.weights, m.weights);
  EXPECT_EQ(c.points_base, 600);
  EXPECT_EQ(run("calibrate --events " + kLedger + " --as-of 2024-03-31 --points 600 0.02 --out " + card).exit_code, 2);
  const CliRun zero = run("calibrate --events " + kLedger + " --as-of 2024-03-31 --l2 0.001 --points 600 0.02 0 --out " + card);
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_NE(zero.err.find("points_pdo"), std::string::npos) << zero.err;
  std::remove(card.c_str());
  std::remove(out.c_str());
}

TEST(Cli, ExplainShowsOneClientAndRefusesUnknownOnes) {
  const CliRun table = run("explain C000002 --events " + kLedger);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("C000002  score 77.6  band critical  as of 2024-12-31", 0), 0u) << table.out;
  for (const char* part : {"non_payment          1.000    35.0", "NP-OVER-90", "open invoices by age", "181-365",
                           "declare_to_insurer"})
    EXPECT_NE(table.out.find(part), std::string::npos) << part;
  // The JSON's score is the score command's, bit for bit.
  const CliRun json = run("explain C000002 --events " + kLedger + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const CliRun all = run("score --events " + kLedger + " --format json --top 1");
  const std::string score = all.out.substr(all.out.find("\"score\":"), 26);
  EXPECT_NE(json.out.find(score), std::string::npos) << score;
  EXPECT_NE(json.out.find("\"open_invoices\":[{\"issued\":\"2024-03-10\""), std::string::npos);
  const CliRun fr = run("explain C000002 --events " + kLedger + " --lang fr");
  EXPECT_NE(fr.out.find("15\u202f277,53"), std::string::npos);

  const CliRun unknown = run("explain NOBODY --events " + kLedger);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown client 'NOBODY'"), std::string::npos) << unknown.err;
  EXPECT_EQ(run("explain --events " + kLedger).exit_code, 2);  // no CLIENT
  EXPECT_EQ(run("explain C000002 --events " + kLedger + " --format csv").exit_code, 2);
  EXPECT_EQ(run("explain C000002 --events " + kLedger + " --lang de").exit_code, 2);

  // A credit limit given: explain's credit line and actions are those of the actions command.
  const std::string limits = temp_path("limits.csv");
  std::ofstream(limits) << "client,amount\nC000002,100000.00\n";
  const CliRun limited = run("explain C000002 --events " + kLedger + " --format json --limits " + limits);
  ASSERT_EQ(limited.exit_code, 0) << limited.err;
  EXPECT_NE(limited.out.find("\"credit\":{\"limit\":\"100000.00\""), std::string::npos) << limited.out;
  // Held for its band only, no longer for an exposure above the recommended limit of 0.
  EXPECT_NE(json.out.find("\"reason\":\"band critical and exposure of 15277.53 above the credit limit of 0.00\""),
            std::string::npos) << json.out;
  EXPECT_NE(limited.out.find("\"code\":\"credit_hold\",\"priority\":1,\"amount\":\"15277.53\",\"deadline\":\"2024-12-31\","
                             "\"reason\":\"band critical\"}"), std::string::npos) << limited.out;
  const CliRun actions = run("actions --events " + kLedger + " --format csv --limits " + limits);
  EXPECT_NE(actions.out.find("1,credit_hold,C000002,15277.53,2024-12-31,band critical\n"), std::string::npos);
  std::remove(limits.c_str());
}

TEST(Cli, ReportWritesOneSelfContainedHtmlFile) {
  const std::string path = temp_path("report.html");
  const CliRun r = run("report --events " + kLedger + " --output " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("wrote " + path + " (40 clients as of 2024-12-31)"), std::string::npos) << r.err;
  const std::string page = read_file(path);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_EQ(page.find("http:"), std::string::npos);  // no external resource
  EXPECT_EQ(page.find("https:"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_NE(page.find(model_fingerprint(Model{})), std::string::npos);
  std::size_t charts = 0, rows = 0;
  for (const char* chart : {"<svg viewBox", "<svg class=\"square\" viewBox"})
    for (std::size_t at = page.find(chart); at != std::string::npos; at = page.find(chart, at + 1)) ++charts;
  for (std::size_t at = page.find("<svg class=\"bar\""); at != std::string::npos; at = page.find("<svg class=\"bar\"", at + 1))
    ++rows;
  EXPECT_EQ(charts, 4u);  // scores, bands, Lorenz, aging
  EXPECT_EQ(rows, 20u);   // the twenty riskiest
  EXPECT_EQ(page.rfind("</html>\n"), page.size() - 8);

  const CliRun fr = run("report --events " + kLedger + " --lang fr --top 5 --quiet --output " + path);
  ASSERT_EQ(fr.exit_code, 0) << fr.err;
  EXPECT_EQ(fr.err, "");
  EXPECT_NE(read_file(path).find("Rapport de risque client"), std::string::npos);
  EXPECT_EQ(run("report --events " + kLedger + " --top 0").exit_code, 2);
  EXPECT_EQ(run("report --events " + kLedger + " --format json").exit_code, 2);  // HTML only
  std::remove(path.c_str());
}

TEST(Cli, OutputIsReplacedOnlyWhenTheCommandSucceeds) {
  const std::string path = temp_path("out.txt");
  std::ofstream(path) << "previous";
  const CliRun missing = run("score --events " + temp_path("missing.csv") + " --output " + path);
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_EQ(read_file(path), "previous");
  const CliRun bad_date = run("score --events " + kLedger + " --as-of 2024-02-30 --output " + path);
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_EQ(read_file(path), "previous");
  const CliRun unknown = run("explain NOBODY --events " + kLedger + " --output " + path);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(read_file(path), "previous");
  const CliRun nowhere = run("score --events " + kLedger + " --output " + testing::TempDir() + "no/such/dir/out.txt");
  EXPECT_EQ(nowhere.exit_code, 3);
  EXPECT_NE(nowhere.err.find("--output: cannot write"), std::string::npos) << nowhere.err;
  const CliRun ok = run("score --events " + kLedger + " --format csv --output " + path);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(read_file(path), run("score --events " + kLedger + " --format csv").out);
  // No temporary file is left beside it.
  const CliRun left = run("version; ls " + path + ".tmp* 2>/dev/null | wc -l");
  EXPECT_NE(left.out.find("\n0\n"), std::string::npos) << left.out;
  std::remove(path.c_str());
}

TEST(Cli, MisspeltNamesGetTheClosestValidOne) {
  const CliRun sub = run("scroe --events " + kLedger);
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_NE(sub.err.find("clientrisk: unknown subcommand 'scroe'; did you mean 'score'?"), std::string::npos) << sub.err;
  const CliRun flag = run("score --eventz " + kLedger);
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("clientrisk score: unknown option '--eventz'; did you mean '--events'?"), std::string::npos)
      << flag.err;
  const CliRun nested = run("model shwo x.crm");
  EXPECT_EQ(nested.exit_code, 2);
  EXPECT_NE(nested.err.find("clientrisk model: unknown subcommand 'shwo'; did you mean 'show'?"), std::string::npos)
      << nested.err;
  const CliRun far = run("frobnicate");
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown subcommand 'frobnicate' (see clientrisk --help)"), std::string::npos) << far.err;
}

TEST(Cli, ProgressOnlyOnATerminalAndNeverWithQuiet) {
  const CliRun piped = run("score --events " + kLedger + " --top 1");
  ASSERT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.err, "");  // a pipe gets nothing extra
  if (system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "skipped: script(1) is not installed";
  // script(1) gives the command a terminal; what the terminal showed comes out on standard output.
  const std::string cmd = std::string(CLIENTRISK_CLI) + " score --events " + kLedger + " --top 1 >/dev/null";
  FILE* p = popen(("script -qec '" + cmd + "' /dev/null").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string tty;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) tty.append(buf, n);
  pclose(p);
  EXPECT_NE(tty.find("\r\033[Kimport [########################] 100%"), std::string::npos) << tty;
  p = popen(("script -qec '" + cmd + " --quiet' /dev/null").c_str(), "r");
  ASSERT_NE(p, nullptr);
  tty.clear();
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) tty.append(buf, n);
  pclose(p);
  EXPECT_EQ(tty.find("import ["), std::string::npos) << tty;
}
