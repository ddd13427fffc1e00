// libFuzzer target: the model loader. The first byte picks what the rest is: a whole file (the
// envelope's checks), or the payload of an XML or binary model file in an envelope that fits it
// (the archive reader and the model's validation behind the integrity checks).
#include <cstddef>
#include <cstdint>
#include <string>

#include "../unit/test_files.hpp"
#include "clientrisk/engine.hpp"
#include "clientrisk/persist.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string file;
  switch (data[0] % 3) {
    case 0: file = rest; break;
    case 1: file = clientrisk::test::reenveloped(model_file_bytes(clientrisk::Model{}, clientrisk::ArchiveFormat::xml), rest); break;
    default: file = clientrisk::test::reenveloped(model_file_bytes(clientrisk::Model{}, clientrisk::ArchiveFormat::binary), rest); break;
  }
  try {
    const clientrisk::Model m = clientrisk::model_from_file_bytes(file, "fuzz.crm");
    clientrisk::Engine engine(m);  // a loaded model is a valid one: it must score
    (void)clientrisk::model_fingerprint(m);
  } catch (const clientrisk::Error&) {
  }
  return 0;
}
