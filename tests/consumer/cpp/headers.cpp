// The header-only core: scores one feature row built by hand, a prompt payer (PAYDEX-style index
// 80) with nothing else against it.
#include <clientrisk/features.hpp>
#include <clientrisk/score.hpp>

#include <cstdio>
#include <vector>

int main() {
  const auto n = static_cast<std::size_t>(clientrisk::feature_count);
  std::vector<double> x(n, 0.0);
  x[0] = 80;  // paydex
  double score = -1;
  clientrisk::Band band{};
  clientrisk::score_features(x.data(), 1, n, clientrisk::Model{}, &score, &band);
  std::printf("a prompt payer's feature row scores %.1f\n", score);
  return score == 0 && band == clientrisk::Band::low ? 0 : 1;
}
