/* The C ABI from C99: every function, and its error paths. Arguments: a writable directory and
 * the bundled ledger. The header comes first: it compiles alone. */
#include "clientrisk/clientrisk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                                    \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, \
              #cond, cr_last_error());                                                 \
      ++failures;                                                                      \
    }                                                                                  \
  } while (0)

/* The message of the last failure contains text. */
static int said(const char* text) { return strstr(cr_last_error(), text) != NULL; }

static cr_event event(int32_t date, const char* client, cr_event_kind kind, const char* ref, int64_t amount,
                      int32_t due) {
  cr_event e;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  e.date = date;
  e.client = client;
  e.kind = (uint32_t)kind;
  e.ref = ref;
  e.amount = amount;
  e.due = due;
  e.detail = NULL;
  return e;
}

static void versions(void) {
  char expected[32];
  CHECK(cr_version_number() == CR_VERSION_NUMBER);
  sprintf(expected, "%d.%d.%d", CR_VERSION_NUMBER / 10000, CR_VERSION_NUMBER / 100 % 100, CR_VERSION_NUMBER % 100);
  CHECK(strcmp(cr_version(), expected) == 0);
  CHECK(strcmp(cr_status_string(CR_OK), "CR_OK") == 0);
  CHECK(strcmp(cr_status_string(CR_ERROR_BAD_FILE), "CR_ERROR_BAD_FILE") == 0);
  CHECK(strcmp(cr_status_string((cr_status)999), "CR_UNKNOWN_STATUS") == 0);
}

static void models(const char* dir) {
  cr_model* m = NULL;
  cr_model* loaded = NULL;
  double v = 0;
  char fp[65], fp2[65], path[4096];
  CHECK(cr_model_default(NULL) == CR_ERROR_INVALID_ARGUMENT && said("out is NULL"));
  CHECK(cr_model_default(&m) == CR_OK && m != NULL);
  CHECK(strcmp(cr_last_error(), "") == 0);
  CHECK(cr_model_validate(m) == CR_OK);
  CHECK(cr_model_validate(NULL) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_model_get(m, "weights.non_payment", &v) == CR_OK && fabs(v - 0.35) < 1e-12);
  CHECK(cr_model_get(m, "band_high", &v) == CR_OK && v > 0);
  CHECK(cr_model_get(m, "no_such_parameter", &v) == CR_ERROR_INVALID_ARGUMENT && said("no_such_parameter"));
  CHECK(cr_model_get(m, NULL, &v) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_model_get(m, "band_high", NULL) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_model_fingerprint(m, fp) == CR_OK && strlen(fp) == 64);
  CHECK(cr_model_fingerprint(m, NULL) == CR_ERROR_INVALID_ARGUMENT);
  /* A bad value is refused and the model keeps its previous one. */
  CHECK(cr_model_set(m, "weights.legal", -1) == CR_ERROR_INVALID_INPUT && said("weights.legal"));
  CHECK(cr_model_get(m, "weights.legal", &v) == CR_OK && v > 0);
  CHECK(cr_model_set(m, "weights.legal", NAN) == CR_ERROR_INVALID_INPUT);
  CHECK(cr_model_set(m, "weights.legal", 0.2) == CR_OK);
  CHECK(cr_model_get(m, "weights.legal", &v) == CR_OK && v == 0.2);
  CHECK(cr_model_fingerprint(m, fp2) == CR_OK && strcmp(fp, fp2) != 0);
  /* Files. */
  sprintf(path, "%s/c-model.crm", dir);
  CHECK(cr_model_save(m, path, 0) == CR_OK);
  CHECK(cr_model_load(path, &loaded) == CR_OK);
  CHECK(cr_model_fingerprint(loaded, fp) == CR_OK && strcmp(fp, fp2) == 0);
  cr_model_free(loaded);
  loaded = NULL;
  CHECK(cr_model_save(m, path, 1) == CR_OK);
  CHECK(cr_model_load(path, &loaded) == CR_OK);
  cr_model_free(loaded);
  loaded = NULL;
  CHECK(cr_model_load("/nonexistent/model.crm", &loaded) == CR_ERROR_IO && loaded == NULL);
  CHECK(cr_model_load(dir, &loaded) == CR_ERROR_IO && said("is a directory"));
  CHECK(cr_model_save(m, "/nonexistent/dir/model.crm", 0) == CR_ERROR_IO && said("save failed at open"));
  CHECK(cr_model_load(NULL, &loaded) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_model_save(NULL, path, 0) == CR_ERROR_INVALID_ARGUMENT);
  remove(path);
  cr_model_free(m);
  cr_model_free(NULL);
}

static void engines(const char* dir) {
  cr_engine* e = NULL;
  cr_engine* back = NULL;
  size_t n = 99;
  char path[4096];
  cr_event batch[3];
  cr_event bad;
  const int32_t jan1 = 19723; /* 2024-01-01 */
  CHECK(cr_engine_new(NULL, NULL) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_new(NULL, &e) == CR_OK && e != NULL);
  CHECK(cr_engine_client_count(e, &n) == CR_OK && n == 0);

  batch[0] = event(jan1, "ACME", CR_INVOICE, "F1", 120000, jan1 + 30);
  batch[1] = event(jan1 + 40, "ACME", CR_PAYMENT, "F1", 120000, CR_NO_DATE);
  batch[2] = event(jan1 + 5, "Beta", CR_INVOICE, "B1", 5000, jan1 + 35);
  CHECK(cr_engine_post_many(e, batch, 3) == CR_OK);
  CHECK(cr_engine_client_count(e, &n) == CR_OK && n == 2);
  CHECK(cr_engine_post_many(e, NULL, 0) == CR_OK);
  CHECK(cr_engine_post_many(e, NULL, 1) == CR_ERROR_INVALID_ARGUMENT);

  /* Each bad event is refused with the field named, and nothing of its batch is applied. */
  bad = event(jan1, "Gamma", CR_INVOICE, "F1", -5, jan1 + 30);
  CHECK(cr_engine_post(e, &bad) == CR_ERROR_INVALID_INPUT && said("amount"));
  bad = event(jan1, "Gamma", CR_INVOICE, "G1", 100, CR_NO_DATE);
  CHECK(cr_engine_post(e, &bad) == CR_ERROR_INVALID_INPUT && said("due"));
  bad = event(jan1, "Gamma", (cr_event_kind)42, "G1", 100, jan1 + 30);
  CHECK(cr_engine_post(e, &bad) == CR_ERROR_INVALID_INPUT && said("kind"));
  bad = event(INT32_MAX, "Gamma", CR_COMPLAINT, NULL, CR_NO_AMOUNT, CR_NO_DATE);
  CHECK(cr_engine_post(e, &bad) == CR_ERROR_INVALID_INPUT && said("date"));
  bad = event(jan1, NULL, CR_COMPLAINT, NULL, CR_NO_AMOUNT, CR_NO_DATE);
  CHECK(cr_engine_post(e, &bad) == CR_ERROR_INVALID_ARGUMENT && said("client is NULL"));
  bad = event(jan1, "Gamma", CR_COMPLAINT, NULL, CR_NO_AMOUNT, CR_NO_DATE);
  CHECK(cr_engine_post(e, &bad) == CR_ERROR_INVALID_INPUT && said("severity"));
  bad.detail = "4";
  bad.struct_size = 4;
  CHECK(cr_engine_post(e, &bad) == CR_ERROR_INVALID_ARGUMENT && said("struct_size"));
  batch[0] = event(jan1, "Gamma", CR_INVOICE, "G1", 100, jan1 + 30);
  batch[1] = event(jan1, "Gamma", CR_PAYMENT, "NOPE", 100, CR_NO_DATE);
  CHECK(cr_engine_post_many(e, batch, 2) == CR_ERROR_INVALID_INPUT && said("event 1") && said("NOPE"));
  CHECK(cr_engine_client_count(e, &n) == CR_OK && n == 2);
  CHECK(cr_engine_post(NULL, &batch[0]) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_post(e, NULL) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_client_count(NULL, &n) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_client_count(e, NULL) == CR_ERROR_INVALID_ARGUMENT);

  /* Scores. */
  {
    cr_score s;
    double sum = 0;
    int k;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    CHECK(cr_engine_score(e, "Beta", jan1 + 100, &s) == CR_OK);
    CHECK(s.as_of == jan1 + 100 && s.score > 0 && s.score <= 100 && s.band <= 3);
    for (k = 0; k < CR_FACTOR_COUNT; ++k) sum += s.contribution[k];
    CHECK(fabs(sum - s.score) < 1e-9);
    CHECK(s.outstanding == 5000 && s.overdue == 5000 && s.open_invoices == 1);
    CHECK(s.reason_count >= 1 && s.reason_count <= CR_MAX_REASONS && strlen(s.reasons[0].code) > 0 &&
          strlen(s.reasons[0].text) > 0);
    CHECK(strlen(s.model_fingerprint) == 64);
    CHECK(cr_engine_score(e, "Nobody", CR_NO_DATE, &s) == CR_ERROR_INVALID_INPUT && said("unknown client"));
    CHECK(cr_engine_score(e, "ACME", jan1, &s) == CR_ERROR_INVALID_INPUT && said("already scored"));
    CHECK(cr_engine_score(e, "ACME", INT32_MAX, &s) == CR_ERROR_INVALID_INPUT && said("outside the years"));
    CHECK(cr_engine_score(e, NULL, CR_NO_DATE, &s) == CR_ERROR_INVALID_ARGUMENT);
    CHECK(cr_engine_score(e, "ACME", CR_NO_DATE, NULL) == CR_ERROR_INVALID_ARGUMENT);
    s.struct_size = 8;
    CHECK(cr_engine_score(e, "ACME", CR_NO_DATE, &s) == CR_ERROR_INVALID_ARGUMENT && said("struct_size"));
  }

  /* Snapshots. */
  sprintf(path, "%s/c-engine.crs", dir);
  CHECK(cr_engine_save_snapshot(e, path) == CR_OK);
  CHECK(cr_engine_load_snapshot(path, &back) == CR_OK);
  CHECK(cr_engine_client_count(back, &n) == CR_OK && n == 2);
  cr_engine_free(back);
  back = NULL;
  {
    FILE* f = fopen(path, "ab");
    CHECK(f != NULL);
    if (f) {
      fputc('x', f);
      fclose(f);
    }
  }
  CHECK(cr_engine_load_snapshot(path, &back) == CR_ERROR_BAD_FILE && said("after the payload") && back == NULL);
  CHECK(cr_engine_load_snapshot("/nonexistent/engine.crs", &back) == CR_ERROR_IO);
  CHECK(cr_engine_save_snapshot(NULL, path) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_save_snapshot(e, NULL) == CR_ERROR_INVALID_ARGUMENT);
  remove(path);
  cr_engine_free(e);
  cr_engine_free(NULL);
}

static void ledger(const char* dir, const char* bundled) {
  cr_engine* e = NULL;
  cr_csv_report report;
  size_t n = 0, rows = 0, i;
  uint32_t* client;
  double *score, *contribution;
  uint8_t* band;
  const char* id = NULL;
  const char* message = NULL;
  uint64_t line = 0;
  char path[4096];
  FILE* f;
  memset(&report, 0, sizeof report);
  report.struct_size = sizeof report;
  CHECK(cr_engine_new(NULL, &e) == CR_OK);
  CHECK(cr_engine_import_csv(e, bundled, 0, &report) == CR_OK);
  CHECK(report.rows > 100 && report.accepted == report.rows && report.rejected == 0);
  CHECK(cr_engine_client_count(e, &n) == CR_OK && n > 10);

  /* Every client at once, into the caller's arrays. */
  client = malloc(n * sizeof *client);
  score = malloc(n * sizeof *score);
  band = malloc(n);
  contribution = malloc(n * CR_FACTOR_COUNT * sizeof *contribution);
  CHECK(cr_engine_score_all(e, CR_NO_DATE, n - 1, &rows, client, score, band, NULL, contribution) ==
            CR_ERROR_BUFFER_TOO_SMALL &&
        rows == n);
  CHECK(cr_engine_score_all(e, CR_NO_DATE, n, &rows, client, score, band, NULL, contribution) == CR_OK);
  CHECK(rows > 0 && rows <= n);
  /* Two threads give the same bits. */
  {
    double* again = malloc(n * sizeof *again);
    size_t rows2 = 0;
    CHECK(cr_engine_set_threads(e, 2) == CR_OK);
    CHECK(cr_engine_score_all(e, CR_NO_DATE, n, &rows2, client, again, band, NULL, contribution) == CR_OK);
    CHECK(rows2 == rows && memcmp(again, score, rows * sizeof *score) == 0);
    CHECK(cr_engine_set_threads(e, 1) == CR_OK);
    CHECK(cr_engine_set_threads(NULL, 2) == CR_ERROR_INVALID_ARGUMENT);
    free(again);
  }
  for (i = 0; i < rows; ++i) {
    double sum = 0;
    int k;
    for (k = 0; k < CR_FACTOR_COUNT; ++k) sum += contribution[i * CR_FACTOR_COUNT + (size_t)k];
    CHECK(fabs(sum - score[i]) < 1e-9 && band[i] <= 3);
  }
  /* One client's score has the bits of its row. */
  CHECK(cr_engine_client_id(e, client[0], &id) == CR_OK && id != NULL);
  {
    cr_score s;
    memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    CHECK(cr_engine_score(e, id, CR_NO_DATE, &s) == CR_OK && s.score == score[0] && s.band == band[0]);
  }
  CHECK(cr_engine_client_id(e, (uint32_t)n, &id) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_score_all(e, CR_NO_DATE, n, NULL, client, score, band, NULL, NULL) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_score_all(e, CR_NO_DATE, n, &rows, NULL, score, band, NULL, NULL) == CR_ERROR_INVALID_ARGUMENT);
  free(client);
  free(score);
  free(band);
  free(contribution);
  cr_engine_free(e);

  /* A file with a bad row: strict refuses it whole, lenient reports it and posts the rest. */
  sprintf(path, "%s/c-bad.csv", dir);
  f = fopen(path, "wb");
  CHECK(f != NULL);
  if (!f) return;
  fputs("date,client,kind,ref,amount,due,detail\n", f);
  fputs("2024-01-05,A,invoice,F1,100.00,2024-02-04,\n", f);
  fputs("2024-01-06,A,invoice,F2,-3,2024-02-05,\n", f);
  fclose(f);
  CHECK(cr_engine_new(NULL, &e) == CR_OK);
  CHECK(cr_engine_import_csv(e, path, 0, &report) == CR_ERROR_FORMAT && said(":3: amount"));
  CHECK(cr_engine_client_count(e, &n) == CR_OK && n == 0);
  CHECK(cr_engine_import_csv(e, path, 1, &report) == CR_OK && report.rows == 2 && report.accepted == 1 &&
        report.rejected == 1);
  CHECK(cr_engine_csv_rejection(e, 0, &line, &message) == CR_OK && line == 3 && strstr(message, path) != NULL);
  CHECK(cr_engine_csv_rejection(e, 1, &line, &message) == CR_ERROR_INVALID_ARGUMENT);
  CHECK(cr_engine_import_csv(e, "/nonexistent/events.csv", 0, NULL) == CR_ERROR_IO);
  report.struct_size = 4;
  CHECK(cr_engine_import_csv(e, path, 1, &report) == CR_ERROR_INVALID_ARGUMENT && said("struct_size"));
  CHECK(cr_engine_import_csv(e, NULL, 1, NULL) == CR_ERROR_INVALID_ARGUMENT);
  cr_engine_free(e);
  remove(path);
}

static void features(void) {
  double x[2 * 30];
  double score[2];
  uint8_t band[2];
  size_t k;
  for (k = 0; k < sizeof x / sizeof x[0]; ++k) x[k] = 0;
  x[0] = 80; /* a prompt payer's PAYDEX-style index */
  x[30] = 80;
  CHECK(cr_score_features(x, 2, 24, 30, NULL, score, band) == CR_OK && score[0] == score[1] && band[0] <= 3);
  CHECK(cr_score_features(x, 2, 24, 30, NULL, NULL, band) == CR_OK);
  CHECK(cr_score_features(x, 0, 24, 30, NULL, NULL, NULL) == CR_OK);
  CHECK(cr_score_features(x, 2, 23, 30, NULL, score, band) == CR_ERROR_INVALID_ARGUMENT && said("columns"));
  CHECK(cr_score_features(x, 2, 24, 20, NULL, score, band) == CR_ERROR_INVALID_INPUT && said("stride"));
  CHECK(cr_score_features(NULL, 2, 24, 30, NULL, score, band) == CR_ERROR_INVALID_INPUT);
  {
    double threaded[2];
    CHECK(cr_score_features_threads(x, 2, 24, 30, NULL, threaded, NULL, 0) == CR_OK && threaded[0] == score[0] &&
          threaded[1] == score[1]);
    CHECK(cr_score_features_threads(x, 2, 23, 30, NULL, threaded, NULL, 2) == CR_ERROR_INVALID_ARGUMENT);
  }
  x[30 + 2] = NAN;
  score[1] = -7;
  CHECK(cr_score_features(x, 2, 24, 30, NULL, score, band) == CR_ERROR_INVALID_INPUT && said("row 1"));
  CHECK(score[1] == -7); /* nothing written */
}

static void calibration(void) {
  /* y = 1 when x0 + noise-like x1 is high: overlapping classes, so the fit exists. */
  double x[40 * 2], y[40], coef[2], se[2], b = 0, b_se = 0, value = 0;
  int32_t iterations = 0;
  size_t i, rows = 0;
  cr_logistic_options o;
  for (i = 0; i < 40; ++i) {
    x[2 * i] = (double)i / 10.0;
    x[2 * i + 1] = (double)((i * 7) % 5);
    y[i] = (i % 3 == 0) ? (i > 10) : (i > 25);
  }
  cr_logistic_options_default(&o);
  CHECK(o.struct_size == sizeof o && o.intercept == 1 && o.l2 == 0);
  CHECK(cr_calibrate(x, 40, 2, 2, y, NULL, coef, se, &b, &b_se, &iterations) == CR_OK && coef[0] > 0 && se[0] > 0 &&
        iterations > 0);
  o.l2 = 1;
  CHECK(cr_calibrate(x, 40, 2, 2, y, &o, coef, NULL, NULL, NULL, NULL) == CR_OK);
  o.struct_size = 4;
  CHECK(cr_calibrate(x, 40, 2, 2, y, &o, coef, NULL, NULL, NULL, NULL) == CR_ERROR_INVALID_ARGUMENT);
  y[3] = 2;
  CHECK(cr_calibrate(x, 40, 2, 2, y, NULL, coef, NULL, NULL, NULL, NULL) == CR_ERROR_INVALID_INPUT && said("row 3"));
  y[3] = 0;
  CHECK(cr_auc(x, y, 40, &value) == CR_OK && value > 0.5 && value <= 1);
  CHECK(cr_ks(x, y, 40, &value) == CR_OK && value > 0 && value <= 1);
  CHECK(cr_psi(x, 40, x, 40, 10, &value) == CR_OK && value == 0);
  CHECK(cr_auc(x, NULL, 40, &value) == CR_ERROR_INVALID_ARGUMENT);
  {
    /* A calibrated model is set by name like every parameter. */
    cr_model* m = NULL;
    CHECK(cr_model_default(&m) == CR_OK);
    CHECK(cr_model_get(m, "calibrated", &value) == CR_OK && value == 0);
    CHECK(cr_model_set(m, "calibration_intercept", -2.5) == CR_OK);
    CHECK(cr_model_set(m, "calibrated", 1) == CR_OK && cr_model_validate(m) == CR_OK);
    CHECK(cr_model_set(m, "calibrated", 0.5) != CR_OK || cr_model_validate(m) == CR_ERROR_INVALID_INPUT);
    /* Scorecard points: 600 at odds 1:50, 20 more each time they double; 50 % is odds 1, so
     * the high band starts log2(50) doublings above 600. */
    CHECK(cr_model_set(m, "calibrated", 1) == CR_OK);
    CHECK(cr_model_scorecard(m, 600, 0.02, 0) == CR_ERROR_INVALID_INPUT && said("points_pdo"));
    CHECK(cr_model_get(m, "calibrated", &value) == CR_OK && value == 1);
    CHECK(cr_model_scorecard(m, 600, 0.02, 20) == CR_OK);
    CHECK(cr_model_get(m, "calibrated", &value) == CR_OK && value == 2);
    CHECK(cr_model_get(m, "band_high", &value) == CR_OK && fabs(value - (600 + 20 * log2(50.0))) < 1e-9);
    CHECK(cr_model_scorecard(NULL, 600, 0.02, 20) == CR_ERROR_INVALID_ARGUMENT);
    cr_model_free(m);
  }

  {
    /* a pays 91 days late, b on time; z carries the ledger to the end of the year. */
    cr_event ev[5];
    int32_t dates[1] = {19754}; /* 2024-02-01 */
    cr_backtest* bt = NULL;
    const char* client = NULL;
    int32_t as_of = 0;
    double score = 0, sub[CR_FACTOR_COUNT], features[24], auc = 0, ks = 0, psi = 1;
    uint8_t band = 9, outcome = 9;
    size_t bad = 0;
    ev[0] = event(19723, "a", CR_INVOICE, "A1", 100000, 19753);
    ev[1] = event(19844, "a", CR_PAYMENT, "A1", 100000, CR_NO_DATE);
    ev[2] = event(19723, "b", CR_INVOICE, "B1", 100000, 19753);
    ev[3] = event(19768, "b", CR_PAYMENT, "B1", 100000, CR_NO_DATE);
    ev[4] = event(20088, "z", CR_INVOICE, "Z1", 10000, 20118);
    CHECK(cr_backtest_new(ev, 5, dates, 1, 180, NULL, &bt) == CR_OK && bt != NULL);
    CHECK(cr_backtest_rows(bt, &rows) == CR_OK && rows == 2);
    for (i = 0; i < rows; ++i) {
      CHECK(cr_backtest_row(bt, i, &client, &as_of, &score, &band, &outcome, sub, features) == CR_OK);
      CHECK(as_of == 19754 && band <= 3 && outcome <= 1);
      if (strcmp(client, "a") == 0) bad += outcome;
      if (strcmp(client, "b") == 0) bad += 10 * outcome;
    }
    CHECK(bad == 1); /* a went bad, b did not */
    CHECK(cr_backtest_row(bt, rows, &client, NULL, NULL, NULL, NULL, NULL, NULL) == CR_ERROR_INVALID_ARGUMENT);
    CHECK(cr_backtest_metrics(bt, &auc, &ks, &psi) == CR_OK && auc >= 0 && auc <= 1 && psi == 0);
    cr_backtest_free(bt);
    dates[0] = 20000; /* its window ends after the latest event */
    CHECK(cr_backtest_new(ev, 5, dates, 1, 180, NULL, &bt) == CR_ERROR_INVALID_INPUT && bt == NULL &&
          said("after the latest event"));
    cr_backtest_free(NULL);
  }
}

/* Actions, worklist, credit lines, provisions and the portfolio of the bundled ledger. */
static void review(const char* bundled) {
  cr_engine* e = NULL;
  cr_review* r = NULL;
  cr_provisions* p = NULL;
  cr_action a;
  cr_work_item w;
  cr_credit_line c;
  cr_portfolio pf;
  cr_provision_options o;
  cr_client_amount order;
  size_t actions = 0, worklist = 0, lines = 0, i, clients = 0, buckets = 0;
  int32_t as_of = 0, litigation = 0;
  int64_t specific = 0, total = 0, sum = 0, balance[CR_MAX_BUCKETS], expected[CR_MAX_BUCKETS], disputed = 0, spec = 0, tot = 0;
  const char* client = NULL;
  CHECK(cr_engine_new(NULL, &e) == CR_OK);
  CHECK(cr_engine_import_csv(e, bundled, 0, NULL) == CR_OK);
  CHECK(cr_engine_set_language(e, "de") == CR_ERROR_INVALID_ARGUMENT && said("language"));
  CHECK(cr_engine_set_language(e, "fr") == CR_OK);
  CHECK(cr_engine_review(e, CR_NO_DATE, NULL, 0, NULL, 0, &r) == CR_OK);
  CHECK(cr_review_counts(r, &as_of, &actions, &worklist, &lines) == CR_OK && actions > 0 && worklist > 0 && lines > 0);
  CHECK(as_of == 20088); /* 2024-12-31 */
  memset(&a, 0, sizeof a);
  a.struct_size = sizeof a;
  CHECK(cr_review_action(r, 0, &a) == CR_OK && a.priority == 1 && a.client && a.reason && a.amount >= 0);
  CHECK(cr_action_code_name(a.code) != NULL && cr_action_code_name(CR_ACTION_CODE_COUNT) == NULL);
  for (i = 1; i < actions; ++i) {
    int32_t before = a.priority;
    CHECK(cr_review_action(r, i, &a) == CR_OK && a.priority >= before);
  }
  CHECK(cr_review_action(r, actions, &a) == CR_ERROR_INVALID_ARGUMENT && said("past the"));
  a.struct_size = 4;
  CHECK(cr_review_action(r, 0, &a) == CR_ERROR_INVALID_ARGUMENT && said("struct_size"));
  memset(&w, 0, sizeof w);
  w.struct_size = sizeof w;
  CHECK(cr_review_work_item(r, 0, &w) == CR_OK && w.at_stake > 0 && w.value > 0 && w.action >= 0);
  memset(&c, 0, sizeof c);
  c.struct_size = sizeof c;
  CHECK(cr_review_credit_line(r, 0, &c) == CR_OK && c.exposure == c.receivables + c.orders);
  cr_review_free(r);
  /* An open order for an unknown client is refused; a large one puts its client on hold. */
  order.client = "NOBODY";
  order.cents = 100;
  CHECK(cr_engine_review(e, CR_NO_DATE, &order, 1, NULL, 0, &r) == CR_ERROR_INVALID_INPUT && r == NULL && said("NOBODY"));
  order.client = "C000001";
  order.cents = 100000000000LL;
  CHECK(cr_engine_review(e, CR_NO_DATE, &order, 1, NULL, 0, &r) == CR_OK);
  CHECK(cr_review_counts(r, NULL, &actions, NULL, NULL) == CR_OK);
  a.struct_size = sizeof a;
  {
    int held = 0;
    for (i = 0; i < actions; ++i)
      if (cr_review_action(r, i, &a) == CR_OK && strcmp(a.client, "C000001") == 0 && a.code == CR_CREDIT_HOLD) held = 1;
    CHECK(held);
  }
  cr_review_free(r);

  cr_provision_options_default(&o);
  CHECK(o.bound_count == 6 && o.loss_rates[6] == 1.0 && o.disputed_rate == 0.5);
  CHECK(cr_engine_provisions(e, CR_NO_DATE, &o, &p) == CR_OK);
  CHECK(cr_provisions_counts(p, &clients, &buckets, &specific, &total) == CR_OK && clients > 0 && buckets == 7);
  for (i = 0; i < clients; ++i) {
    CHECK(cr_provisions_row(p, i, &client, balance, expected, &disputed, &spec, &tot, &litigation) == CR_OK);
    sum += tot;
  }
  CHECK(sum == total && specific > 0);
  CHECK(cr_provisions_row(p, clients, &client, NULL, NULL, NULL, NULL, NULL, NULL) == CR_ERROR_INVALID_ARGUMENT);
  cr_provisions_free(p);
  {
    double bad[7] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.5};
    o.loss_rates = bad;
    CHECK(cr_engine_provisions(e, CR_NO_DATE, &o, &p) == CR_ERROR_INVALID_INPUT && said("loss rate 6"));
  }
  {
    /* An invoice written off four months after it fell due: every bucket it crossed rolls. */
    cr_event ev[3];
    double rates[7];
    memset(ev, 0, sizeof ev);
    for (i = 0; i < 3; ++i) {
      ev[i].struct_size = sizeof ev[i];
      ev[i].client = "W";
      ev[i].due = CR_NO_DATE;
      ev[i].amount = CR_NO_AMOUNT;
    }
    ev[0].date = 19727; /* 2024-01-05 */
    ev[0].kind = CR_INVOICE;
    ev[0].ref = "W1";
    ev[0].amount = 100000;
    ev[0].due = 19757;
    ev[1].date = 19853; /* 2024-05-10 */
    ev[1].kind = CR_WRITE_OFF;
    ev[1].ref = "W1";
    ev[1].amount = 100000;
    ev[2].date = 19904; /* 2024-06-30 */
    ev[2].kind = CR_INVOICE;
    ev[2].ref = "W2";
    ev[2].amount = 100;
    ev[2].due = 19934;
    CHECK(cr_estimate_loss_rates(ev, 3, o.bounds, o.bound_count, 3, NULL, rates) == CR_OK);
    CHECK(rates[0] >= 0 && rates[6] <= 1 && rates[3] == 1.0);
    CHECK(cr_estimate_loss_rates(ev, 3, o.bounds, 0, 3, NULL, rates) == CR_ERROR_INVALID_ARGUMENT);
    CHECK(cr_estimate_loss_rates(ev, 1, o.bounds, o.bound_count, 3, NULL, rates) == CR_ERROR_INVALID_INPUT);
  }
  memset(&pf, 0, sizeof pf);
  pf.struct_size = sizeof pf;
  CHECK(cr_engine_portfolio(e, CR_NO_DATE, NULL, &pf) == CR_OK);
  CHECK(pf.clients == 40 && pf.hhi > 0 && pf.hhi <= 10000 && pf.dso_countback > 0 && pf.expected_loss == total);
  CHECK(pf.band_clients[0] + pf.band_clients[1] + pf.band_clients[2] + pf.band_clients[3] == pf.clients);
  cr_engine_free(e);
}

/* Limits: the defaults read back, each one set is kept and rejects what exceeds it, naming it. */
static void limits(const char* dir) {
  cr_engine* e = NULL;
  cr_limits l;
  cr_csv_report report;
  cr_event ev[3];
  char path[4096];
  FILE* f;
  size_t n = 0;
  memset(&l, 0, sizeof l);
  memset(&report, 0, sizeof report);
  report.struct_size = sizeof report;
  CHECK(cr_engine_new(NULL, &e) == CR_OK);
  l.struct_size = sizeof l;
  CHECK(cr_engine_limits(e, &l) == CR_OK && l.max_clients == 0 && l.max_events_per_client == 0 &&
        l.max_field_bytes == 4096 && l.max_row_bytes == 65536 && l.max_file_bytes == 0);
  l.struct_size = 4;
  CHECK(cr_engine_limits(e, &l) == CR_ERROR_INVALID_ARGUMENT && said("struct_size"));
  CHECK(cr_engine_set_limits(e, &l) == CR_ERROR_INVALID_ARGUMENT && said("struct_size"));
  CHECK(cr_engine_set_limits(e, NULL) == CR_ERROR_INVALID_ARGUMENT && said("limits is NULL"));
  CHECK(cr_engine_limits(NULL, &l) == CR_ERROR_INVALID_ARGUMENT);
  l.struct_size = sizeof l;
  l.max_clients = 1;
  l.max_events_per_client = 2;
  l.max_field_bytes = 0; /* no limit */
  l.max_row_bytes = 40;
  l.max_file_bytes = 1000;
  CHECK(cr_engine_set_limits(e, &l) == CR_OK);
  memset(&l, 0, sizeof l);
  l.struct_size = sizeof l;
  CHECK(cr_engine_limits(e, &l) == CR_OK && l.max_clients == 1 && l.max_events_per_client == 2 &&
        l.max_field_bytes == 0 && l.max_row_bytes == 40 && l.max_file_bytes == 1000);

  ev[0] = event(19724, "A", CR_INVOICE, "F1", 10000, 19754);
  ev[1] = event(19725, "A", CR_PAYMENT, "F1", 5000, CR_NO_DATE);
  ev[2] = event(19726, "A", CR_PAYMENT, "F1", 5000, CR_NO_DATE);
  CHECK(cr_engine_post_many(e, ev, 3) == CR_ERROR_INVALID_INPUT && said("event 2: client: ") &&
        said("max_events_per_client (2)"));
  CHECK(cr_engine_post_many(e, ev, 2) == CR_OK);
  ev[0] = event(19726, "B", CR_COMPLAINT, NULL, CR_NO_AMOUNT, CR_NO_DATE);
  ev[0].detail = "2";
  CHECK(cr_engine_post(e, &ev[0]) == CR_ERROR_INVALID_INPUT && said("max_clients (1)"));
  CHECK(cr_engine_client_count(e, &n) == CR_OK && n == 1);

  sprintf(path, "%s/c-limits.csv", dir);
  f = fopen(path, "wb");
  CHECK(f != NULL);
  if (!f) return;
  fputs("date,client,kind,ref,amount,due,detail,note\n", f);
  fputs("2024-01-05,A,complaint,,,,2,\n", f);
  fputs("2024-01-06,A,review,,,,4,\"a note that makes the row long\"\n", f);
  fclose(f);
  CHECK(cr_engine_import_csv(e, path, 0, &report) == CR_ERROR_FORMAT && said(":3: row is longer than max_row_bytes (40)"));
  l.max_row_bytes = 0;
  l.max_file_bytes = 50;
  CHECK(cr_engine_set_limits(e, &l) == CR_OK);
  CHECK(cr_engine_import_csv(e, path, 0, &report) == CR_ERROR_FORMAT && said("more than max_file_bytes (50)"));
  l.max_file_bytes = 0;
  l.max_events_per_client = 0;
  CHECK(cr_engine_set_limits(e, &l) == CR_OK);
  CHECK(cr_engine_import_csv(e, path, 0, &report) == CR_OK && report.accepted == 2);
  cr_engine_free(e);
  remove(path);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s WRITABLE_DIR LEDGER_CSV\n", argv[0]);
    return 2;
  }
  versions();
  models(argv[1]);
  engines(argv[1]);
  ledger(argv[1], argv[2]);
  features();
  calibration();
  review(argv[2]);
  limits(argv[1]);
  if (failures) fprintf(stderr, "%d checks failed\n", failures);
  return failures ? 1 : 0;
}
