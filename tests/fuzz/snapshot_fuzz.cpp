// libFuzzer target: the snapshot loader. The first byte picks a whole file or the payload of a
// snapshot in an envelope that fits it; what loads must post, score and save again.
#include <cstddef>
#include <cstdint>
#include <string>

#include "../unit/test_files.hpp"
#include "clientrisk/engine.hpp"
#include "clientrisk/generate.hpp"
#include "clientrisk/snapshot.hpp"

namespace {

const std::string& reference_file() {
  static const std::string file = [] {
    clientrisk::GenerateOptions o;
    o.clients = 3;
    o.months = 2;
    clientrisk::Engine e;
    e.post(clientrisk::generate_events(o));
    (void)e.score_all();
    return clientrisk::snapshot_bytes(e);
  }();
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string file = data[0] % 2 ? rest : clientrisk::test::reenveloped(reference_file(), rest);
  try {
    clientrisk::Engine e = clientrisk::engine_from_snapshot_bytes(file, "fuzz.crs");
    if (e.client_count() > 0) {
      const clientrisk::ScoreTable t = e.score_all();
      if (t.size() > 0) (void)e.explain(t, 0);
    }
    (void)clientrisk::snapshot_bytes(e);
  } catch (const clientrisk::Error&) {
  }
  return 0;
}
