// The subcommands that turn scores into work: actions, worklist, provisions and portfolio.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>

namespace clientrisk::cli {

struct ReviewCommands;

// Adds the four subcommands to app; the result holds their options until they run.
std::shared_ptr<ReviewCommands> add_review_commands(CLI::App& app);
// The exit code of the one of them that was given; nullopt when none was. Throws the library's
// errors (the caller maps them to exit codes).
std::optional<int> run_review_command(const ReviewCommands& commands);

}  // namespace clientrisk::cli
