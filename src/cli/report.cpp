// clientrisk explain and clientrisk report (docs/cli.md).
#include "report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "clientrisk/actions.hpp"
#include "clientrisk/provisions.hpp"
#include "clientrisk/version.hpp"
#include "common.hpp"
#include "review.hpp"

namespace clientrisk::cli {

namespace {

// An amount with its thousands grouped, as people read it: 1,234,567.89 or 1 234 567,89.
std::string grouped(cr::Money m, cr::Language l, bool cents = true) {
  const std::int64_t c = m.cents();
  const std::uint64_t mag = c < 0 ? 0 - static_cast<std::uint64_t>(c) : static_cast<std::uint64_t>(c);
  const std::string units = std::to_string(cents ? mag / 100 : (mag + 50) / 100);
  const std::string sep = l == cr::Language::fr ? "\u202f" : ",";
  std::string out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (i && (units.size() - i) % 3 == 0) out += sep;
    out += units[i];
  }
  if (cents) {
    char frac[4];
    std::snprintf(frac, sizeof frac, "%02u", static_cast<unsigned>(mag % 100));
    out += (l == cr::Language::fr ? "," : ".") + std::string(frac);
  }
  return (c < 0 ? "-" : "") + out;
}

// A short amount for chart axes: 950, 12k, 3.4M.
std::string short_amount(double units) {
  const double a = std::fabs(units);
  if (a >= 1e9) return num("%.3gG", units / 1e9);
  if (a >= 1e6) return num("%.3gM", units / 1e6);
  if (a >= 1e3) return num("%.3gk", units / 1e3);
  return num("%.0f", units);
}

std::string fixed(double v, int decimals, cr::Language l) {
  std::string s = num(("%." + std::to_string(decimals) + "f").c_str(), v);
  cr::detail::localise_number(s, l);
  return s;
}

// Open invoices of one client as of the engine's date, oldest first.
struct OpenInvoice {
  cr::Date issued, due;
  std::int32_t days_past_due = 0;
  cr::Money amount, outstanding, disputed;
};

std::vector<OpenInvoice> open_invoices(const cr::Engine& e, std::string_view client, cr::Date as_of) {
  const cr::Ledger& ledger = e.ledger();
  const cr::ClientState& c = ledger.state(ledger.client_index(client));
  std::vector<OpenInvoice> out;
  for (std::uint32_t slot = c.open_head; slot != cr::detail::kNone; slot = ledger.invoice(slot).next) {
    const cr::detail::Invoice& inv = ledger.invoice(slot);
    OpenInvoice o;
    o.issued = cr::Date::from_days(inv.issued);
    o.due = cr::Date::from_days(inv.due);
    o.days_past_due = std::max(0, as_of.days() - inv.due);
    o.amount = cr::Money::from_cents(inv.amount);
    o.outstanding = cr::Money::from_cents(inv.outstanding);
    if (const cr::detail::RefEntry* r = ledger.reference(inv.key)) o.disputed = cr::Money::from_cents(r->disputed);
    out.push_back(o);
  }
  return out;
}

std::vector<cr::Action> actions_of(const cr::Review& r, std::string_view client) {
  std::vector<cr::Action> out;
  for (const cr::Action& a : r.actions)
    if (a.client == client) out.push_back(a);
  return out;
}

// ---------------------------------------------------------------------------------------------
// explain

struct ExplainArgs {
  ReviewArgs review;
  std::string client;
};

int run_explain(const ExplainArgs& a) {
  const ScoreArgs& in = a.review.in;
  const auto as_of = date_option(in.as_of, "--as-of");
  cr::Engine e = prepare_engine(in);
  const cr::Review r = cr::review(e, as_of, review_options(a.review, e, as_of));
  const cr::Score s = e.score(a.client, r.as_of);
  const std::vector<OpenInvoice> invoices = open_invoices(e, a.client, r.as_of);
  const std::vector<cr::Action> actions = actions_of(r, a.client);
  const cr::ProvisionOptions po;  // the default buckets
  const std::vector<std::string> labels = cr::bucket_labels(po.bounds);
  std::vector<cr::Money> aged(labels.size());
  std::vector<std::uint32_t> aged_count(labels.size());
  for (const OpenInvoice& o : invoices) {
    const std::size_t b = cr::bucket_of(o.days_past_due, po.bounds);
    aged[b] += o.outstanding;
    ++aged_count[b];
  }
  const cr::CreditLine* credit = nullptr;
  for (const cr::CreditLine& c : r.credit)
    if (c.client == a.client) credit = &c;

  if (in.format == "json") {
    std::string out = "{\"client\":" + json_string(s.client) + ",\"as_of\":\"" + s.as_of.to_string() +
                      "\",\"model_fingerprint\":\"" + s.model_fingerprint + "\",\"score\":" + real(s.score) +
                      ",\"band\":\"" + std::string(cr::to_string(s.band)) + "\",\"factors\":[";
    for (std::size_t k = 0; k < cr::factor_names.size(); ++k)
      out += std::string(k ? "," : "") + "{\"factor\":" + json_string(cr::factor_names[k]) + ",\"sub_score\":" +
             real(s.sub[k]) + ",\"contribution\":" + real(s.contribution[k]) + "}";
    out += "],\"reasons\":" + reasons_json(s.reasons) + ",\"key_figures\":" + key_figures_json(s.key) + ",\"aging\":[";
    for (std::size_t b = 0; b < labels.size(); ++b)
      out += std::string(b ? "," : "") + "{\"bucket\":" + json_string(labels[b]) + ",\"invoices\":" +
             std::to_string(aged_count[b]) + ",\"outstanding\":\"" + money(aged[b]) + "\"}";
    out += "],\"open_invoices\":[";
    for (std::size_t i = 0; i < invoices.size(); ++i) {
      const OpenInvoice& o = invoices[i];
      out += std::string(i ? "," : "") + "{\"issued\":\"" + o.issued.to_string() + "\",\"due\":\"" + o.due.to_string() +
             "\",\"days_past_due\":" + std::to_string(o.days_past_due) + ",\"amount\":\"" + money(o.amount) +
             "\",\"outstanding\":\"" + money(o.outstanding) + "\",\"disputed\":\"" + money(o.disputed) + "\"}";
    }
    out += "],\"credit\":";
    if (credit)
      out += "{\"limit\":\"" + money(credit->limit) + "\",\"recommended\":\"" + money(credit->recommended) +
             "\",\"exposure\":\"" + money(credit->exposure) + "\",\"utilisation\":" + real(credit->utilisation) +
             ",\"over_limit\":" + (credit->over_limit ? "true" : "false") + "}";
    else
      out += "null";
    out += ",\"actions\":[";
    for (std::size_t i = 0; i < actions.size(); ++i) {
      const cr::Action& x = actions[i];
      out += std::string(i ? "," : "") + "{\"code\":\"" + std::string(cr::to_string(x.code)) + "\",\"priority\":" +
             std::to_string(x.priority) + ",\"amount\":\"" + money(x.amount) + "\",\"deadline\":\"" +
             x.deadline.to_string() + "\",\"reason\":" + json_string(x.reason) + "}";
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kOk;
  }

  const cr::Language l = e.language();
  std::printf("%s  score %.1f  band %s  as of %s  (model %s)\n\n", s.client.c_str(), s.score,
              std::string(cr::to_string(s.band)).c_str(), s.as_of.to_string().c_str(),
              s.model_fingerprint.substr(0, 12).c_str());
  // One character of bar per two points of score, so that bars compare across clients.
  std::printf("%-16s %9s %7s\n", "factor", "sub-score", "points");
  for (std::size_t k = 0; k < cr::factor_names.size(); ++k) {
    std::string bar;
    for (int i = 0; i < static_cast<int>(std::lround(s.contribution[k] / 2)); ++i) bar += "\u2588";
    std::printf("%-16s %9.3f %7.1f  %s\n", std::string(cr::factor_names[k]).c_str(), s.sub[k], s.contribution[k],
                bar.c_str());
  }
  std::printf("\nreasons\n");
  if (s.reasons.empty()) std::printf("  none\n");
  for (const cr::Reason& x : s.reasons) std::printf("  %-14s %s\n", x.code.c_str(), x.text.c_str());
  const cr::KeyFigures& k = s.key;
  std::printf("\nkey figures\n");
  std::printf("  outstanding %s, overdue %s, over 90 days %s, disputed %s, credit balance %s\n",
              grouped(k.outstanding, l).c_str(), grouped(k.overdue, l).c_str(), grouped(k.over_90, l).c_str(),
              grouped(k.disputed, l).c_str(), grouped(k.credit_balance, l).c_str());
  std::printf("  revenue over 12 months %s (%s%% of the portfolio), days beyond terms %s\n",
              grouped(k.revenue_12m, l).c_str(), fixed(100 * k.revenue_share, 2, l).c_str(),
              fixed(k.days_beyond_terms, 1, l).c_str());
  std::printf("  %u open invoice(s), %u open dispute(s)\n", k.open_invoices, k.open_disputes);
  if (credit)
    std::printf("  credit limit %s, exposure %s, utilisation %s%s\n", grouped(credit->limit, l).c_str(),
                grouped(credit->exposure, l).c_str(),
                std::isfinite(credit->utilisation) ? (fixed(100 * credit->utilisation, 0, l) + "%").c_str() : "n/a (no credit granted)",
                credit->over_limit ? " (over the limit)" : "");
  std::printf("\nopen invoices by age\n");
  for (std::size_t b = 0; b < labels.size(); ++b)
    if (aged_count[b]) std::printf("  %-10s %4u  %s\n", labels[b].c_str(), aged_count[b], right(grouped(aged[b], l), 16).c_str());
  if (invoices.empty()) std::printf("  none\n");
  for (const OpenInvoice& o : invoices)
    std::printf("  issued %s  due %s  %4d days past due  %s of %s%s\n", o.issued.to_string().c_str(),
                o.due.to_string().c_str(), o.days_past_due, right(grouped(o.outstanding, l), 14).c_str(),
                right(grouped(o.amount, l), 14).c_str(),
                o.disputed.cents() ? (", disputed " + grouped(o.disputed, l)).c_str() : "");
  std::printf("\nactions\n");
  if (actions.empty()) std::printf("  none\n");
  for (const cr::Action& x : actions)
    std::printf("  %d %-19s by %s  %s  %s\n", x.priority, std::string(cr::to_string(x.code)).c_str(),
                x.deadline.to_string().c_str(), right(grouped(x.amount, l), 14).c_str(), x.reason.c_str());
  return kOk;
}

// ---------------------------------------------------------------------------------------------
// report

std::string html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string f1(double v) { return num("%.1f", v); }

constexpr std::array<const char*, 4> kBandColour = {"#2e7d32", "#f9a825", "#ef6c00", "#c62828"};
constexpr std::array<const char*, cr::factor_count> kFactorColour = {"#c0392b", "#e67e22", "#b7950b", "#8e44ad",
                                                                     "#2980b9", "#16a085", "#34495e"};

// The report's words in English and French.
struct Words {
  const char *title, *as_of, *clients, *receivables, *revenue, *expected_loss, *dso, *dbt, *hhi, *critical_clients,
      *score_distribution, *score_caption, *score_axis, *exposure_by_band, *exposure, *concentration,
      *concentration_caption, *share_clients, *share_revenue, *aging, *aging_caption, *bucket, *loss_rate,
      *riskiest, *riskiest_caption, *rank, *client, *score, *band, *factors, *actions, *none, *model, *generated,
      *days, *top_shares, *clients_80, *specific;
  std::array<const char*, 4> bands;
};

constexpr Words kEnglish = {
    "Client risk report", "as of", "Clients", "Receivables", "Revenue, 12 months", "Expected credit loss", "DSO",
    "Days beyond terms", "Revenue HHI", "Critical clients", "Score distribution",
    "Clients by score, in bins of equal width, coloured by band.", "score", "Exposure and expected loss by band",
    "Exposure", "Revenue concentration",
    "Lorenz curve of 12-month revenue over the clients who have some: the further below the diagonal, the more the "
    "business depends on a few clients.",
    "share of clients", "share of revenue", "Aging and provisions",
    "Open receivables by days past due, with the expected credit loss of each bucket (IFRS 9 simplified approach).",
    "Bucket", "Loss rate", "The riskiest clients",
    "Each bar shows how the factors make up the score.", "#", "Client", "Score", "Band", "Factors", "Actions", "none",
    "Model fingerprint", "Generated by clientrisk", "days", "Top 1 / 5 / 10 share", "Clients making 80 % of revenue",
    "Specific provisions (disputes, litigation)",
    {"low", "moderate", "high", "critical"}};

constexpr Words kFrench = {
    "Rapport de risque client", "au", "Clients", "Créances", "Chiffre d'affaires, 12 mois", "Perte de crédit attendue",
    "DSO", "Retard moyen (jours)", "IHH du chiffre d'affaires", "Clients critiques", "Distribution des scores",
    "Clients par score, en classes de même largeur, colorés par niveau de risque.", "score",
    "Exposition et perte attendue par niveau", "Exposition", "Concentration du chiffre d'affaires",
    "Courbe de Lorenz du chiffre d'affaires sur 12 mois des clients qui en ont : plus elle passe sous la diagonale, "
    "plus l'entreprise dépend de quelques clients.",
    "part des clients", "part du chiffre d'affaires", "Balance âgée et provisions",
    "Créances ouvertes par jours de retard, avec la perte de crédit attendue de chaque tranche (IFRS 9, approche "
    "simplifiée).",
    "Tranche", "Taux de perte", "Les clients les plus risqués",
    "Chaque barre montre la part de chaque facteur dans le score.", "n°", "Client", "Score", "Niveau", "Facteurs",
    "Actions", "aucune", "Empreinte du modèle", "Produit par clientrisk", "jours", "Part du 1er / des 5 / des 10 premiers",
    "Clients faisant 80 % du chiffre d'affaires", "Provisions spécifiques (litiges, contentieux)",
    {"faible", "modéré", "élevé", "critique"}};

struct ReportArgs {
  ReviewArgs review;
  std::size_t riskiest = 20;
};

// A vertical bar chart's frame: axes, horizontal grid lines and their labels, in a 640 x 260 box.
struct Frame {
  double left = 56, right = 628, top = 12, bottom = 224;
  double max = 1;
  double y(double v) const { return bottom - (bottom - top) * v / max; }
  std::string grid(const std::function<std::string(double)>& label) const {
    std::string out;
    for (int i = 0; i <= 4; ++i) {
      const double v = max * i / 4, yy = y(v);
      out += "<line x1=\"" + f1(left) + "\" y1=\"" + f1(yy) + "\" x2=\"" + f1(right) + "\" y2=\"" + f1(yy) +
             "\" class=\"grid\"/><text x=\"" + f1(left - 6) + "\" y=\"" + f1(yy + 4) + "\" class=\"axis\" text-anchor=\"end\">" +
             html(label(v)) + "</text>";
    }
    return out;
  }
};

// A round maximum for an axis: 1, 2 or 5 times a power of ten, at least v.
double nice_max(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

std::string svg_open(const std::string& label, int height = 260) {
  return "<svg viewBox=\"0 0 640 " + std::to_string(height) + "\" role=\"img\" aria-label=\"" + html(label) + "\">";
}

std::string score_histogram(const cr::ScoreTable& t, const cr::Model& m, const Words& w) {
  constexpr int bins = 20;
  double lo = 0, hi = 100;
  for (Eigen::Index i = 0; i < t.score.size(); ++i) lo = std::min(lo, t.score(i)), hi = std::max(hi, t.score(i));
  std::vector<std::array<std::size_t, 4>> count(bins);
  for (Eigen::Index i = 0; i < t.score.size(); ++i) {
    const int b = std::min(bins - 1, static_cast<int>((t.score(i) - lo) / (hi - lo) * bins));
    ++count[static_cast<std::size_t>(b)][static_cast<std::size_t>(t.band[static_cast<std::size_t>(i)])];
  }
  std::size_t most = 1;
  for (const auto& c : count) most = std::max(most, c[0] + c[1] + c[2] + c[3]);
  Frame f;
  f.max = nice_max(static_cast<double>(most));
  std::string out = svg_open(w.score_distribution) + f.grid([](double v) { return num("%.0f", v); });
  const double bw = (f.right - f.left) / bins;
  for (int b = 0; b < bins; ++b) {
    double base = 0;
    for (std::size_t band = 0; band < 4; ++band) {
      const double n = static_cast<double>(count[static_cast<std::size_t>(b)][band]);
      if (n == 0) continue;
      out += "<rect x=\"" + f1(f.left + b * bw + 1) + "\" y=\"" + f1(f.y(base + n)) + "\" width=\"" + f1(bw - 2) +
             "\" height=\"" + f1(f.y(base) - f.y(base + n)) + "\" fill=\"" + kBandColour[band] + "\"><title>" +
             html(w.bands[band]) + ": " + num("%.0f", n) + "</title></rect>";
      base += n;
    }
  }
  for (int b = 0; b <= bins; b += 4)
    out += "<text x=\"" + f1(f.left + b * bw) + "\" y=\"" + f1(f.bottom + 16) + "\" class=\"axis\" text-anchor=\"middle\">" +
           num("%.0f", lo + (hi - lo) * b / bins) + "</text>";
  out += "<text x=\"" + f1((f.left + f.right) / 2) + "\" y=\"254\" class=\"axis\" text-anchor=\"middle\">" + html(w.score_axis) +
         "</text>";
  // The band thresholds, as dashed lines.
  for (double threshold : {m.band_moderate, m.band_high, m.band_critical}) {
    const double x = f.left + (threshold - lo) / (hi - lo) * (f.right - f.left);
    out += "<line x1=\"" + f1(x) + "\" y1=\"" + f1(f.top) + "\" x2=\"" + f1(x) + "\" y2=\"" + f1(f.bottom) +
           "\" class=\"threshold\"/>";
  }
  return out + "</svg>";
}

std::string band_bars(const cr::Portfolio& p, const Words& w, cr::Language l) {
  double most = 1;
  for (std::size_t b = 0; b < 4; ++b) most = std::max(most, p.band_exposure[b].to_double());
  Frame f;
  f.max = nice_max(most);
  std::string out = svg_open(w.exposure_by_band) + f.grid([](double v) { return short_amount(v); });
  const double gw = (f.right - f.left) / 4;
  for (std::size_t b = 0; b < 4; ++b) {
    const double x = f.left + static_cast<double>(b) * gw;
    const double e = p.band_exposure[b].to_double(), x2 = p.band_expected_loss[b].to_double();
    out += "<rect x=\"" + f1(x + gw * 0.15) + "\" y=\"" + f1(f.y(e)) + "\" width=\"" + f1(gw * 0.34) + "\" height=\"" +
           f1(f.bottom - f.y(e)) + "\" fill=\"" + kBandColour[b] + "\"><title>" + html(w.exposure) + " " +
           html(grouped(p.band_exposure[b], l)) + "</title></rect>";
    out += "<rect x=\"" + f1(x + gw * 0.51) + "\" y=\"" + f1(f.y(x2)) + "\" width=\"" + f1(gw * 0.34) + "\" height=\"" +
           f1(f.bottom - f.y(x2)) + "\" fill=\"" + kBandColour[b] + "\" fill-opacity=\"0.45\" stroke=\"" + kBandColour[b] +
           "\"><title>" + html(w.expected_loss) + " " + html(grouped(p.band_expected_loss[b], l)) + "</title></rect>";
    out += "<text x=\"" + f1(x + gw / 2) + "\" y=\"" + f1(f.bottom + 16) + "\" class=\"axis\" text-anchor=\"middle\">" +
           html(w.bands[b]) + " (" + std::to_string(p.band_clients[b]) + ")</text>";
  }
  out += "<rect x=\"60\" y=\"242\" width=\"10\" height=\"10\" fill=\"#777\"/><text x=\"74\" y=\"251\" class=\"axis\">" +
         html(w.exposure) + "</text><rect x=\"200\" y=\"242\" width=\"10\" height=\"10\" fill=\"#777\" fill-opacity=\"0.45\" "
         "stroke=\"#777\"/><text x=\"214\" y=\"251\" class=\"axis\">" + html(w.expected_loss) + "</text>";
  return out + "</svg>";
}

std::string lorenz(const cr::Review& r, const cr::Portfolio& p, const Words& w, cr::Language l) {
  std::vector<std::int64_t> revenue;
  for (const cr::CreditLine& c : r.credit)
    if (c.revenue_12m.cents() > 0) revenue.push_back(c.revenue_12m.cents());
  std::sort(revenue.begin(), revenue.end());
  double total = 0;
  for (std::int64_t v : revenue) total += static_cast<double>(v);
  const double x0 = 56, y0 = 244, size = 224;
  std::string out = "<div class=\"charts\"><div><svg class=\"square\" viewBox=\"0 0 300 282\" role=\"img\" aria-label=\"" +
                    html(w.concentration) + "\">";
  for (int i = 0; i <= 4; ++i) {
    const double v = i * 0.25;
    out += "<line x1=\"" + f1(x0) + "\" y1=\"" + f1(y0 - size * v) + "\" x2=\"" + f1(x0 + size) + "\" y2=\"" +
           f1(y0 - size * v) + "\" class=\"grid\"/><text x=\"" + f1(x0 - 6) + "\" y=\"" + f1(y0 - size * v + 4) +
           "\" class=\"axis\" text-anchor=\"end\">" + num("%.0f%%", 100 * v) + "</text><text x=\"" + f1(x0 + size * v) +
           "\" y=\"" + f1(y0 + 16) + "\" class=\"axis\" text-anchor=\"middle\">" + num("%.0f%%", 100 * v) + "</text>";
  }
  out += "<line x1=\"" + f1(x0) + "\" y1=\"" + f1(y0) + "\" x2=\"" + f1(x0 + size) + "\" y2=\"" + f1(y0 - size) +
         "\" class=\"threshold\"/>";
  std::string points = f1(x0) + "," + f1(y0);
  if (total > 0) {
    const std::size_t n = revenue.size(), steps = std::min<std::size_t>(n, 200);
    double cum = 0;
    std::size_t done = 0;
    for (std::size_t s = 1; s <= steps; ++s) {
      const std::size_t upto = n * s / steps;
      for (; done < upto; ++done) cum += static_cast<double>(revenue[done]);
      points += " " + f1(x0 + size * static_cast<double>(upto) / static_cast<double>(n)) + "," + f1(y0 - size * cum / total);
    }
  }
  out += "<polyline points=\"" + points + "\" fill=\"none\" stroke=\"#2980b9\" stroke-width=\"2.5\"/>";
  out += "<text x=\"" + f1(x0 + size / 2) + "\" y=\"278\" class=\"axis\" text-anchor=\"middle\">" + html(w.share_clients) +
         "</text><text x=\"14\" y=\"" + f1(y0 - size / 2) + "\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
         f1(y0 - size / 2) + ")\">" + html(w.share_revenue) + "</text>";
  // The figures beside the curve, as text that wraps on a narrow screen.
  auto figure = [](const std::string& label, const std::string& value) {
    return "<div class=\"k\">" + html(label) + "</div><div class=\"v\">" + html(value) + "</div>";
  };
  return out + "</svg></div><div class=\"figures\">" +
         figure(w.hhi, fixed(p.hhi, 0, l) + " / 10 000  (" + fixed(p.hhi_normalised, 4, l) + ")") +
         figure(w.top_shares, fixed(100 * p.top1_share, 1, l) + " % / " + fixed(100 * p.top5_share, 1, l) + " % / " +
                                  fixed(100 * p.top10_share, 1, l) + " %") +
         figure(w.clients_80, std::to_string(p.clients_for_80) + " / " + std::to_string(revenue.size())) + "</div></div>";
}

std::string aging_chart(const cr::ProvisionReport& pr, const Words& w, cr::Language l) {
  const std::size_t nb = pr.buckets.size();
  double most = 1;
  for (cr::Money m : pr.balance) most = std::max(most, m.to_double());
  Frame f;
  f.max = nice_max(most);
  std::string out = svg_open(w.aging) + f.grid([](double v) { return short_amount(v); });
  const double bw = (f.right - f.left) / static_cast<double>(nb);
  for (std::size_t b = 0; b < nb; ++b) {
    const double x = f.left + static_cast<double>(b) * bw;
    const double v = pr.balance[b].to_double(), e = pr.expected[b].to_double();
    out += "<rect x=\"" + f1(x + bw * 0.15) + "\" y=\"" + f1(f.y(v)) + "\" width=\"" + f1(bw * 0.7) + "\" height=\"" +
           f1(f.bottom - f.y(v)) + "\" fill=\"#90a4ae\"><title>" + html(w.receivables) + " " + html(grouped(pr.balance[b], l)) +
           "</title></rect><rect x=\"" + f1(x + bw * 0.15) + "\" y=\"" + f1(f.y(e)) + "\" width=\"" + f1(bw * 0.7) +
           "\" height=\"" + f1(f.bottom - f.y(e)) + "\" fill=\"#c62828\"><title>" + html(w.expected_loss) + " " +
           html(grouped(pr.expected[b], l)) + "</title></rect><text x=\"" + f1(x + bw / 2) + "\" y=\"" + f1(f.bottom + 16) +
           "\" class=\"axis\" text-anchor=\"middle\">" + html(pr.buckets[b]) + "</text>";
  }
  out += "<rect x=\"60\" y=\"242\" width=\"10\" height=\"10\" fill=\"#90a4ae\"/><text x=\"74\" y=\"251\" class=\"axis\">" +
         html(w.receivables) + "</text><rect x=\"200\" y=\"242\" width=\"10\" height=\"10\" fill=\"#c62828\"/><text x=\"214\" "
         "y=\"251\" class=\"axis\">" + html(w.expected_loss) + "</text>";
  return out + "</svg>";
}

// A stacked bar of a client's factor contributions, on a scale where full width is `scale` points.
std::string factor_bar(const cr::Score& s, double scale) {
  std::string out = "<svg class=\"bar\" viewBox=\"0 0 200 14\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"" +
                    html(s.client) + "\">";
  double x = 0;
  for (std::size_t k = 0; k < cr::factor_names.size(); ++k) {
    const double wdt = 200 * std::max(0.0, s.contribution[k]) / scale;
    if (wdt <= 0) continue;
    out += "<rect x=\"" + num("%.2f", x) + "\" y=\"0\" width=\"" + num("%.2f", wdt) + "\" height=\"14\" fill=\"" +
           kFactorColour[k] + "\"><title>" + std::string(cr::factor_names[k]) + " " + f1(s.contribution[k]) + "</title></rect>";
    x += wdt;
  }
  return out + "</svg>";
}

const char* kStyle = R"(
:root{--ink:#1d2733;--muted:#5f6b7a;--line:#dfe3e8;--card:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:1080px;margin:0 auto;padding:24px 20px 40px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:32px 0 4px}
p.caption{color:var(--muted);margin:0 0 10px;font-size:.9em}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:18px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card .k{color:var(--muted);font-size:.8em}.card .v{font-size:1.25em;font-weight:600;white-space:nowrap}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:0 28px}
svg{width:100%;max-width:640px;height:auto;display:block}
svg text{font-family:inherit}.axis{font-size:12px;fill:var(--muted)}svg.square{max-width:340px}
.figures{padding-top:24px}.figures .k{color:var(--muted);font-size:.9em}.figures .v{font-size:1.3em;font-weight:600;margin-bottom:14px}
.grid{stroke:var(--line);stroke-width:1}.threshold{stroke:#888;stroke-dasharray:4 3;stroke-width:1}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
svg.bar{width:100%;min-width:120px;height:14px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:.85em;white-space:nowrap}
.code{display:inline-block;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85em;background:var(--card);border:1px solid var(--line);border-radius:4px;padding:0 5px;margin:1px 2px 1px 0}
.reason{color:var(--muted);font-size:.85em;margin-top:2px}
.legend span{display:inline-block;margin:0 12px 4px 0;font-size:.85em}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
footer{margin-top:36px;color:var(--muted);font-size:.85em;border-top:1px solid var(--line);padding-top:10px;word-break:break-all}
@media (max-width:720px){.charts{grid-template-columns:1fr}main{padding:14px 10px 30px}body{font-size:14px}
.axis{font-size:16px}svg.square .axis{font-size:13px}.figures{padding-top:8px}
table.riskiest thead{display:none}table.riskiest tr{display:grid;grid-template-columns:2em 1fr auto auto;align-items:center;border-bottom:1px solid var(--line);padding:6px 0}
table.riskiest td{border:0;padding:2px 4px}table.riskiest td.factors,table.riskiest td.actions{grid-column:1/-1}}
@media print{main{max-width:none;padding:0}.charts{grid-template-columns:1fr 1fr}section,.card,tr{break-inside:avoid}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}.scroll{overflow:visible}}
)";

int run_report(const ReportArgs& a) {
  const auto as_of = date_option(a.review.in.as_of, "--as-of");
  std::string source;
  const cr::ProvisionOptions po = provision_options(a.review, &source);
  cr::Engine e = prepare_engine(a.review.in);
  const cr::Review r = cr::review(e, as_of, review_options(a.review, e, as_of));
  const cr::ProvisionReport pr = cr::provisions(e, r.scores, po);
  const cr::Portfolio p = cr::portfolio(e, r.scores, pr);
  const cr::Language l = e.language();
  const Words& w = l == cr::Language::fr ? kFrench : kEnglish;

  std::vector<cr::Score> top;
  for (std::size_t i : ranking(e, r.scores, a.riskiest)) top.push_back(e.explain(r.scores, i));
  double scale = 1;
  for (const cr::Score& s : top) scale = std::max(scale, s.score);

  const std::string as_of_text = r.as_of.to_string();
  std::string o = "<!DOCTYPE html>\n<html lang=\"" + std::string(cr::to_string(l)) +
                  "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, "
                  "initial-scale=1\">\n<title>" + html(w.title) + " " + as_of_text + "</title>\n<style>" + kStyle +
                  "</style>\n</head>\n<body>\n<main>\n<h1>" + html(w.title) + "</h1>\n<p class=\"caption\">" + html(w.as_of) +
                  " " + as_of_text + "</p>\n";
  auto card = [&](const std::string& k, const std::string& v) {
    return "<div class=\"card\"><div class=\"k\">" + html(k) + "</div><div class=\"v\">" + html(v) + "</div></div>";
  };
  o += "<div class=\"cards\">" + card(w.clients, std::to_string(p.clients)) + card(w.receivables, grouped(p.receivables, l, false)) +
       card(w.revenue, grouped(p.revenue_12m, l, false)) + card(w.expected_loss, grouped(p.expected_loss, l, false)) +
       card(w.dso, fixed(p.dso_simple, 1, l) + " " + w.days) + card(w.dbt, fixed(p.days_beyond_terms, 1, l)) +
       card(w.hhi, fixed(p.hhi, 0, l)) + card(w.critical_clients, std::to_string(p.band_clients[3])) + "</div>\n";

  o += "<div class=\"charts\">\n<section><h2>" + html(w.score_distribution) + "</h2><p class=\"caption\">" +
       html(w.score_caption) + "</p>" + score_histogram(r.scores, e.model(), w) + "</section>\n";
  o += "<section><h2>" + html(w.exposure_by_band) + "</h2><p class=\"caption\">" + html(w.exposure) + " / " +
       html(w.expected_loss) + "</p>" + band_bars(p, w, l) + "</section>\n</div>\n";
  o += "<section><h2>" + html(w.concentration) + "</h2><p class=\"caption\">" + html(w.concentration_caption) + "</p>" +
       lorenz(r, p, w, l) + "</section>\n";

  o += "<section><h2>" + html(w.aging) + "</h2><p class=\"caption\">" + html(w.aging_caption) + " (" + html(source) + ")</p>" +
       "<div class=\"charts\"><div>" + aging_chart(pr, w, l) + "</div><div class=\"scroll\"><table><thead><tr><th>" +
       html(w.bucket) + "</th><th class=\"n\">" + html(w.loss_rate) + "</th><th class=\"n\">" + html(w.receivables) +
       "</th><th class=\"n\">" + html(w.expected_loss) + "</th></tr></thead><tbody>";
  for (std::size_t b = 0; b < pr.buckets.size(); ++b)
    o += "<tr><td>" + html(pr.buckets[b]) + "</td><td class=\"n\">" + fixed(100 * po.loss_rates[b], 2, l) +
         " %</td><td class=\"n\">" + html(grouped(pr.balance[b], l)) + "</td><td class=\"n\">" +
         html(grouped(pr.expected[b], l)) + "</td></tr>";
  o += "<tr><td colspan=\"3\">" + html(w.specific) + "</td><td class=\"n\">" + html(grouped(pr.specific, l)) +
       "</td></tr><tr><th colspan=\"3\">" + html(w.expected_loss) + "</th><th class=\"n\">" + html(grouped(pr.total, l)) +
       "</th></tr></tbody></table></div></div></section>\n";

  o += "<section><h2>" + html(w.riskiest) + "</h2><p class=\"caption\">" + html(w.riskiest_caption) +
       "</p><div class=\"legend\">";
  for (std::size_t k = 0; k < cr::factor_names.size(); ++k)
    o += "<span><i style=\"background:" + std::string(kFactorColour[k]) + "\"></i>" + std::string(cr::factor_names[k]) +
         "</span>";
  o += "</div><div class=\"scroll\"><table class=\"riskiest\"><thead><tr><th class=\"n\">" + html(w.rank) + "</th><th>" + html(w.client) +
       "</th><th class=\"n\">" + html(w.score) + "</th><th>" + html(w.band) + "</th><th>" + html(w.factors) + "</th><th>" +
       html(w.actions) + "</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < top.size(); ++i) {
    const cr::Score& s = top[i];
    const auto band = static_cast<std::size_t>(s.band);
    o += "<tr><td class=\"n\">" + std::to_string(i + 1) + "</td><td>" + html(s.client) + "</td><td class=\"n\">" +
         f1(s.score) + "</td><td><span class=\"badge\" style=\"background:" + kBandColour[band] + "\">" + html(w.bands[band]) +
         "</span></td><td class=\"factors\">" + factor_bar(s, scale) + "</td><td class=\"actions\">";
    const std::vector<cr::Action> acts = actions_of(r, s.client);
    if (acts.empty()) o += "<span class=\"reason\">" + html(w.none) + "</span>";
    for (const cr::Action& x : acts) o += "<span class=\"code\">" + std::string(cr::to_string(x.code)) + "</span>";
    for (const cr::Action& x : acts) o += "<div class=\"reason\">" + html(x.reason) + "</div>";
    o += "</td></tr>\n";
  }
  o += "</tbody></table></div></section>\n<footer>" + html(w.model) + ": " + html(r.scores.model_fingerprint) + "<br>" +
       html(w.generated) + " " + version_string() + "</footer>\n</main>\n</body>\n</html>\n";
  std::fwrite(o.data(), 1, o.size(), stdout);
  if (!a.review.in.quiet && a.review.in.output)
    std::fprintf(stderr, "clientrisk: wrote %s (%zu clients as of %s)\n", a.review.in.output->c_str(), p.clients,
                 as_of_text.c_str());
  return kOk;
}

}  // namespace

struct ReportCommands {
  CLI::App *explain = nullptr, *report = nullptr;
  ExplainArgs explain_args;
  ReportArgs report_args;
};

std::shared_ptr<ReportCommands> add_report_commands(CLI::App& app) {
  auto c = std::make_shared<ReportCommands>();
  c->explain = app.add_subcommand("explain", "One client: score, factors as bars, reasons, key figures, invoices, actions");
  c->explain->add_option("CLIENT", c->explain_args.client, "Client id")->required();
  add_ledger_options(c->explain, c->explain_args.review.in, {"table", "json"});
  add_credit_options(c->explain, c->explain_args.review);
  c->explain->footer("Example:\n  clientrisk explain C000002 --events examples/ledger.csv --lang fr");
  c->report = app.add_subcommand("report", "A self-contained HTML risk report with charts, for a browser or print");
  add_ledger_options(c->report, c->report_args.review.in, {});
  add_provision_options(c->report, c->report_args.review);
  add_credit_options(c->report, c->report_args.review);
  c->report->add_option("--top", c->report_args.riskiest, "How many of the riskiest clients to list")
      ->check(positive_count());
  c->report->footer("Example:\n  clientrisk report --events examples/ledger.csv --output report.html --lang fr");
  return c;
}

const std::optional<std::string>* report_output(const ReportCommands& c) {
  if (*c.explain) return &c.explain_args.review.in.output;
  if (*c.report) return &c.report_args.review.in.output;
  return nullptr;
}

std::optional<int> run_report_command(const ReportCommands& c) {
  if (*c.explain) return run_explain(c.explain_args);
  if (*c.report) return run_report(c.report_args);
  return std::nullopt;
}

}  // namespace clientrisk::cli
