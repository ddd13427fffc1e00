// libFuzzer target: the CSV reader, strict and lenient, then scoring whatever it accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "clientrisk/csv.hpp"
#include "clientrisk/engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool lenient : {false, true}) {
    clientrisk::Engine engine;
    clientrisk::CsvOptions options;
    options.lenient = lenient;
    options.max_field_bytes = 64;  // reach the limit too
    try {
      clientrisk::import_csv_text(engine, text, "fuzz.csv", options);
      if (engine.client_count() > 0) (void)engine.score_all();
    } catch (const clientrisk::Error&) {
      // a clear refusal is the expected outcome of most inputs
    }
  }
  return 0;
}
