/* clientrisk's C ABI: the stable door of libclientrisk.so for C, Java (JNA, Panama), C# (P/Invoke),
 * PHP (FFI), Python (ctypes) and every other language with a C foreign-function interface.
 *
 * Rules that hold for every function here:
 * - Every fallible function returns a cr_status; CR_OK is 0, and codes are only ever appended.
 *   On failure, cr_last_error() gives the calling thread's message, and nothing was changed.
 * - No C++ exception crosses this boundary, whatever the input: NULL pointers, bad dates, unknown
 *   clients, buffers too small give a status and a message, never a crash.
 * - Structs the caller passes start with struct_size (set it to sizeof the struct): they only
 *   grow at the end, so a caller built against an older header keeps working.
 * - Handles are opaque; every _free function accepts NULL.
 * - Money is in integer minor units (cents); dates are days since 1970-01-01.
 *
 * Threading: every function may be called from any thread. Calls on one engine from several
 * threads at once are safe: the engine serialises them (scoring moves its state forward to the
 * date scored, so it writes); for scoring in parallel, give each thread its own engine. A model
 * is only read by the functions taking a const cr_model*, so threads may share one, as long as
 * none calls cr_model_set on it meanwhile. Pointers the library returns (cr_last_error,
 * cr_engine_client_id, cr_engine_csv_rejection) belong to the calling thread and stay valid
 * until its next call into the library.
 */
#ifndef CLIENTRISK_H
#define CLIENTRISK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define CR_API __declspec(dllimport)
#elif defined(__GNUC__)
#define CR_API __attribute__((visibility("default")))
#else
#define CR_API
#endif

/* The version of this header: major * 10000 + minor * 100 + patch. Compare it with
 * cr_version_number() to check that the library loaded is the one compiled against. */
#define CR_VERSION_NUMBER 100
/* The ABI's major version, also in the library's SONAME (libclientrisk.so.1). */
#define CR_ABI_VERSION 1

typedef enum cr_status {
  CR_OK = 0,
  CR_ERROR_INVALID_ARGUMENT = 1, /* a NULL pointer, a struct_size too small, an unknown name */
  CR_ERROR_INVALID_INPUT = 2,    /* an event, date, client or model the library refuses */
  CR_ERROR_FORMAT = 3,           /* an event file that breaks the format (file, line, column) */
  CR_ERROR_BAD_FILE = 4,         /* a model or snapshot file that cannot be loaded */
  CR_ERROR_IO = 5,               /* a file that cannot be opened, read or written */
  CR_ERROR_BUFFER_TOO_SMALL = 6, /* the caller's array is too small; the size needed is given */
  CR_ERROR_OUT_OF_MEMORY = 7,
  CR_ERROR_INTERNAL = 8          /* a bug in clientrisk: please report it with the message */
} cr_status;

/* "1.0.0" and CR_VERSION_NUMBER as the library was built. Thread-safe. */
CR_API const char* cr_version(void);
CR_API int cr_version_number(void);
/* A static English name of a status code, "CR_OK" and so on. Thread-safe. */
CR_API const char* cr_status_string(cr_status status);
/* The message of the calling thread's last failure ("" when none). The pointer stays valid until
 * the thread's next call into the library. */
CR_API const char* cr_last_error(void);

/* --- models ------------------------------------------------------------------------------------ */

typedef struct cr_model cr_model;

#define CR_FACTOR_COUNT 7 /* non_payment, dissatisfaction, cancellation, concentration, seasonality,
                             reputation, legal: the order of sub-scores and contributions */

/* The built-in model. */
CR_API cr_status cr_model_default(cr_model** out);
/* A model file (XML or binary, docs/persistence.md), validated. */
CR_API cr_status cr_model_load(const char* path, cr_model** out);
/* Writes the model atomically; binary != 0 for a binary archive instead of XML. */
CR_API cr_status cr_model_save(const cr_model* model, const char* path, int binary);
CR_API void cr_model_free(cr_model* model);
/* A weight ("weights.legal") or a parameter ("band_high") by its name in the model file. */
CR_API cr_status cr_model_get(const cr_model* model, const char* name, double* value);
/* Sets it; the model is checked whole, and on failure keeps its previous value. */
CR_API cr_status cr_model_set(cr_model* model, const char* name, double value);
CR_API cr_status cr_model_validate(const cr_model* model);
/* Turns a calibrated model (calibrated 1 or 2) into a scorecard model (calibrated 2) in place:
 * scores in points that grow with the risk, base points at odds of going bad odds (p / (1 - p)),
 * pdo more each time those odds double; the band limits keep the probabilities they stand for.
 * CR_ERROR_INVALID_INPUT, with the model unchanged, for an uncalibrated model or a bad value. */
CR_API cr_status cr_model_scorecard(cr_model* model, double base, double odds, double pdo);
/* The SHA-256 of the model's canonical bytes: 64 hex digits and a NUL into out[65]. */
CR_API cr_status cr_model_fingerprint(const cr_model* model, char out[65]);

/* --- engines ----------------------------------------------------------------------------------- */

typedef struct cr_engine cr_engine;

typedef enum cr_event_kind {
  CR_INVOICE = 0,
  CR_CONTRACT_SIGNED = 1,
  CR_PAYMENT = 2,
  CR_CREDIT_NOTE = 3,
  CR_WRITE_OFF = 4,
  CR_DISPUTE_OPENED = 5,
  CR_DISPUTE_RESOLVED = 6,
  CR_COMPLAINT = 7,
  CR_RETURN = 8,
  CR_CONTRACT_CANCELLED = 9,
  CR_LEGAL_NOTICE = 10,
  CR_REVIEW = 11
} cr_event_kind;

#define CR_NO_AMOUNT (-1)        /* cr_event.amount when the event has none */
#define CR_NO_DATE INT32_MIN     /* cr_event.due when the event has none */

/* One event, with the fields and rules of the event file (README.md). */
typedef struct cr_event {
  uint32_t struct_size; /* sizeof(cr_event) */
  int32_t date;         /* days since 1970-01-01 */
  const char* client;   /* NUL-terminated UTF-8, required */
  uint32_t kind;        /* a cr_event_kind */
  int32_t due;          /* days since 1970-01-01, or CR_NO_DATE */
  const char* ref;      /* invoice or contract id; NULL or "" when absent */
  int64_t amount;       /* cents, or CR_NO_AMOUNT */
  const char* detail;   /* the detail column's text; NULL or "" when absent */
} cr_event;

/* A new engine scoring with a copy of model (NULL: the built-in model). */
CR_API cr_status cr_engine_new(const cr_model* model, cr_engine** out);
CR_API void cr_engine_free(cr_engine* engine);
/* Posts one event; on failure nothing is applied and the message names the field. */
CR_API cr_status cr_engine_post(cr_engine* engine, const cr_event* event);
/* Posts count events as one batch: the first bad one fails the call and nothing is applied. */
CR_API cr_status cr_engine_post_many(cr_engine* engine, const cr_event* events, size_t count);
/* The number of clients the engine knows. */
CR_API cr_status cr_engine_client_count(const cr_engine* engine, size_t* count);
/* The threads cr_engine_score_all shares its clients among (0: one per hardware thread; 1, the
 * default, scores on the calling thread). Scores are the same bits whatever the number. */
CR_API cr_status cr_engine_set_threads(cr_engine* engine, uint32_t threads);

#define CR_MAX_REASONS 4

/* One reason code of a score, with its one-line text in the engine's language. */
typedef struct cr_reason {
  char code[32];   /* stable, e.g. "NP-OVER-90"; NUL-terminated */
  uint32_t factor; /* the factor, 0 to CR_FACTOR_COUNT - 1 */
  double points;   /* the factor's contribution */
  char text[256];  /* NUL-terminated UTF-8 */
} cr_reason;

/* One client's score as of a date, explained. The caller owns it: set struct_size first. */
typedef struct cr_score {
  uint32_t struct_size; /* sizeof(cr_score) */
  int32_t as_of;        /* days since 1970-01-01 */
  double score;         /* 0 to 100 */
  uint32_t band;        /* 0 low, 1 moderate, 2 high, 3 critical */
  uint32_t reason_count;
  double sub[CR_FACTOR_COUNT];          /* sub-scores, 0 to 1 */
  double contribution[CR_FACTOR_COUNT]; /* points; they sum to score (a calibrated model: to score minus its base score) */
  cr_reason reasons[CR_MAX_REASONS];    /* the first reason_count, largest contribution first */
  /* Key figures, in cents but for the last four. */
  int64_t outstanding, overdue, over_90, credit_balance, disputed, revenue_12m;
  double days_beyond_terms, revenue_share;
  uint32_t open_invoices, open_disputes;
  char model_fingerprint[65]; /* of the model that produced the score: 64 hex digits, NUL */
} cr_score;

/* Scores one client as of a date (CR_NO_DATE: the latest event date). An engine's dates go
 * forward: a date before one it already scored at is refused. */
CR_API cr_status cr_engine_score(cr_engine* engine, const char* client, int32_t as_of, cr_score* out);

/* Scores every client with events on or before as_of (CR_NO_DATE: the latest event date), in
 * the engine's client order, into the caller's arrays of capacity rows: client[i] is the client's
 * index (cr_engine_client_id gives its id), score[i], band[i], and, when not NULL, sub and
 * contribution hold CR_FACTOR_COUNT values per row. *rows gets the number of rows. capacity must
 * be at least cr_engine_client_count(), or CR_ERROR_BUFFER_TOO_SMALL says so in *rows and
 * nothing is written. */
CR_API cr_status cr_engine_score_all(cr_engine* engine, int32_t as_of, size_t capacity, size_t* rows,
                                     uint32_t* client, double* score, uint8_t* band, double* sub,
                                     double* contribution);
/* The id of client index (0 to client count - 1), NUL-terminated; valid until the calling
 * thread's next call into the library. */
CR_API cr_status cr_engine_client_id(const cr_engine* engine, uint32_t index, const char** id);

/* The result of an event-file import. */
typedef struct cr_csv_report {
  uint32_t struct_size; /* sizeof(cr_csv_report) */
  uint64_t rows;        /* data rows read */
  uint64_t accepted;    /* rows posted */
  uint64_t rejected;    /* rows refused (lenient import); cr_engine_csv_rejection gives each */
} cr_csv_report;

/* Imports an event file (README.md). Strict (lenient == 0): the first bad row fails the call with
 * "file:line: column: message" and nothing is applied. Lenient: bad rows are reported, the
 * others applied. report may be NULL. */
CR_API cr_status cr_engine_import_csv(cr_engine* engine, const char* path, int lenient, cr_csv_report* report);
/* The limits of an engine (docs/reliability.md): what it takes from posts and imports before it
 * rejects an event or a row, naming the limit. 0 in a field means no limit. */
typedef struct cr_limits {
  uint32_t struct_size;           /* sizeof(cr_limits) */
  uint64_t max_clients;           /* clients: an event of a new client beyond is rejected (default 0) */
  uint64_t max_events_per_client; /* events of one client, applied and waiting (default 0) */
  uint64_t max_field_bytes;       /* longest field of an imported row (default 4096) */
  uint64_t max_row_bytes;         /* longest imported row, quoted line breaks included (default 65536) */
  uint64_t max_file_bytes;        /* largest event file, refused before it is read (default 0) */
} cr_limits;

/* The engine's limits into *out; the caller sets out->struct_size. */
CR_API cr_status cr_engine_limits(const cr_engine* engine, cr_limits* out);
/* Sets every limit of *limits for the engine's next posts and imports; what it holds stays. */
CR_API cr_status cr_engine_set_limits(cr_engine* engine, const cr_limits* limits);

/* Rejected row index of the engine's last import: its line and "file:line: column: message",
 * valid until the calling thread's next call into the library. */
CR_API cr_status cr_engine_csv_rejection(const cr_engine* engine, size_t index, uint64_t* line,
                                         const char** message);

/* Scores a caller's feature matrix (docs/factors.md gives the columns): rows rows of columns
 * values (columns must be the library's feature count, 24), row_stride doubles apart, into
 * score and band (either may be NULL). A NaN, infinite or out-of-range feature fails the call,
 * naming its row and column, before anything is written. model NULL: the built-in model.
 * Thread-safe. */
CR_API cr_status cr_score_features(const double* x, size_t rows, size_t columns, size_t row_stride,
                                   const cr_model* model, double* score, uint8_t* band);
/* cr_score_features with its rows shared among threads (0: one per hardware thread); the same
 * bits whatever the number. */
CR_API cr_status cr_score_features_threads(const double* x, size_t rows, size_t columns, size_t row_stride,
                                           const cr_model* model, double* score, uint8_t* band, uint32_t threads);

/* Saves the whole engine atomically (docs/persistence.md); loads one into a new engine. */
CR_API cr_status cr_engine_save_snapshot(const cr_engine* engine, const char* path);
CR_API cr_status cr_engine_load_snapshot(const char* path, cr_engine** out);

/* Calibration (docs/calibration.md). Options of cr_calibrate; NULL gives the defaults. */
typedef struct cr_logistic_options {
  uint32_t struct_size; /* sizeof(cr_logistic_options) */
  double l2;            /* ridge penalty l2/2 |coef|^2, not on the intercept; default 0 */
  int32_t intercept;    /* nonzero: fit an intercept (default 1) */
  int32_t non_negative; /* nonzero: keep every coefficient >= 0 (default 0) */
  int32_t max_iterations; /* default 100 */
  double tolerance;     /* on the largest Newton step, relative, in each column's units; default 1e-10 */
  uint32_t threads;     /* threads sharing the rows, 0: one per core; default 1; same bits whatever the number */
} cr_logistic_options;

/* Fills options with the defaults (struct_size set). */
CR_API void cr_logistic_options_default(cr_logistic_options* options);

/* Logistic regression of y (0 or 1 per row) on rows rows of columns values, row_stride doubles
 * apart, by Newton's method. Writes columns coefficients into coef, and when not NULL their
 * standard errors, the intercept, its standard error and the iterations. Fails with
 * CR_ERROR_INVALID_INPUT, naming the row and column, for non-finite values, one class, too few
 * rows, a constant column or separated classes without l2, or no convergence. */
CR_API cr_status cr_calibrate(const double* x, size_t rows, size_t columns, size_t row_stride, const double* y,
                              const cr_logistic_options* options, double* coef, double* std_error, double* intercept,
                              double* intercept_std_error, int32_t* iterations);

/* AUC (ties counting half) and the two-sample KS statistic of scores against 0/1 outcomes. */
CR_API cr_status cr_auc(const double* score, const double* y, size_t rows, double* out);
CR_API cr_status cr_ks(const double* score, const double* y, size_t rows, double* out);
/* Population stability index of actual against expected scores, bins at expected's quantiles. */
CR_API cr_status cr_psi(const double* expected, size_t expected_rows, const double* actual, size_t actual_rows,
                        uint32_t bins, double* out);

/* A backtest: every client scored as of each date with the events on or before it, beside
 * whether it went bad in (date, date + horizon_days] (the default outcome rule of
 * docs/calibration.md). Rows by date, then client order. */
typedef struct cr_backtest cr_backtest;
CR_API cr_status cr_backtest_new(const cr_event* events, size_t count, const int32_t* dates, size_t date_count,
                                 int32_t horizon_days, const cr_model* model, cr_backtest** out);
CR_API void cr_backtest_free(cr_backtest* backtest);
CR_API cr_status cr_backtest_rows(const cr_backtest* backtest, size_t* rows);
/* Row row: the client's id (valid while the backtest lives), the date, score, band, outcome (0 or
 * 1), and when not NULL the CR_FACTOR_COUNT sub-scores and the 24 features. */
CR_API cr_status cr_backtest_row(const cr_backtest* backtest, size_t row, const char** client, int32_t* as_of,
                                 double* score, uint8_t* band, uint8_t* outcome, double* sub, double* features);
/* Over all rows: AUC and KS of the scores, and PSI of the last date's scores against the first's
 * (0 with one date); CR_ERROR_INVALID_INPUT when the outcomes are all of one class. */
CR_API cr_status cr_backtest_metrics(const cr_backtest* backtest, double* auc, double* ks, double* psi);

/* Actions, worklist and credit limits (docs/actions.md). */

/* The language of reason, action and alert texts: "en" (the default) or "fr". */
CR_API cr_status cr_engine_set_language(cr_engine* engine, const char* language);

typedef enum cr_action_code {
  CR_PREVENTIVE_REMINDER = 0,
  CR_PAYMENT_REMINDER = 1,
  CR_FORMAL_NOTICE = 2,
  CR_DECLARE_TO_INSURER = 3,
  CR_PROVISION = 4,
  CR_CREDIT_HOLD = 5,
  CR_DOCUMENT_DISPUTE = 6,
  CR_REVIEW_DEPENDENCE = 7
} cr_action_code;
#define CR_ACTION_CODE_COUNT 8
/* "preventive_reminder", ...; NULL for an unknown code. */
CR_API const char* cr_action_code_name(uint32_t code);

/* An amount for one client, given by the caller: an open order or a credit limit. */
typedef struct cr_client_amount {
  const char* client; /* NUL-terminated UTF-8 */
  int64_t cents;      /* >= 0 */
} cr_client_amount;

/* Everything cr_engine_review finds as of one date; read it with the functions below, free it
 * with cr_review_free. Its texts live as long as it does. */
typedef struct cr_review cr_review;

/* Scores every client as of as_of (CR_NO_DATE: the latest event date) and derives actions,
 * worklist and credit lines by the engine's model and its policy. orders add to exposure, limits
 * replace the recommended ones (either may be NULL with a count of 0); a client without events
 * or an amount below zero fails the call. */
CR_API cr_status cr_engine_review(cr_engine* engine, int32_t as_of, const cr_client_amount* orders, size_t order_count,
                                  const cr_client_amount* limits, size_t limit_count, cr_review** out);
CR_API void cr_review_free(cr_review* review);

typedef struct cr_action {
  uint32_t struct_size; /* sizeof(cr_action) */
  const char* client;
  uint32_t code;        /* a cr_action_code */
  int32_t priority;     /* 1 (most urgent) to 4 */
  int64_t amount;       /* cents at stake */
  int32_t deadline;     /* days since 1970-01-01 */
  const char* reason;   /* in the engine's language */
} cr_action;

typedef struct cr_work_item {
  uint32_t struct_size; /* sizeof(cr_work_item) */
  const char* client;
  double value;         /* at stake (currency units) x likelihood x urgency */
  int64_t at_stake;     /* overdue cents */
  double likelihood, urgency, score;
  int32_t days_past_due;
  uint32_t band;
  int32_t action;       /* the client's most urgent cr_action_code, -1 for none */
} cr_work_item;

typedef struct cr_credit_line {
  uint32_t struct_size; /* sizeof(cr_credit_line) */
  const char* client;
  uint32_t band;
  int64_t revenue_12m, recommended, limit, receivables, orders, exposure; /* cents */
  double utilisation;   /* exposure / limit; +infinity for a positive exposure on a zero limit */
  int32_t over_limit;
} cr_credit_line;

/* The review's date, and how many actions (most urgent first), worklist rows (highest value
 * first) and credit lines (one per scored client) it holds. Any pointer may be NULL. */
CR_API cr_status cr_review_counts(const cr_review* review, int32_t* as_of, size_t* actions, size_t* worklist,
                                  size_t* credit_lines);
CR_API cr_status cr_review_action(const cr_review* review, size_t index, cr_action* out);
CR_API cr_status cr_review_work_item(const cr_review* review, size_t index, cr_work_item* out);
CR_API cr_status cr_review_credit_line(const cr_review* review, size_t index, cr_credit_line* out);

/* Provisions and the portfolio (docs/actions.md). */
typedef struct cr_provision_options {
  uint32_t struct_size;      /* sizeof(cr_provision_options) */
  const int32_t* bounds;     /* upper bounds in days past due of every bucket but the last, from 0 */
  size_t bound_count;        /* at most CR_MAX_BUCKETS - 1 */
  const double* loss_rates;  /* bound_count + 1 of them, each in [0, 1] */
  double disputed_rate;      /* default 0.5 */
  double lawsuit_rate;       /* default 1 */
  double vat_rate;           /* default 0 */
} cr_provision_options;
#define CR_MAX_BUCKETS 32
/* The defaults: buckets current, 1-30, 31-60, 61-90, 91-180, 181-365, > 365 and the illustrative
 * loss rates of docs/actions.md (pointers to the library's static arrays). */
CR_API void cr_provision_options_default(cr_provision_options* options);

/* Loss rates for bound_count + 1 buckets estimated from an event history by the roll-rate
 * method, following months buckets of one month (docs/actions.md), into rates. */
CR_API cr_status cr_estimate_loss_rates(const cr_event* events, size_t count, const int32_t* bounds, size_t bound_count,
                                        int32_t months, const cr_model* model, double* rates);

typedef struct cr_provisions cr_provisions;
/* Provisions of every client with open receivables as of as_of (CR_NO_DATE: the latest event
 * date); options NULL: the defaults. */
CR_API cr_status cr_engine_provisions(cr_engine* engine, int32_t as_of, const cr_provision_options* options,
                                      cr_provisions** out);
CR_API void cr_provisions_free(cr_provisions* provisions);
/* Clients, buckets, and the totals in cents (specific provisions, all provisions). */
CR_API cr_status cr_provisions_counts(const cr_provisions* provisions, size_t* clients, size_t* buckets,
                                      int64_t* specific, int64_t* total);
/* One client: balance and expected loss hold one value per bucket (either may be NULL). */
CR_API cr_status cr_provisions_row(const cr_provisions* provisions, size_t index, const char** client, int64_t* balance,
                                   int64_t* expected, int64_t* disputed, int64_t* specific, int64_t* total,
                                   int32_t* litigation);

typedef struct cr_portfolio {
  uint32_t struct_size; /* sizeof(cr_portfolio) */
  int32_t as_of;
  uint64_t clients;
  int64_t receivables, revenue_12m, expected_loss; /* cents */
  double hhi, hhi_normalised, top1_share, top5_share, top10_share;
  uint64_t clients_for_80;
  uint64_t band_clients[4];
  int64_t band_exposure[4], band_expected_loss[4]; /* cents */
  double dso_simple, dso_countback, days_beyond_terms;
} cr_portfolio;

/* The portfolio as of as_of (CR_NO_DATE: the latest event date), its expected loss from the
 * provisions of options (NULL: the defaults). The caller sets out->struct_size. */
CR_API cr_status cr_engine_portfolio(cr_engine* engine, int32_t as_of, const cr_provision_options* options,
                                     cr_portfolio* out);

#ifdef __cplusplus
}
#endif

#endif /* CLIENTRISK_H */
