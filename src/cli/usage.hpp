// After a usage error: the unknown subcommand or flag of the command line, and the closest valid
// name, as in "did you mean 'score'?" (git and cargo do the same).
#pragma once

#include <CLI/CLI.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clientrisk::cli {

// Edit distance (insertions, deletions, substitutions and swaps of neighbours).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// The candidate nearest to name, when it is near enough to be what was meant.
inline std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = 0;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (!best || d < best_d) best = c, best_d = d;
  }
  if (best && best_d <= std::max<std::size_t>(2, name.size() / 3)) return best;
  return std::nullopt;
}

// The hint for the first unknown subcommand or long flag of argv; nullopt when every name is known.
// where receives the command as far as it was understood ("clientrisk model show").
inline std::optional<std::string> closest_name_hint(CLI::App& app, int argc, char** argv, std::string& where) {
  CLI::App* cur = &app;
  where = "clientrisk";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      const std::string flag = arg.substr(0, arg.find('='));
      if (const CLI::Option* o = cur->get_option_no_throw(flag)) {
        if (arg.find('=') == std::string::npos) i += std::max(0, o->get_items_expected_min());
        continue;
      }
      std::vector<std::string> names;
      for (const CLI::Option* o : cur->get_options())
        for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
      const auto near = closest(flag, names);
      return where + ": unknown option '" + flag + "'" + (near ? "; did you mean '" + *near + "'?" : "") +
             " (see " + where + " --help)";
    }
    if (arg.size() > 1 && arg[0] == '-') {
      if (const CLI::Option* o = cur->get_option_no_throw(arg.substr(0, 2)))
        if (arg.size() == 2) i += std::max(0, o->get_items_expected_min());
      continue;
    }
    const auto subs = cur->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) continue;  // a positional value
    const auto known = std::find_if(subs.begin(), subs.end(), [&](const CLI::App* s) { return s->get_name() == arg; });
    if (known != subs.end()) {
      cur = *known;
      where += " " + arg;
      continue;
    }
    std::vector<std::string> names;
    for (const CLI::App* s : subs) names.push_back(s->get_name());
    const auto near = closest(arg, names);
    return where + ": unknown subcommand '" + arg + "'" + (near ? "; did you mean '" + *near + "'?" : "") +
           " (see " + where + " --help)";
  }
  return std::nullopt;
}

// The message of a usage error: the closest valid name of a misspelt one, else the parser's own
// message, both naming the subcommand and where its help is.
inline std::string usage_message(CLI::App& app, int argc, char** argv, const CLI::Error& e) {
  std::string where;
  if (auto hint = closest_name_hint(app, argc, argv, where)) return *hint;
  return where + ": " + e.what() + " (see " + where + " --help)";
}

}  // namespace clientrisk::cli
