/* Imports a ledger through the C ABI and prints its client count and one score: a C consumer
 * built with `pkg-config --cflags --libs clientrisk` or the ClientRisk::clientrisk_c target. */
#include <clientrisk/clientrisk.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  cr_engine* engine = NULL;
  cr_csv_report report;
  cr_score s;
  size_t clients = 0;
  if (argc != 3) {
    fprintf(stderr, "usage: %s LEDGER_CSV CLIENT\n", argv[0]);
    return 2;
  }
  memset(&report, 0, sizeof report);
  report.struct_size = sizeof report;
  memset(&s, 0, sizeof s);
  s.struct_size = sizeof s;
  if (cr_engine_new(NULL, &engine) != CR_OK || cr_engine_import_csv(engine, argv[1], 0, &report) != CR_OK ||
      cr_engine_client_count(engine, &clients) != CR_OK || cr_engine_score(engine, argv[2], CR_NO_DATE, &s) != CR_OK) {
    fprintf(stderr, "%s\n", cr_last_error());
    cr_engine_free(engine);
    return 1;
  }
  printf("libclientrisk %s (ABI %d): %zu clients, %s %.1f\n", cr_version(), CR_ABI_VERSION, clients, argv[2], s.score);
  cr_engine_free(engine);
  return 0;
}
