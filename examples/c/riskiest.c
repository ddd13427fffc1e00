/* The riskiest clients of an event file, with their reasons, through clientrisk's C ABI.
 *
 *   cc -std=c99 -Iinclude examples/c/riskiest.c -Lbuild/release -lclientrisk \
 *      -Wl,-rpath,$PWD/build/release -o riskiest
 *   ./riskiest examples/ledger.csv 5
 */
#include <stdio.h>
#include <stdlib.h>

#include "clientrisk/clientrisk.h"

static const char* const band_names[] = {"low", "moderate", "high", "critical"};

/* Prints the failure and returns 1 when status is not CR_OK. */
static int failed(cr_status status, const char* doing) {
  if (status == CR_OK) return 0;
  fprintf(stderr, "riskiest: %s: %s: %s\n", doing, cr_status_string(status), cr_last_error());
  return 1;
}

int main(int argc, char** argv) {
  cr_engine* engine = NULL;
  cr_csv_report report = {.struct_size = sizeof report};
  size_t clients = 0, rows = 0, i, top;
  uint32_t* client = NULL;
  double* score = NULL;
  uint8_t* band = NULL;
  int status = 1;

  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s EVENTS.csv [TOP]\n", argv[0]);
    return 2;
  }
  top = argc == 3 ? (size_t)strtoul(argv[2], NULL, 10) : 10;
  if (cr_version_number() / 10000 != CR_VERSION_NUMBER / 10000) {
    fprintf(stderr, "riskiest: built against clientrisk %d, loaded %s\n", CR_VERSION_NUMBER, cr_version());
    return 1;
  }
  if (failed(cr_engine_new(NULL, &engine), "new engine")) return 1;
  if (failed(cr_engine_import_csv(engine, argv[1], 0, &report), "import")) goto done;
  if (failed(cr_engine_client_count(engine, &clients), "client count")) goto done;
  client = malloc(clients * sizeof *client);
  score = malloc(clients * sizeof *score);
  band = malloc(clients ? clients : 1);
  if (!client || !score || !band) {
    fprintf(stderr, "riskiest: out of memory\n");
    goto done;
  }
  if (failed(cr_engine_score_all(engine, CR_NO_DATE, clients, &rows, client, score, band, NULL, NULL), "score"))
    goto done;
  printf("%llu rows, %zu clients scored\n", (unsigned long long)report.rows, rows);
  /* The riskiest first: a selection of the top rows, enough for a short list. */
  for (i = 0; i < rows && i < top; ++i) {
    size_t best = i, j;
    const char* id = NULL;
    cr_score s = {.struct_size = sizeof s};
    uint32_t k;
    for (j = i + 1; j < rows; ++j)
      if (score[j] > score[best]) best = j;
    if (best != i) {
      double ts = score[i];
      uint32_t tc = client[i];
      uint8_t tb = band[i];
      score[i] = score[best], client[i] = client[best], band[i] = band[best];
      score[best] = ts, client[best] = tc, band[best] = tb;
    }
    if (failed(cr_engine_client_id(engine, client[i], &id), "client id")) goto done;
    printf("%-10s %5.1f %-8s\n", id, score[i], band_names[band[i]]);
    if (failed(cr_engine_score(engine, id, CR_NO_DATE, &s), "explain")) goto done;
    for (k = 0; k < s.reason_count; ++k) printf("    %-20s %s\n", s.reasons[k].code, s.reasons[k].text);
  }
  status = 0;
done:
  free(client);
  free(score);
  free(band);
  cr_engine_free(engine);
  return status;
}
