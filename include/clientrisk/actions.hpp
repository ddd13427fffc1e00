// What to do about each client this morning: prioritised actions from the model's policy, a
// collections worklist, recommended credit limits with exposure and utilisation, and alerts
// on band changes. docs/actions.md documents every rule, its default threshold and how to
// change it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clientrisk/engine.hpp"
#include "clientrisk/language.hpp"

namespace clientrisk {
inline namespace v1 {

// Values are stable: they index arrays across the C ABI.
enum class ActionCode : std::uint8_t {
  preventive_reminder = 0,
  payment_reminder = 1,
  formal_notice = 2,
  declare_to_insurer = 3,
  provision = 4,
  credit_hold = 5,
  document_dispute = 6,
  review_dependence = 7,
};
inline constexpr int action_code_count = 8;
inline constexpr std::array<std::string_view, action_code_count> action_code_names = {
    "preventive_reminder", "payment_reminder", "formal_notice",    "declare_to_insurer",
    "provision",           "credit_hold",      "document_dispute", "review_dependence"};
constexpr std::string_view to_string(ActionCode c) { return action_code_names[static_cast<std::size_t>(c)]; }
// 1 is the most urgent. Fixed per code (docs/actions.md).
inline constexpr std::array<int, action_code_count> action_priority = {4, 3, 2, 1, 2, 1, 3, 4};

struct Action {
  std::string client;
  ActionCode code = ActionCode::payment_reminder;
  int priority = 0;  // 1 (most urgent) to 4
  Money amount;      // at stake
  Date deadline;
  std::string reason;  // in the engine's language
  friend bool operator==(const Action&, const Action&) = default;
};

// A client's recommended credit limit and how much of it is used.
struct CreditLine {
  std::string client;
  Band band = Band::low;
  Money revenue_12m;
  Money recommended;   // revenue per active month (up to 12) x the band's months, rounded down
  Money limit;         // the caller's limit when given, else the recommended one
  Money receivables;   // open receivables
  Money orders;        // open orders the caller gave
  Money exposure;      // receivables + orders
  double utilisation = 0;  // exposure / limit; +infinity for a positive exposure on a zero limit
  bool over_limit = false;
  friend bool operator==(const CreditLine&, const CreditLine&) = default;
};

// A row of the collections worklist: value = at stake (currency units) x likelihood x urgency.
struct WorkItem {
  std::string client;
  double value = 0;
  Money at_stake;          // overdue receivables
  double likelihood = 0;   // the probability of going bad the score stands for (score / 100 uncalibrated)
  double urgency = 0;      // days past due / (days past due + worklist_urgency_days), in (0, 1)
  std::int32_t days_past_due = 0;  // of the most overdue invoice
  double score = 0;
  Band band = Band::low;
  std::optional<ActionCode> action;  // the client's most urgent action
  friend bool operator==(const WorkItem&, const WorkItem&) = default;
};

// A band change between two dates.
struct Alert {
  std::string client;
  Date since, as_of;
  Band from = Band::low, to = Band::low;
  double score_from = 0, score_to = 0;
  std::string text;
  friend bool operator==(const Alert&, const Alert&) = default;
};

// Amounts by client id, given by the caller.
using ClientAmounts = std::map<std::string, Money, std::less<>>;

struct ReviewOptions {
  ClientAmounts open_orders;    // added to exposure
  ClientAmounts credit_limits;  // replace the recommended limits of these clients
};

// Everything review() finds as of one date.
struct Review {
  Date as_of;
  ScoreTable scores;                // every client with events on or before as_of
  std::vector<Action> actions;      // by priority, then amount (largest first), client, code
  std::vector<WorkItem> worklist;   // clients with overdue receivables, highest value first
  std::vector<CreditLine> credit;   // one per scored client, in the table's order
};

namespace detail {

// What the rules read of one client, from its state and its open invoices.
struct ClientFacts {
  FeatureRow f{};
  KeyFigures key;
  std::int64_t due_soon = 0;           // outstanding on invoices due within preventive_reminder_days
  std::uint32_t due_soon_count = 0;
  std::int32_t soonest_due = kNoDate;
  std::uint32_t overdue_count = 0;
  std::int32_t dpd_max = 0;
  std::int64_t over_provision = 0;     // outstanding more than provision_days past due
  std::uint32_t over_provision_count = 0;
  std::uint32_t disputed_overdue_count = 0;  // overdue invoices with an open dispute
  std::int64_t old_disputed = 0;       // disputed on invoices whose dispute is open more than dispute_document_days
  std::uint32_t old_dispute_count = 0;
  std::int32_t oldest_dispute = kNoDate;
};

inline void client_facts(const Ledger& ledger, std::uint32_t index, const AsOf& as_of, const Model& m, ClientFacts& out) {
  out = ClientFacts{};
  extract_features(ledger, index, as_of, m, out.f, &out.key);
  const ClientState& c = ledger.state(index);
  const std::int32_t d = as_of.date.days();
  for (std::uint32_t s = c.open_head; s != kNone;) {
    const Invoice& inv = ledger.invoice(s);
    const std::int32_t dpd = d - inv.due;
    if (dpd > 0) {
      ++out.overdue_count;
      out.dpd_max = std::max(out.dpd_max, dpd);
      if (dpd > m.provision_days) {
        out.over_provision = sat_add(out.over_provision, inv.outstanding);
        ++out.over_provision_count;
      }
    } else if (-dpd <= m.preventive_reminder_days) {
      out.due_soon = sat_add(out.due_soon, inv.outstanding);
      ++out.due_soon_count;
      out.soonest_due = out.soonest_due == kNoDate ? inv.due : std::min(out.soonest_due, inv.due);
    }
    if (c.disputes_open > 0) {
      const RefEntry* e = ledger.reference(inv.key);
      if (e && e->applied_disputes > 0) {
        if (dpd > 0) ++out.disputed_overdue_count;
        if (d - e->dispute_since > m.dispute_document_days) {
          out.old_disputed = sat_add(out.old_disputed, e->disputed);
          ++out.old_dispute_count;
          out.oldest_dispute = out.oldest_dispute == kNoDate ? e->dispute_since : std::min(out.oldest_dispute, e->dispute_since);
        }
      }
    }
    s = inv.next;
  }
}

inline std::string money_words(std::int64_t cents, Language l) {
  std::string s = Money::from_cents(cents).to_string();
  localise_number(s, l);
  return s;
}

inline std::string count_words(std::uint32_t n, const char* one_en, const char* many_en, const char* one_fr,
                               const char* many_fr, Language l) {
  return std::to_string(n) + " " + (l == Language::fr ? (n == 1 ? one_fr : many_fr) : (n == 1 ? one_en : many_en));
}

inline std::string_view band_word(Band b, Language l) {
  static constexpr std::array<std::string_view, 4> fr = {"faible", "modéré", "élevé", "critique"};
  return l == Language::fr ? fr[static_cast<std::size_t>(b)] : to_string(b);
}

inline Date month_end(Date d) {
  const CivilDate c = d.civil();
  return *Date::from_civil(c.year, c.month, days_in_month(c.year, c.month));
}

// The client's actions by the policy of m, at most one per code, the reminder ladder
// (preventive < payment < formal notice) giving only its highest step.
inline void client_actions(std::string_view client, const ClientFacts& x, Band band, const CreditLine& credit,
                           Date as_of, const Model& m, Language l, std::vector<Action>& out) {
  const bool fr = l == Language::fr;
  const auto F = [&](Feature k) { return x.f[static_cast<std::size_t>(k)]; };
  auto add = [&](ActionCode code, std::int64_t cents, Date deadline, std::string reason) {
    out.push_back(Action{std::string(client), code, action_priority[static_cast<std::size_t>(code)],
                         Money::from_cents(cents), deadline, std::move(reason)});
  };
  const std::int64_t overdue = x.key.overdue.cents(), open = x.key.outstanding.cents();
  const std::string oldest = fr ? ", la plus ancienne en retard de " + std::to_string(x.dpd_max) + " jours"
                                : ", the oldest " + std::to_string(x.dpd_max) + " days past due";
  if (x.dpd_max > m.formal_notice_days) {
    add(ActionCode::formal_notice, overdue, as_of,
        count_words(x.overdue_count, "invoice overdue", "invoices overdue", "facture échue", "factures échues", l) +
            (fr ? ", " + money_words(overdue, l) + " au total" : ", " + money_words(overdue, l) + " in total") + oldest +
            (fr ? " (plus de " : " (more than ") + fmt("%.0f", m.formal_notice_days) + (fr ? " jours)" : " days)"));
  } else if (x.dpd_max > 0) {
    add(ActionCode::payment_reminder, overdue, as_of + static_cast<std::int32_t>(m.reminder_deadline_days),
        count_words(x.overdue_count, "invoice overdue", "invoices overdue", "facture échue", "factures échues", l) +
            (fr ? ", " + money_words(overdue, l) + " au total" : ", " + money_words(overdue, l) + " in total") + oldest);
  } else if (x.due_soon_count > 0 && std::round(F(Feature::paydex) * 10) / 10 < m.preventive_paydex_below) {
    // PAYDEX to one decimal, as shown: a prompt payer's 80 is 80 whatever the rounding of its sums.
    add(ActionCode::preventive_reminder, x.due_soon, Date::from_days(x.soonest_due),
        count_words(x.due_soon_count, "invoice", "invoices", "facture", "factures", l) + (fr ? " de " : " of ") +
            money_words(x.due_soon, l) + (fr ? " à échéance au plus tard le " : " due by ") +
            Date::from_days(x.soonest_due).to_string() +
            fmt(fr ? " ; le client a déjà payé en retard (PAYDEX %.0f)" : "; the client has paid late before (PAYDEX %.0f)",
                F(Feature::paydex)));
  }

  std::vector<std::string> why;
  if (F(Feature::lawyer_letters) > 0) why.emplace_back(fr ? "un courrier d'avocat" : "a lawyer's letter");
  if (F(Feature::lawsuits) > 0) why.emplace_back(fr ? "une action en justice" : "a lawsuit");
  if (static_cast<double>(x.key.disputed.cents()) >= m.insurer_claim_cents)
    why.push_back((fr ? "un montant contesté de " : "a disputed amount of ") + money_words(x.key.disputed.cents(), l) +
                  (fr ? " (seuil " : " (threshold ") + money_words(static_cast<std::int64_t>(m.insurer_claim_cents), l) + ")");
  if (x.disputed_overdue_count > 0)
    why.push_back(count_words(x.disputed_overdue_count, "overdue invoice also disputed", "overdue invoices also disputed",
                              "facture échue également contestée", "factures échues également contestées", l));
  if (!why.empty() && open > 0) {
    std::string text;
    for (std::size_t i = 0; i < why.size(); ++i)
      text += (i == 0 ? "" : i + 1 == why.size() ? (fr ? " et " : " and ") : ", ") + why[i];
    add(ActionCode::declare_to_insurer, open, as_of + static_cast<std::int32_t>(m.insurer_deadline_days),
        text + (fr ? " ; " + money_words(open, l) + " de créances ouvertes" : "; " + money_words(open, l) + " receivable"));
  }

  const bool litigation = F(Feature::lawsuits) + F(Feature::litigations) > 0;
  if (open > 0 && (litigation || x.over_provision > 0)) {
    const std::int64_t amount = litigation ? open : x.over_provision;
    add(ActionCode::provision, amount, month_end(as_of),
        litigation ? (fr ? "client en contentieux : " + money_words(open, l) + " de créances ouvertes"
                         : "client in litigation: " + money_words(open, l) + " receivable")
                   : money_words(x.over_provision, l) +
                         (fr ? " échus depuis plus de " : " overdue more than ") + fmt("%.0f", m.provision_days) +
                         (fr ? " jours (" : " days (") +
                         count_words(x.over_provision_count, "invoice", "invoices", "facture", "factures", l) + ")");
  }

  if (band == Band::critical || credit.over_limit) {
    std::string text;
    if (band == Band::critical) text = fr ? "classe critique" : "band critical";
    if (credit.over_limit)
      text += (text.empty() ? "" : (fr ? " et " : " and ")) + std::string(fr ? "exposition de " : "exposure of ") +
              money_words(credit.exposure.cents(), l) + (fr ? " au-delà de la limite de crédit de " : " above the credit limit of ") +
              money_words(credit.limit.cents(), l);
    add(ActionCode::credit_hold, credit.exposure.cents(), as_of, std::move(text));
  }

  if (x.old_dispute_count > 0)
    add(ActionCode::document_dispute, x.old_disputed, as_of + static_cast<std::int32_t>(m.reminder_deadline_days),
        count_words(x.old_dispute_count, "invoice", "invoices", "facture", "factures", l) +
            (fr ? " en litige depuis plus de " : " disputed for more than ") + fmt("%.0f", m.dispute_document_days) +
            (fr ? " jours, " : " days, ") + money_words(x.old_disputed, l) + (fr ? " contestés, depuis le " : " disputed, since ") +
            Date::from_days(x.oldest_dispute).to_string());

  if (x.key.revenue_share > m.dependence_share)
    add(ActionCode::review_dependence, x.key.revenue_12m.cents(), as_of + 30,
        fmt(fr ? "%.1f %% du chiffre d'affaires sur 12 mois (au-delà de %.1f %%)"
               : "%.1f%% of the revenue over 12 months (more than %.1f%%)",
            100 * x.key.revenue_share, 100 * m.dependence_share, l));
}

inline Money lookup(const ClientAmounts& amounts, std::string_view client) {
  const auto it = amounts.find(client);
  return it == amounts.end() ? Money{} : it->second;
}

}  // namespace detail

// Scores every client as of a date (the engine's default date when omitted) and derives its
// actions, worklist row and credit line. Throws InvalidInput for open orders or credit limits
// of clients the engine has not scored, or below zero.
inline Review review(Engine& engine, std::optional<Date> as_of = std::nullopt, const ReviewOptions& options = {}) {
  Review r;
  r.scores = engine.score_all(as_of);
  r.as_of = r.scores.as_of;
  const Ledger& ledger = engine.ledger();
  const Model& m = engine.model();
  const Language l = engine.language();
  for (const auto* amounts : {&options.open_orders, &options.credit_limits}) {
    const char* what = amounts == &options.open_orders ? "open orders" : "credit limits";
    for (const auto& [client, amount] : *amounts) {
      const std::uint32_t i = ledger.client_index(client);
      if (i == Ledger::npos || ledger.state(i).first_date == detail::kNoDate)
        throw InvalidInput(std::string(what) + ": client '" + client + "' has no events on or before " +
                           r.as_of.to_string());
      if (amount.cents() < 0)
        throw InvalidInput(std::string(what) + ": client '" + client + "': the amount " + amount.to_string() +
                           " is below zero");
    }
  }
  const AsOf at = engine.as_of_inputs(r.as_of);
  const std::array<double, 4> months = {m.credit_months_low, m.credit_months_moderate, m.credit_months_high,
                                        m.credit_months_critical};
  detail::ClientFacts x;
  r.credit.reserve(r.scores.size());
  std::vector<std::size_t> first_action(r.scores.size() + 1);
  for (std::size_t row = 0; row < r.scores.size(); ++row) {
    const std::uint32_t i = r.scores.client[row];
    const std::string_view id = ledger.client_id(i);
    detail::client_facts(ledger, i, at, m, x);
    const Band band = r.scores.band[row];
    const double score = r.scores.score(static_cast<Eigen::Index>(row));

    CreditLine c;
    c.client = id;
    c.band = band;
    c.revenue_12m = x.key.revenue_12m;
    const ClientState& st = ledger.state(i);
    const std::int32_t active =
        st.first_invoice_month == detail::kNoDate ? 12 : std::clamp(at.month - st.first_invoice_month + 1, 1, 12);
    const double recommended = static_cast<double>(c.revenue_12m.cents()) / active * months[static_cast<std::size_t>(band)];
    const double step = m.credit_limit_rounding_cents;
    c.recommended = Money::from_cents(static_cast<std::int64_t>(std::floor(std::min(recommended, 9e18) / step) * step));
    const auto given = options.credit_limits.find(id);
    c.limit = given == options.credit_limits.end() ? c.recommended : given->second;
    c.receivables = x.key.outstanding;
    c.orders = detail::lookup(options.open_orders, id);
    c.exposure = Money::from_cents(detail::sat_add(c.receivables.cents(), c.orders.cents()));
    c.utilisation = c.limit.cents() > 0 ? c.exposure.to_double() / c.limit.to_double()
                    : c.exposure.cents() > 0 ? std::numeric_limits<double>::infinity()
                                             : 0.0;
    c.over_limit = c.exposure > c.limit;

    first_action[row] = r.actions.size();
    detail::client_actions(id, x, band, c, r.as_of, m, l, r.actions);
    if (x.key.overdue.cents() > 0) {
      WorkItem w;
      w.client = id;
      w.at_stake = x.key.overdue;
      w.likelihood = std::clamp(probability_of(score, m), 0.0, 1.0);
      w.days_past_due = x.dpd_max;
      w.urgency = x.dpd_max / (x.dpd_max + m.worklist_urgency_days);
      w.value = w.at_stake.to_double() * w.likelihood * w.urgency;
      w.score = score;
      w.band = band;
      for (std::size_t a = first_action[row]; a < r.actions.size(); ++a)
        if (!w.action || r.actions[a].priority < action_priority[static_cast<std::size_t>(*w.action)])
          w.action = r.actions[a].code;
      r.worklist.push_back(std::move(w));
    }
    r.credit.push_back(std::move(c));
  }
  std::sort(r.actions.begin(), r.actions.end(), [](const Action& a, const Action& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.amount != b.amount) return a.amount > b.amount;
    if (a.client != b.client) return a.client < b.client;
    return a.code < b.code;
  });
  std::sort(r.worklist.begin(), r.worklist.end(), [](const WorkItem& a, const WorkItem& b) {
    if (a.value != b.value) return a.value > b.value;
    return a.client < b.client;
  });
  return r;
}

// The clients whose band differs between two tables of one engine, before made first; riskier
// moves first (by how many bands), then by client id. Clients absent from before are left out.
inline std::vector<Alert> band_alerts(const Engine& engine, const ScoreTable& before, const ScoreTable& now) {
  if (before.ledger != &engine.ledger() || now.ledger != &engine.ledger())
    throw InvalidInput("band_alerts: the tables were made by another engine");
  if (before.as_of > now.as_of)
    throw InvalidInput("band_alerts: the earlier table is dated " + before.as_of.to_string() + ", after " +
                       now.as_of.to_string());
  const Language l = engine.language();
  std::vector<std::size_t> row_of(engine.client_count(), static_cast<std::size_t>(-1));
  for (std::size_t r = 0; r < before.size(); ++r) row_of[before.client[r]] = r;
  std::vector<Alert> out;
  for (std::size_t r = 0; r < now.size(); ++r) {
    const std::size_t b = row_of[now.client[r]];
    if (b == static_cast<std::size_t>(-1) || before.band[b] == now.band[r]) continue;
    Alert a;
    a.client = engine.client_id(now.client[r]);
    a.since = before.as_of;
    a.as_of = now.as_of;
    a.from = before.band[b];
    a.to = now.band[r];
    a.score_from = before.score(static_cast<Eigen::Index>(b));
    a.score_to = now.score(static_cast<Eigen::Index>(r));
    a.text = std::string(l == Language::fr ? "classe " : "band ") + std::string(detail::band_word(a.from, l)) + " → " +
             std::string(detail::band_word(a.to, l)) + " (score " + detail::fmt("%.1f", a.score_from, 0, l) + " → " +
             detail::fmt("%.1f", a.score_to, 0, l) + (l == Language::fr ? " depuis le " : " since ") +
             a.since.to_string() + ")";
    out.push_back(std::move(a));
  }
  std::stable_sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    const int da = static_cast<int>(a.to) - static_cast<int>(a.from), db = static_cast<int>(b.to) - static_cast<int>(b.from);
    if (da != db) return da > db;
    return a.client < b.client;
  });
  return out;
}

}  // namespace v1
}  // namespace clientrisk
