// clientrisk actions, worklist, provisions and portfolio: the review of a ledger as of a date,
// as a table, CSV or JSON (docs/actions.md).
#include "review.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "clientrisk/actions.hpp"
#include "clientrisk/provisions.hpp"
#include "common.hpp"

namespace clientrisk::cli {

cr::ProvisionOptions provision_options(const ReviewArgs& a, std::string* source) {
  cr::ProvisionOptions o;
  o.bounds = a.buckets;
  o.vat_rate = a.vat;
  o.disputed_rate = a.disputed_rate;
  o.lawsuit_rate = a.lawsuit_rate;
  if (a.loss_rates == "roll") {
    if (a.in.snapshot)
      throw UsageError("--loss-rates roll estimates the rates from the whole history of an event file, which a "
                       "snapshot does not keep: with --snapshot, give the rates");
    if (!a.in.events || *a.in.events == "-")
      throw UsageError("--loss-rates roll estimates them from the history of an event file: give --events FILE "
                             "(not standard input), or the rates");
    const cr::RollRates rr = cr::estimate_roll_rates(cr::read_events_csv(*a.in.events), a.roll_months,
                                                     a.in.model ? cr::load_model(*a.in.model) : cr::Model{});
    o.loss_rates = rr.loss_rates(o.bounds);
    *source = "roll rates of " + std::to_string(rr.month_ends) + " month ends";
  } else {
    o.loss_rates.clear();
    std::stringstream in(a.loss_rates);
    std::string item;
    while (std::getline(in, item, ',')) {
      char* end = nullptr;
      const double v = std::strtod(item.c_str(), &end);
      if (item.empty() || *end != '\0') throw UsageError("--loss-rates: '" + item + "' is not a number");
      o.loss_rates.push_back(v);
    }
    *source = "given";
  }
  try {
    cr::validate(o);
  } catch (const cr::InvalidInput& e) {
    throw UsageError(std::string(e.what()) + " (--buckets, --loss-rates)");
  }
  return o;
}

void add_provision_options(CLI::App* sub, ReviewArgs& a) {
  sub->add_option("--loss-rates", a.loss_rates,
                  "Loss rate of each bucket, comma-separated, or roll: estimated from the event file's history by "
                  "the roll-rate method");
  sub->add_option("--buckets", a.buckets, "Upper bounds in days past due of every bucket but the last, from 0")
      ->delimiter(',');
  sub->add_option("--vat", a.vat, "VAT rate the amounts include: provisions are computed excluding it")
      ->check(CLI::Range(0.0, 10.0));
  sub->add_option("--disputed-rate", a.disputed_rate, "Specific provision on disputed amounts")->check(CLI::Range(0.0, 1.0));
  sub->add_option("--lawsuit-rate", a.lawsuit_rate, "Specific provision on the receivables of a client in litigation")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--roll-months", a.roll_months, "Buckets of one month that the roll rates follow")->check(CLI::Range(1, 120));
}

namespace {

// A CSV of client,amount with a header, as open orders or credit limits, of clients the ledger knows.
cr::ClientAmounts read_amounts(const std::string& path, const char* what, const cr::Ledger& ledger, cr::Date as_of) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cr::IoError(std::string(what) + ": cannot open '" + path + "'");
  cr::ClientAmounts out;
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string at = path + ":" + std::to_string(n) + ": ";
    if (n == 1) {
      if (line != "client,amount") throw cr::InvalidInput(at + "the header must be 'client,amount', got '" + line + "'");
      continue;
    }
    if (line.empty()) continue;
    const std::size_t comma = line.rfind(',');
    if (comma == std::string::npos) throw cr::InvalidInput(at + "expected client,amount");
    std::string client = line.substr(0, comma);
    if (client.size() >= 2 && client.front() == '"' && client.back() == '"') {
      std::string unquoted;
      for (std::size_t i = 1; i + 1 < client.size(); ++i) {
        unquoted += client[i];
        if (client[i] == '"' && client[i + 1] == '"') ++i;
      }
      client = unquoted;
    }
    if (client.empty()) throw cr::InvalidInput(at + "client: is empty");
    const char* why = nullptr;
    const auto amount = cr::Money::parse(std::string_view(line).substr(comma + 1), &why);
    if (!amount) throw cr::InvalidInput(at + "amount: " + (why ? why : "not an amount"));
    const std::uint32_t i = ledger.client_index(client);
    if (i == cr::Ledger::npos || ledger.state(i).first_date == cr::detail::kNoDate)
      throw cr::InvalidInput(at + "client: '" + client + "' has no events on or before " + as_of.to_string());
    if (!out.emplace(client, *amount).second) throw cr::InvalidInput(at + "client: '" + client + "' appears twice");
  }
  return out;
}

}  // namespace

cr::ReviewOptions review_options(const ReviewArgs& a, cr::Engine& e, std::optional<cr::Date> as_of) {
  cr::ReviewOptions o;
  if (!a.orders && !a.limits) return o;
  // The events up to the date applied, to check each row's client against them; a date before
  // the engine's state is left for review() to refuse.
  const cr::Date d = as_of ? *as_of : e.default_as_of();
  cr::Ledger& ledger = e.ledger();
  if (ledger.horizon() == cr::detail::kNoDate || d.days() >= ledger.horizon()) ledger.advance(d);
  if (a.orders) o.open_orders = read_amounts(*a.orders, "--orders", ledger, d);
  if (a.limits) o.credit_limits = read_amounts(*a.limits, "--limits", ledger, d);
  return o;
}

void add_credit_options(CLI::App* sub, ReviewArgs& a) {
  sub->add_option("--orders", a.orders, "Open orders per client (CSV client,amount), added to exposure");
  sub->add_option("--limits", a.limits, "Credit limits per client (CSV client,amount) replacing the recommended ones");
}

namespace {

void write(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

int run_actions(const ReviewArgs& a) {
  cr::Engine e = prepare_engine(a.in);
  const auto as_of = date_option(a.in.as_of, "--as-of");
  const auto since = date_option(a.since, "--since");
  std::optional<cr::ScoreTable> before;
  if (since) {
    if (as_of && *since > *as_of) throw UsageError("--since " + since->to_string() + " is after --as-of " + as_of->to_string());
    before = e.score_all(*since);
  }
  const cr::Review r = cr::review(e, as_of, review_options(a, e, as_of));
  std::vector<cr::Alert> alerts;
  if (before) alerts = cr::band_alerts(e, *before, r.scores);
  std::vector<cr::Action> actions = r.actions;
  if (a.in.top && *a.in.top < actions.size()) actions.resize(*a.in.top);
  if (a.in.format == "json") {
    std::string out = "{\"as_of\":\"" + r.as_of.to_string() + "\",\"model_fingerprint\":\"" + r.scores.model_fingerprint +
                      "\",\"language\":\"" + a.in.lang + "\",\"actions\":[";
    for (std::size_t i = 0; i < actions.size(); ++i) {
      const cr::Action& x = actions[i];
      out += std::string(i ? ",\n" : "\n") + "{\"client\":" + json_string(x.client) + ",\"code\":\"" +
             std::string(cr::to_string(x.code)) + "\",\"priority\":" + std::to_string(x.priority) + ",\"amount\":\"" +
             money(x.amount) + "\",\"deadline\":\"" + x.deadline.to_string() + "\",\"reason\":" + json_string(x.reason) + "}";
    }
    out += "\n],\"alerts\":[";
    for (std::size_t i = 0; i < alerts.size(); ++i) {
      const cr::Alert& x = alerts[i];
      out += std::string(i ? ",\n" : "\n") + "{\"client\":" + json_string(x.client) + ",\"since\":\"" + x.since.to_string() +
             "\",\"from\":\"" + std::string(cr::to_string(x.from)) + "\",\"to\":\"" + std::string(cr::to_string(x.to)) +
             "\",\"score_from\":" + real(x.score_from) + ",\"score_to\":" + real(x.score_to) + ",\"text\":" + json_string(x.text) + "}";
    }
    write(out + "\n]}\n");
  } else if (a.in.format == "csv") {
    std::string out = "priority,code,client,amount,deadline,reason\n";
    for (const cr::Action& x : actions)
      out += std::to_string(x.priority) + "," + std::string(cr::to_string(x.code)) + "," + csv_field(x.client) + "," +
             money(x.amount) + "," + x.deadline.to_string() + "," + csv_field(x.reason) + "\n";
    write(out);
  } else {
    std::size_t width = 6;
    for (const cr::Action& x : actions) width = std::max(width, x.client.size());
    std::printf("%-3s %-19s %-*s %14s %-10s  %s\n", "pri", "action", static_cast<int>(width), "client", "amount", "deadline",
                "reason");
    for (const cr::Action& x : actions)
      std::printf("%-3d %-19s %-*s %14s %-10s  %s\n", x.priority, std::string(cr::to_string(x.code)).c_str(),
                  static_cast<int>(width), x.client.c_str(), money(x.amount).c_str(), x.deadline.to_string().c_str(),
                  x.reason.c_str());
    if (before) {
      std::printf("\n%zu band change(s) since %s\n", alerts.size(), since->to_string().c_str());
      for (const cr::Alert& x : alerts) std::printf("%-*s %s\n", static_cast<int>(width), x.client.c_str(), x.text.c_str());
    }
  }
  return kOk;
}

int run_worklist(const ReviewArgs& a) {
  cr::Engine e = prepare_engine(a.in);
  const auto as_of = date_option(a.in.as_of, "--as-of");
  const cr::Review r = cr::review(e, as_of, review_options(a, e, as_of));
  std::vector<cr::WorkItem> rows = r.worklist;
  if (a.in.top && *a.in.top < rows.size()) rows.resize(*a.in.top);
  auto action = [](const cr::WorkItem& w) { return w.action ? std::string(cr::to_string(*w.action)) : std::string(); };
  if (a.in.format == "json") {
    std::string out = "{\"as_of\":\"" + r.as_of.to_string() + "\",\"model_fingerprint\":\"" + r.scores.model_fingerprint +
                      "\",\"clients\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const cr::WorkItem& w = rows[i];
      out += std::string(i ? ",\n" : "\n") + "{\"rank\":" + std::to_string(i + 1) + ",\"client\":" + json_string(w.client) +
             ",\"value\":" + real(w.value) + ",\"at_stake\":\"" + money(w.at_stake) + "\",\"likelihood\":" + real(w.likelihood) +
             ",\"urgency\":" + real(w.urgency) + ",\"days_past_due\":" + std::to_string(w.days_past_due) +
             ",\"score\":" + real(w.score) + ",\"band\":\"" + std::string(cr::to_string(w.band)) + "\",\"action\":" +
             (w.action ? "\"" + action(w) + "\"" : std::string("null")) + "}";
    }
    write(out + "\n]}\n");
  } else if (a.in.format == "csv") {
    std::string out = "rank,client,value,at_stake,likelihood,urgency,days_past_due,score,band,action\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const cr::WorkItem& w = rows[i];
      out += std::to_string(i + 1) + "," + csv_field(w.client) + "," + num("%.6f", w.value) + "," + money(w.at_stake) + "," +
             num("%.6f", w.likelihood) + "," + num("%.6f", w.urgency) + "," + std::to_string(w.days_past_due) + "," +
             num("%.6f", w.score) + "," + std::string(cr::to_string(w.band)) + "," + action(w) + "\n";
    }
    write(out);
  } else {
    std::size_t width = 6;
    for (const cr::WorkItem& w : rows) width = std::max(width, w.client.size());
    std::printf("%4s %-*s %12s %14s %10s %7s %5s %6s %-8s %s\n", "rank", static_cast<int>(width), "client", "value",
                "at stake", "likelihood", "urgency", "dpd", "score", "band", "action");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const cr::WorkItem& w = rows[i];
      std::printf("%4zu %-*s %12.2f %14s %10.3f %7.3f %5d %6.1f %-8s %s\n", i + 1, static_cast<int>(width), w.client.c_str(),
                  w.value, money(w.at_stake).c_str(), w.likelihood, w.urgency, w.days_past_due, w.score,
                  std::string(cr::to_string(w.band)).c_str(), action(w).c_str());
    }
  }
  return kOk;
}

std::string amounts_json(const std::vector<std::string>& labels, const std::vector<cr::Money>& v) {
  std::string out = "{";
  for (std::size_t b = 0; b < v.size(); ++b) out += (b ? "," : "") + json_string(labels[b]) + ":\"" + money(v[b]) + "\"";
  return out + "}";
}

int run_provisions(const ReviewArgs& a) {
  std::string source;
  const cr::ProvisionOptions o = provision_options(a, &source);
  cr::Engine e = prepare_engine(a.in);
  const cr::ScoreTable t = e.score_all(date_option(a.in.as_of, "--as-of"));
  const cr::ProvisionReport r = cr::provisions(e, t, o);
  std::vector<cr::ProvisionRow> rows = r.clients;
  std::stable_sort(rows.begin(), rows.end(), [](const cr::ProvisionRow& x, const cr::ProvisionRow& y) {
    if (x.total != y.total) return x.total > y.total;
    return x.client < y.client;
  });
  if (a.in.top && *a.in.top < rows.size()) rows.resize(*a.in.top);
  const std::size_t nb = r.buckets.size();
  auto receivable = [](const cr::ProvisionRow& p) {
    cr::Money s;
    for (cr::Money m : p.balance) s += m;
    return s;
  };
  auto sum = [](const std::vector<cr::Money>& v) {
    cr::Money s;
    for (cr::Money m : v) s += m;
    return s;
  };
  if (a.in.format == "json") {
    std::string out = "{\"as_of\":\"" + r.as_of.to_string() + "\",\"model_fingerprint\":\"" + t.model_fingerprint +
                      "\",\"loss_rates_from\":" + json_string(source) +
                      ",\"vat_rate\":" + real(o.vat_rate) + ",\"disputed_rate\":" + real(o.disputed_rate) +
                      ",\"lawsuit_rate\":" + real(o.lawsuit_rate) + ",\"buckets\":[";
    for (std::size_t b = 0; b < nb; ++b)
      out += std::string(b ? "," : "") + "{\"bucket\":" + json_string(r.buckets[b]) + ",\"loss_rate\":" + real(o.loss_rates[b]) +
             ",\"balance\":\"" + money(r.balance[b]) + "\",\"expected_loss\":\"" + money(r.expected[b]) + "\"}";
    out += "],\"totals\":{\"receivables\":\"" + money(sum(r.balance)) + "\",\"expected_loss\":\"" + money(sum(r.expected)) +
           "\",\"specific\":\"" + money(r.specific) + "\",\"provision\":\"" + money(r.total) + "\"},\"clients\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const cr::ProvisionRow& p = rows[i];
      out += std::string(i ? ",\n" : "\n") + "{\"client\":" + json_string(p.client) + ",\"band\":\"" +
             std::string(cr::to_string(p.band)) + "\",\"litigation\":" + (p.litigation ? "true" : "false") +
             ",\"balance\":" + amounts_json(r.buckets, p.balance) + ",\"expected_loss\":" + amounts_json(r.buckets, p.expected) +
             ",\"disputed\":\"" + money(p.disputed) + "\",\"specific\":\"" + money(p.specific) + "\",\"provision\":\"" +
             money(p.total) + "\"}";
    }
    write(out + "\n]}\n");
  } else if (a.in.format == "csv") {
    std::string out = "client,band,litigation";
    for (const auto& l : r.buckets) out += "," + csv_field("balance " + l);
    for (const auto& l : r.buckets) out += "," + csv_field("expected " + l);
    out += ",disputed,specific,provision\n";
    for (const cr::ProvisionRow& p : rows) {
      out += csv_field(p.client) + "," + std::string(cr::to_string(p.band)) + "," + (p.litigation ? "1" : "0");
      for (cr::Money m : p.balance) out += "," + money(m);
      for (cr::Money m : p.expected) out += "," + money(m);
      out += "," + money(p.disputed) + "," + money(p.specific) + "," + money(p.total) + "\n";
    }
    write(out);
  } else {
    std::printf("provisions as of %s (loss rates: %s; VAT %.4g)\n", r.as_of.to_string().c_str(), source.c_str(), o.vat_rate);
    std::printf("%-10s %9s %16s %16s\n", "bucket", "loss rate", "receivables", "expected loss");
    for (std::size_t b = 0; b < nb; ++b)
      std::printf("%-10s %8.2f%% %16s %16s\n", r.buckets[b].c_str(), 100 * o.loss_rates[b], money(r.balance[b]).c_str(),
                  money(r.expected[b]).c_str());
    std::printf("%-10s %9s %16s %16s\n", "total", "", money(sum(r.balance)).c_str(), money(sum(r.expected)).c_str());
    std::printf("specific provisions (disputes %.0f%%, litigation %.0f%%): %s\n", 100 * o.disputed_rate, 100 * o.lawsuit_rate,
                money(r.specific).c_str());
    std::printf("total provision: %s\n\n", money(r.total).c_str());
    std::size_t width = 6;
    for (const cr::ProvisionRow& p : rows) width = std::max(width, p.client.size());
    std::printf("%-*s %-8s %16s %14s %14s %14s\n", static_cast<int>(width), "client", "band", "receivable", "expected",
                "specific", "provision");
    for (const cr::ProvisionRow& p : rows)
      std::printf("%-*s %-8s %16s %14s %14s %14s%s\n", static_cast<int>(width), p.client.c_str(),
                  std::string(cr::to_string(p.band)).c_str(), money(receivable(p)).c_str(), money(sum(p.expected)).c_str(),
                  money(p.specific).c_str(), money(p.total).c_str(), p.litigation ? "  litigation" : "");
  }
  return kOk;
}

int run_portfolio(const ReviewArgs& a) {
  std::string source;
  const cr::ProvisionOptions o = provision_options(a, &source);
  cr::Engine e = prepare_engine(a.in);
  const cr::ScoreTable t = e.score_all(date_option(a.in.as_of, "--as-of"));
  const cr::Portfolio p = cr::portfolio(e, t, cr::provisions(e, t, o));
  if (a.in.format == "json" || a.in.format == "csv") {
    std::vector<std::pair<std::string, std::string>> f = {
        {"as_of", "\"" + p.as_of.to_string() + "\""},
        {"model_fingerprint", "\"" + t.model_fingerprint + "\""},
        {"clients", std::to_string(p.clients)},
        {"receivables", "\"" + money(p.receivables) + "\""},
        {"revenue_12m", "\"" + money(p.revenue_12m) + "\""},
        {"hhi", real(p.hhi)},
        {"hhi_normalised", real(p.hhi_normalised)},
        {"top1_share", real(p.top1_share)},
        {"top5_share", real(p.top5_share)},
        {"top10_share", real(p.top10_share)},
        {"clients_for_80_percent", std::to_string(p.clients_for_80)},
        {"dso_simple", real(p.dso_simple)},
        {"dso_countback", real(p.dso_countback)},
        {"days_beyond_terms", real(p.days_beyond_terms)},
        {"expected_loss", "\"" + money(p.expected_loss) + "\""},
        {"loss_rates_from", json_string(source)}};
    if (a.in.format == "json") {
      std::string out = "{";
      for (const auto& [k, v] : f) out += "\"" + k + "\":" + v + ",";
      out += "\"bands\":[";
      for (std::size_t b = 0; b < 4; ++b)
        out += std::string(b ? "," : "") + "{\"band\":\"" + std::string(cr::band_names[b]) + "\",\"clients\":" +
               std::to_string(p.band_clients[b]) + ",\"exposure\":\"" + money(p.band_exposure[b]) + "\",\"expected_loss\":\"" +
               money(p.band_expected_loss[b]) + "\"}";
      write(out + "]}\n");
    } else {
      std::string out = "figure,value\n";
      for (const auto& [k, v] : f) out += k + "," + (v.front() == '"' ? v.substr(1, v.size() - 2) : v) + "\n";
      for (std::size_t b = 0; b < 4; ++b) {
        const std::string band(cr::band_names[b]);
        out += "clients_" + band + "," + std::to_string(p.band_clients[b]) + "\nexposure_" + band + "," +
               money(p.band_exposure[b]) + "\nexpected_loss_" + band + "," + money(p.band_expected_loss[b]) + "\n";
      }
      write(out);
    }
    return kOk;
  }
  std::printf("portfolio as of %s: %zu clients\n", p.as_of.to_string().c_str(), p.clients);
  std::printf("receivables %s, revenue over 12 months %s\n", money(p.receivables).c_str(), money(p.revenue_12m).c_str());
  std::printf("concentration: HHI %.0f (normalised %.4f); top 1 %.1f%%, top 5 %.1f%%, top 10 %.1f%%; %zu clients make 80%%\n",
              p.hhi, p.hhi_normalised, 100 * p.top1_share, 100 * p.top5_share, 100 * p.top10_share, p.clients_for_80);
  std::printf("DSO %.1f days (countback %.1f); days beyond terms %.1f\n", p.dso_simple, p.dso_countback, p.days_beyond_terms);
  std::printf("expected credit loss %s (loss rates: %s)\n\n", money(p.expected_loss).c_str(), source.c_str());
  std::printf("%-9s %8s %16s %16s\n", "band", "clients", "exposure", "expected loss");
  for (std::size_t b = 0; b < 4; ++b)
    std::printf("%-9s %8zu %16s %16s\n", std::string(cr::band_names[b]).c_str(), p.band_clients[b],
                money(p.band_exposure[b]).c_str(), money(p.band_expected_loss[b]).c_str());
  return kOk;
}

}  // namespace

struct ReviewCommands {
  CLI::App *actions = nullptr, *worklist = nullptr, *provisions = nullptr, *portfolio = nullptr;
  ReviewArgs actions_args, worklist_args, provisions_args, portfolio_args;
};

std::shared_ptr<ReviewCommands> add_review_commands(CLI::App& app) {
  auto c = std::make_shared<ReviewCommands>();
  auto inputs = [](CLI::App* sub, ReviewArgs& a, bool rows = true) {
    add_ledger_options(sub, a.in);
    if (rows) sub->add_option("--top", a.in.top, "Only the first N rows")->check(positive_count());
  };
  c->actions = app.add_subcommand("actions", "What to do about each client: reminders, notices, insurer, provisions, holds");
  inputs(c->actions, c->actions_args);
  c->actions->add_option("--since", c->actions_args.since, "Also list the clients whose band changed since YYYY-MM-DD");
  add_credit_options(c->actions, c->actions_args);
  c->actions->footer("Most urgent first (priority 1), then by amount. docs/actions.md lists every rule and its policy field.\n"
                     "Example:\n  clientrisk actions --events examples/ledger.csv --since 2024-09-30 --lang fr");
  c->worklist = app.add_subcommand("worklist", "Clients for the collections team, by amount at stake x likelihood x urgency");
  inputs(c->worklist, c->worklist_args);
  add_credit_options(c->worklist, c->worklist_args);
  c->worklist->footer("Example:\n  clientrisk worklist --events examples/ledger.csv --top 20");
  c->provisions = app.add_subcommand("provisions", "Expected credit loss by aging bucket and specific provisions");
  inputs(c->provisions, c->provisions_args);
  add_provision_options(c->provisions, c->provisions_args);
  c->provisions->footer("Example:\n  clientrisk provisions --events examples/ledger.csv --vat 0.20\n"
                        "  clientrisk provisions --events examples/ledger.csv --loss-rates 0.005,0.02,0.05,0.1,0.25,0.5,1");
  c->portfolio = app.add_subcommand("portfolio", "Concentration, DSO, days beyond terms and expected loss by band");
  inputs(c->portfolio, c->portfolio_args, false);
  add_provision_options(c->portfolio, c->portfolio_args);
  c->portfolio->footer("Example:\n  clientrisk portfolio --events examples/ledger.csv --format json");
  return c;
}

const std::optional<std::string>* review_output(const ReviewCommands& c) {
  if (*c.actions) return &c.actions_args.in.output;
  if (*c.worklist) return &c.worklist_args.in.output;
  if (*c.provisions) return &c.provisions_args.in.output;
  if (*c.portfolio) return &c.portfolio_args.in.output;
  return nullptr;
}

std::optional<int> run_review_command(const ReviewCommands& c) {
  if (*c.actions) return run_actions(c.actions_args);
  if (*c.worklist) return run_worklist(c.worklist_args);
  if (*c.provisions) return run_provisions(c.provisions_args);
  if (*c.portfolio) return run_portfolio(c.portfolio_args);
  return std::nullopt;
}

}  // namespace clientrisk::cli
