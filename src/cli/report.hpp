// The subcommands that show: explain (one client, every figure behind its score) and report (the
// whole portfolio as one self-contained HTML page with inline SVG charts).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

namespace clientrisk::cli {

struct ReportCommands;

// Adds explain and report to app; the result holds their options until they run.
std::shared_ptr<ReportCommands> add_report_commands(CLI::App& app);
// The --output of the one of them that was given; nullptr when none was.
const std::optional<std::string>* report_output(const ReportCommands& commands);
// The exit code of the one of them that was given; nullopt when none was. Throws the library's
// errors (the caller maps them to exit codes).
std::optional<int> run_report_command(const ReportCommands& commands);

}  // namespace clientrisk::cli
