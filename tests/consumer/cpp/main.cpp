// Imports a ledger with the compiled library and prints its riskiest client: a consumer of the
// installed (or build-tree) package.
#include <clientrisk/clientrisk.hpp>
#include <clientrisk/csv.hpp>
#include <clientrisk/version.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s LEDGER_CSV\n", argv[0]);
    return 2;
  }
  try {
    clientrisk::Engine engine;
    clientrisk::import_csv(engine, argv[1]);
    const clientrisk::ScoreTable t = engine.score_all();
    Eigen::Index top = 0;
    for (Eigen::Index r = 1; r < t.score.size(); ++r)
      if (t.score(r) > t.score(top)) top = r;
    const clientrisk::Score s = engine.explain(t, static_cast<std::size_t>(top));
    std::printf("clientrisk %s: %zu clients, riskiest %s %.1f %s\n", clientrisk::version_string().c_str(), t.size(),
                s.client.c_str(), s.score, std::string(clientrisk::to_string(s.band)).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
