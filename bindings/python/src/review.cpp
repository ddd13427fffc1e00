// Engine.actions, worklist, credit_limits, alerts, provisions and portfolio, and
// clientrisk.roll_rates and loss_rates: the review of a ledger as pandas DataFrames.
#include "review.hpp"

#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "calibrate.hpp"
#include "clientrisk/actions.hpp"
#include "clientrisk/provisions.hpp"
#include "convert.hpp"
#include "frame.hpp"

namespace clientrisk::python {
namespace {

using namespace pybind11::literals;

template <class T>
py::array_t<T> array_of(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

py::object dates_of(const std::vector<std::int64_t>& days) {
  return array_of(days).attr("astype")("datetime64[D]");
}

template <std::size_t N>
py::object categorical(const std::vector<std::int8_t>& codes, const std::array<std::string_view, N>& names) {
  py::tuple t(N);
  for (std::size_t i = 0; i < N; ++i) t[i] = py::str(std::string(names[i]));
  return py::module_::import("pandas").attr("Categorical").attr("from_codes")(array_of(codes), t, "ordered"_a = true);
}

py::object py_date(Date d) {
  const CivilDate c = d.civil();
  return types().date(c.year, c.month, c.day);
}

py::object frame(py::dict columns, const std::vector<std::string>& index, Date as_of, const char* index_name = "client") {
  py::module_ pd = py::module_::import("pandas");
  py::list ids;
  for (const auto& s : index) ids.append(py::str(s));
  py::object f = pd.attr("DataFrame")(columns, "index"_a = pd.attr("Index")(ids, "name"_a = index_name, "dtype"_a = "object"));
  f.attr("attrs")["as_of"] = py_date(as_of);
  return f;
}

// {client: amount} from a dict, a pandas Series or any mapping; amounts as event amounts are
// (currency units: str, Decimal, int, float).
ClientAmounts amounts_of(const py::object& v, const char* what) {
  ClientAmounts out;
  if (v.is_none()) return out;
  if (!py::hasattr(v, "items")) throw InvalidInput(std::string(what) + ": expected a dict or a pandas Series of amounts by client");
  for (py::handle item : v.attr("items")()) {
    const auto pair = py::reinterpret_borrow<py::tuple>(item);
    std::optional<std::string> client;
    std::optional<Money> amount;
    try {
      client = text_of(pair[0], "client");
      amount = amount_of(pair[1]);
    } catch (const BadValue& b) {
      throw InvalidInput(std::string(what) + ": " + py::repr(pair[0]).cast<std::string>() + ": " + b.message);
    }
    if (!client || client->empty()) throw InvalidInput(std::string(what) + ": a client id is missing");
    if (!amount) throw InvalidInput(std::string(what) + ": client '" + *client + "': the amount is missing");
    out[*client] = *amount;
  }
  return out;
}

Review review_of(PyEngine& self, const py::object& as_of, const py::object& orders, const py::object& limits) {
  const auto d = optional_date(as_of, "as_of");
  ReviewOptions o;
  o.open_orders = amounts_of(orders, "open_orders");
  o.credit_limits = amounts_of(limits, "credit_limits");
  return with_engine(self, [&](Engine& e) { return review(e, d, o); });
}

py::object actions_frame(const std::vector<Action>& actions, Date as_of) {
  std::vector<std::string> ids;
  std::vector<std::int8_t> code, priority;
  std::vector<std::int64_t> amount, deadline;
  py::list reason;
  for (const Action& a : actions) {
    ids.push_back(a.client);
    code.push_back(static_cast<std::int8_t>(a.code));
    priority.push_back(static_cast<std::int8_t>(a.priority));
    amount.push_back(a.amount.cents());
    deadline.push_back(a.deadline.days());
    reason.append(py::str(a.reason));
  }
  py::dict c;
  c["code"] = categorical(code, action_code_names);
  c["priority"] = array_of(priority);
  c["amount_cents"] = array_of(amount);
  c["deadline"] = dates_of(deadline);
  c["reason"] = reason;
  return frame(c, ids, as_of);
}

ProvisionOptions provision_options(const py::object& loss_rates, const py::object& bounds, double disputed_rate,
                                   double lawsuit_rate, double vat_rate) {
  ProvisionOptions o;
  if (!bounds.is_none()) o.bounds = bounds.cast<std::vector<std::int32_t>>();
  if (!loss_rates.is_none()) o.loss_rates = loss_rates.cast<std::vector<double>>();
  o.disputed_rate = disputed_rate;
  o.lawsuit_rate = lawsuit_rate;
  o.vat_rate = vat_rate;
  validate(o);
  return o;
}

py::object provisions_frame(const ProvisionReport& r) {
  std::vector<std::string> ids;
  const std::size_t nb = r.buckets.size();
  std::vector<std::vector<std::int64_t>> balance(nb), expected(nb);
  std::vector<std::int64_t> disputed, specific, total;
  std::vector<std::int8_t> band;
  std::vector<bool> litigation;
  for (const ProvisionRow& p : r.clients) {
    ids.push_back(p.client);
    for (std::size_t b = 0; b < nb; ++b) {
      balance[b].push_back(p.balance[b].cents());
      expected[b].push_back(p.expected[b].cents());
    }
    disputed.push_back(p.disputed.cents());
    specific.push_back(p.specific.cents());
    total.push_back(p.total.cents());
    band.push_back(static_cast<std::int8_t>(p.band));
    litigation.push_back(p.litigation);
  }
  py::dict c;
  c["band"] = categorical(band, band_names);
  c["litigation"] = py::cast(litigation);
  for (std::size_t b = 0; b < nb; ++b) c[py::str("balance_" + r.buckets[b] + "_cents")] = array_of(balance[b]);
  for (std::size_t b = 0; b < nb; ++b) c[py::str("expected_" + r.buckets[b] + "_cents")] = array_of(expected[b]);
  c["disputed_cents"] = array_of(disputed);
  c["specific_cents"] = array_of(specific);
  c["provision_cents"] = array_of(total);
  py::object f = frame(c, ids, r.as_of);
  py::list rates, buckets;
  for (std::size_t b = 0; b < nb; ++b) rates.append(r.options.loss_rates[b]), buckets.append(py::str(r.buckets[b]));
  f.attr("attrs")["buckets"] = buckets;
  f.attr("attrs")["loss_rates"] = rates;
  f.attr("attrs")["vat_rate"] = r.options.vat_rate;
  f.attr("attrs")["specific_cents"] = r.specific.cents();
  f.attr("attrs")["provision_cents"] = r.total.cents();
  return f;
}

const char* kProvisionParams = R"doc(
loss_rates : sequence of float, optional
    One per bucket, each in [0, 1]; the illustrative default matrix when omitted (0.5 %, 2 %, 5 %,
    10 %, 25 %, 50 %, 100 %). :func:`clientrisk.loss_rates` estimates them from a history.
bounds : sequence of int, optional
    Upper bounds in days past due of every bucket but the last, from 0 (current):
    ``[0, 30, 60, 90, 180, 365]`` by default.
disputed_rate : float, default 0.5
    Specific provision of the disputed part of an invoice with an open dispute.
lawsuit_rate : float, default 1.0
    Specific provision of every open invoice of a client in litigation.
vat_rate : float, default 0
    The VAT rate the amounts include: provisions are computed excluding it.)doc";

}  // namespace

void bind_review(py::module_& m) {
  {
    py::tuple codes(action_code_count);
    for (std::size_t i = 0; i < action_code_names.size(); ++i) codes[i] = py::str(std::string(action_code_names[i]));
    m.attr("ACTIONS") = codes;
  }
  auto engine = py::reinterpret_borrow<py::class_<PyEngine>>(m.attr("Engine"));
  engine.def_property("language", [](PyEngine& self) {
    return std::string(to_string(with_engine(self, [](Engine& e) { return e.language(); })));
  }, [](PyEngine& self, const std::string& l) {
    const auto lang = parse_language(l);
    if (!lang) throw InvalidInput("language: '" + l + "' is not 'en' or 'fr'");
    with_engine(self, [&](Engine& e) { e.set_language(*lang); });
  }, "str: 'en' or 'fr', the language of reason, action and alert texts (codes are the same in both).");

  engine.def("actions", [](PyEngine& self, const py::object& as_of, const py::object& orders, const py::object& limits) {
    const Review r = review_of(self, as_of, orders, limits);
    return actions_frame(r.actions, r.as_of);
  }, "as_of"_a = py::none(), py::kw_only(), "open_orders"_a = py::none(), "credit_limits"_a = py::none(), R"doc(
The actions of every client as of a date, by the model's policy (docs/actions.md).

Parameters
----------
as_of : date, optional
    As for ``scores``.
open_orders : dict or pandas.Series, optional
    Amounts by client added to its exposure (currency units, as event amounts).
credit_limits : dict or pandas.Series, optional
    Limits by client replacing the recommended ones.

Returns
-------
pandas.DataFrame
    Indexed by ``client``, most urgent first (priority, then amount, client, code). Columns:
    ``code`` (categorical of the action codes), ``priority`` (1 most urgent to 4), ``amount_cents``,
    ``deadline``, ``reason`` (in ``Engine.language``).
)doc");

  engine.def("worklist", [](PyEngine& self, const py::object& as_of, const py::object& orders, const py::object& limits) {
    const Review r = review_of(self, as_of, orders, limits);
    std::vector<std::string> ids;
    std::vector<double> value, likelihood, urgency, score;
    std::vector<std::int64_t> at_stake;
    std::vector<std::int32_t> dpd;
    std::vector<std::int8_t> band, action;
    for (const WorkItem& w : r.worklist) {
      ids.push_back(w.client);
      value.push_back(w.value);
      at_stake.push_back(w.at_stake.cents());
      likelihood.push_back(w.likelihood);
      urgency.push_back(w.urgency);
      dpd.push_back(w.days_past_due);
      score.push_back(w.score);
      band.push_back(static_cast<std::int8_t>(w.band));
      action.push_back(w.action ? static_cast<std::int8_t>(*w.action) : std::int8_t{-1});
    }
    py::dict c;
    c["value"] = array_of(value);
    c["at_stake_cents"] = array_of(at_stake);
    c["likelihood"] = array_of(likelihood);
    c["urgency"] = array_of(urgency);
    c["days_past_due"] = array_of(dpd);
    c["score"] = array_of(score);
    c["band"] = categorical(band, band_names);
    c["action"] = categorical(action, action_code_names);
    return frame(c, ids, r.as_of);
  }, "as_of"_a = py::none(), py::kw_only(), "open_orders"_a = py::none(), "credit_limits"_a = py::none(), R"doc(
The collections worklist: clients with overdue receivables, by value = at stake x likelihood x urgency.

Returns
-------
pandas.DataFrame
    Indexed by ``client``, highest value first. Columns: ``value``, ``at_stake_cents`` (overdue),
    ``likelihood`` (the probability the score stands for), ``urgency``, ``days_past_due``, ``score``,
    ``band``, ``action`` (the client's most urgent action code).
)doc");

  engine.def("credit_limits", [](PyEngine& self, const py::object& as_of, const py::object& orders, const py::object& limits) {
    const Review r = review_of(self, as_of, orders, limits);
    std::vector<std::string> ids;
    std::vector<std::int64_t> revenue, recommended, limit, receivables, ord, exposure;
    std::vector<double> utilisation;
    std::vector<bool> over;
    std::vector<std::int8_t> band;
    for (const CreditLine& c : r.credit) {
      ids.push_back(c.client);
      band.push_back(static_cast<std::int8_t>(c.band));
      revenue.push_back(c.revenue_12m.cents());
      recommended.push_back(c.recommended.cents());
      limit.push_back(c.limit.cents());
      receivables.push_back(c.receivables.cents());
      ord.push_back(c.orders.cents());
      exposure.push_back(c.exposure.cents());
      utilisation.push_back(c.utilisation);
      over.push_back(c.over_limit);
    }
    py::dict c;
    c["band"] = categorical(band, band_names);
    c["revenue_12m_cents"] = array_of(revenue);
    c["recommended_cents"] = array_of(recommended);
    c["limit_cents"] = array_of(limit);
    c["receivables_cents"] = array_of(receivables);
    c["orders_cents"] = array_of(ord);
    c["exposure_cents"] = array_of(exposure);
    c["utilisation"] = array_of(utilisation);
    c["over_limit"] = py::cast(over);
    return frame(c, ids, r.as_of);
  }, "as_of"_a = py::none(), py::kw_only(), "open_orders"_a = py::none(), "credit_limits"_a = py::none(), R"doc(
Recommended credit limits, exposure and utilisation of every client (docs/actions.md).

Returns
-------
pandas.DataFrame
    Indexed by ``client``. Columns: ``band``, ``revenue_12m_cents``, ``recommended_cents``,
    ``limit_cents`` (the caller's when given), ``receivables_cents``, ``orders_cents``,
    ``exposure_cents``, ``utilisation`` (inf for a positive exposure on a zero limit), ``over_limit``.
)doc");

  engine.def("alerts", [](PyEngine& self, const py::object& since, const py::object& as_of) {
    const auto from = optional_date(since, "since");
    if (!from) throw InvalidInput("alerts: since is required");
    const auto to = optional_date(as_of, "as_of");
    std::vector<Alert> alerts;
    Date at;
    with_engine(self, [&](Engine& e) {
      if (to && *from > *to) throw InvalidInput("alerts: since " + from->to_string() + " is after as_of " + to->to_string());
      const ScoreTable before = e.score_all(*from);
      const ScoreTable now = e.score_all(to);
      at = now.as_of;
      alerts = band_alerts(e, before, now);
    });
    std::vector<std::string> ids;
    std::vector<std::int8_t> from_band, to_band;
    std::vector<double> s0, s1;
    py::list text;
    for (const Alert& a : alerts) {
      ids.push_back(a.client);
      from_band.push_back(static_cast<std::int8_t>(a.from));
      to_band.push_back(static_cast<std::int8_t>(a.to));
      s0.push_back(a.score_from);
      s1.push_back(a.score_to);
      text.append(py::str(a.text));
    }
    py::dict c;
    c["band_from"] = categorical(from_band, band_names);
    c["band_to"] = categorical(to_band, band_names);
    c["score_from"] = array_of(s0);
    c["score_to"] = array_of(s1);
    c["text"] = text;
    py::object f = frame(c, ids, at);
    f.attr("attrs")["since"] = py_date(*from);
    return f;
  }, "since"_a, "as_of"_a = py::none(), R"doc(
The clients whose band changed between two dates.

Scores the engine as of ``since`` then as of ``as_of`` (dates move forward only: ``since`` must not be
before a date the engine has already scored at).

Returns
-------
pandas.DataFrame
    Indexed by ``client``, riskier moves first. Columns: ``band_from``, ``band_to``, ``score_from``,
    ``score_to``, ``text``.
)doc");

  engine.def("provisions", [](PyEngine& self, const py::object& as_of, const py::object& loss_rates, const py::object& bounds,
                              double disputed_rate, double lawsuit_rate, double vat_rate) {
    const ProvisionOptions o = provision_options(loss_rates, bounds, disputed_rate, lawsuit_rate, vat_rate);
    const auto d = optional_date(as_of, "as_of");
    const ProvisionReport r = with_engine(self, [&](Engine& e) { return provisions(e, e.score_all(d), o); });
    return provisions_frame(r);
  }, "as_of"_a = py::none(), py::kw_only(), "loss_rates"_a = py::none(), "bounds"_a = py::none(), "disputed_rate"_a = 0.5,
     "lawsuit_rate"_a = 1.0, "vat_rate"_a = 0.0,
     keep(std::string(R"doc(
Provisions of every client with open receivables: expected credit loss by aging bucket and specific
provisions for disputes and litigation (docs/actions.md).

Parameters
----------
as_of : date, optional)doc") + kProvisionParams + R"doc(

Returns
-------
pandas.DataFrame
    Indexed by ``client``. Columns: ``band``, ``litigation``, ``balance_<bucket>_cents`` and
    ``expected_<bucket>_cents`` per bucket, ``disputed_cents``, ``specific_cents``, ``provision_cents``.
    ``attrs`` holds ``buckets``, ``loss_rates``, ``vat_rate`` and the totals ``specific_cents`` and
    ``provision_cents``.
)doc"));

  engine.def("portfolio", [](PyEngine& self, const py::object& as_of, const py::object& loss_rates, const py::object& bounds,
                             double disputed_rate, double lawsuit_rate, double vat_rate) {
    const ProvisionOptions o = provision_options(loss_rates, bounds, disputed_rate, lawsuit_rate, vat_rate);
    const auto d = optional_date(as_of, "as_of");
    const Portfolio p = with_engine(self, [&](Engine& e) {
      const ScoreTable t = e.score_all(d);
      return portfolio(e, t, provisions(e, t, o));
    });
    py::dict out;
    out["as_of"] = py_date(p.as_of);
    out["clients"] = p.clients;
    out["receivables_cents"] = p.receivables.cents();
    out["revenue_12m_cents"] = p.revenue_12m.cents();
    out["hhi"] = p.hhi;
    out["hhi_normalised"] = p.hhi_normalised;
    out["top1_share"] = p.top1_share;
    out["top5_share"] = p.top5_share;
    out["top10_share"] = p.top10_share;
    out["clients_for_80_percent"] = p.clients_for_80;
    out["dso_simple"] = p.dso_simple;
    out["dso_countback"] = p.dso_countback;
    out["days_beyond_terms"] = p.days_beyond_terms;
    out["expected_loss_cents"] = p.expected_loss.cents();
    py::dict bands;
    std::vector<std::int64_t> n(4), exposure(4), loss(4);
    for (std::size_t b = 0; b < 4; ++b) {
      n[b] = static_cast<std::int64_t>(p.band_clients[b]);
      exposure[b] = p.band_exposure[b].cents();
      loss[b] = p.band_expected_loss[b].cents();
    }
    bands["clients"] = array_of(n);
    bands["exposure_cents"] = array_of(exposure);
    bands["expected_loss_cents"] = array_of(loss);
    std::vector<std::string> names(band_names.begin(), band_names.end());
    out["bands"] = frame(bands, names, p.as_of, "band");
    return out;
  }, "as_of"_a = py::none(), py::kw_only(), "loss_rates"_a = py::none(), "bounds"_a = py::none(), "disputed_rate"_a = 0.5,
     "lawsuit_rate"_a = 1.0, "vat_rate"_a = 0.0,
     keep(std::string(R"doc(
The portfolio as of a date: concentration, DSO, days beyond terms, and clients, exposure and expected
loss per band (docs/actions.md).

Parameters
----------
as_of : date, optional)doc") + kProvisionParams + R"doc(

Returns
-------
dict
    ``as_of``, ``clients``, ``receivables_cents``, ``revenue_12m_cents``, ``hhi`` (0 to 10 000),
    ``hhi_normalised``, ``top1_share``, ``top5_share``, ``top10_share``, ``clients_for_80_percent``,
    ``dso_simple``, ``dso_countback``, ``days_beyond_terms``, ``expected_loss_cents``, and ``bands``, a
    DataFrame indexed by band.
)doc"));

  m.def("roll_rates", [](py::handle events, int months, std::optional<Model> model) {
    const std::vector<Event> ev = events_of_frame(events, "roll_rates");
    const RollRates rr = [&] {
      py::gil_scoped_release release;
      return estimate_roll_rates(ev, months, model.value_or(Model{}));
    }();
    std::vector<std::string> labels{"current"};
    for (int k = 1; k <= months; ++k) labels.push_back(std::to_string(30 * (k - 1) + 1) + "-" + std::to_string(30 * k));
    labels.push_back("> " + std::to_string(30 * months));
    py::dict c;
    c["roll_rate"] = array_of(rr.roll);
    c["write_off_rate"] = array_of(rr.write_off);
    c["loss_rate"] = array_of(rr.loss);
    c["mean_balance_cents"] = array_of(rr.mean_balance);
    py::module_ pd = py::module_::import("pandas");
    py::list ids;
    for (const auto& s : labels) ids.append(py::str(s));
    py::object f = pd.attr("DataFrame")(c, "index"_a = pd.attr("Index")(ids, "name"_a = "bucket"));
    f.attr("attrs")["month_ends"] = rr.month_ends;
    return f;
  }, "events"_a, "months"_a = 12, "model"_a = py::none(), R"doc(
Roll rates of an event history by buckets of one month (docs/actions.md).

Parameters
----------
events : pandas.DataFrame
    Every event of the history, as for ``Engine.post_frame``.
months : int, default 12
    Buckets of one month past due followed; the last holds the rest.
model : Model, optional
    Whose half-lives the replay uses.

Returns
-------
pandas.DataFrame
    Indexed by bucket (``current``, ``1-30``, ...). Columns: ``roll_rate`` (to the next bucket a
    month later; for the last, still in it), ``write_off_rate`` (written off the next month),
    ``loss_rate``, ``mean_balance_cents``. ``attrs['month_ends']``.
)doc");

  m.def("loss_rates", [](py::handle events, const py::object& bounds, int months, std::optional<Model> model) {
    const std::vector<Event> ev = events_of_frame(events, "loss_rates");
    ProvisionOptions o;
    if (!bounds.is_none()) o.bounds = bounds.cast<std::vector<std::int32_t>>();
    o.loss_rates.assign(o.bounds.size() + 1, 0.0);
    validate(o);
    std::vector<double> rates;
    {
      py::gil_scoped_release release;
      rates = estimate_roll_rates(ev, months, model.value_or(Model{})).loss_rates(o.bounds);
    }
    return array_of(rates);
  }, "events"_a, "bounds"_a = py::none(), "months"_a = 12, "model"_a = py::none(), R"doc(
Loss rates per aging bucket estimated from an event history by the roll-rate method, ready for
``Engine.provisions(loss_rates=...)``.

Parameters
----------
events : pandas.DataFrame
bounds : sequence of int, optional
    The buckets' bounds, as for ``Engine.provisions``.
months : int, default 12
model : Model, optional

Returns
-------
numpy.ndarray
    One rate per bucket (len(bounds) + 1).
)doc");
}

}  // namespace clientrisk::python
