// The subcommands that turn scores into work: actions, worklist, provisions and portfolio.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clientrisk/actions.hpp"
#include "clientrisk/provisions.hpp"
#include "common.hpp"

namespace clientrisk::cli {

struct ReviewArgs {
  ScoreArgs in;
  std::optional<std::string> since, orders, limits;
  std::string loss_rates = "roll";
  std::vector<std::int32_t> buckets = cr::ProvisionOptions{}.bounds;
  double vat = 0, disputed_rate = cr::ProvisionOptions{}.disputed_rate, lawsuit_rate = cr::ProvisionOptions{}.lawsuit_rate;
  int roll_months = 12;
};

// The provision options of the command line; roll rates from the event file when asked, and in
// source where the loss rates came from.
cr::ProvisionOptions provision_options(const ReviewArgs& a, std::string* source);
// --loss-rates, --buckets, --vat, --disputed-rate, --lawsuit-rate and --roll-months.
void add_provision_options(CLI::App* sub, ReviewArgs& a);
// --orders and --limits.
void add_credit_options(CLI::App* sub, ReviewArgs& a);
// The open orders and credit limits of --orders and --limits, each row's client checked against
// the engine's events up to as_of (its default date when omitted).
cr::ReviewOptions review_options(const ReviewArgs& a, cr::Engine& e, std::optional<cr::Date> as_of);

struct ReviewCommands;

// Adds the four subcommands to app; the result holds their options until they run.
std::shared_ptr<ReviewCommands> add_review_commands(CLI::App& app);
// The --output of the one of them that was given; nullptr when none was.
const std::optional<std::string>* review_output(const ReviewCommands& commands);
// The exit code of the one of them that was given; nullopt when none was. Throws the library's
// errors (the caller maps them to exit codes).
std::optional<int> run_review_command(const ReviewCommands& commands);

}  // namespace clientrisk::cli
