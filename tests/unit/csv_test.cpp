#include "clientrisk/csv.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using namespace clientrisk;

namespace {

const char* kHeader = "date,client,kind,ref,amount,due,detail\n";

std::string with_header(const std::string& rows) { return kHeader + rows; }

// Imports strictly into a fresh engine holding one earlier event and checks that the error
// is exactly `message` and that nothing of the file was applied.
void expect_rejected(const std::string& text, const std::string& message) {
  Engine engine;
  engine.post(Event{*Date::parse("2024-01-01"), "keep", EventKind::complaint, "", {}, {}, "2"});
  try {
    import_csv_text(engine, text, "ledger.csv");
    FAIL() << "accepted: " << text.substr(0, 200);
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
  EXPECT_EQ(engine.client_count(), 1u);
  EXPECT_EQ(engine.ledger().pending_count(), 1u);
  EXPECT_EQ(engine.score_all().size(), 1u);
}

}  // namespace

TEST(CsvImport, ReadsEveryKindWithQuotingBomAndCrlf) {
  const std::string text =
      "\xEF\xBB\xBF"
      "detail,amount,extra,kind,client,date,due,ref\r\n"
      ",1000.50,x,invoice,\"Dupont, SA\",2024-01-10,2024-02-09,F1\r\n"
      ",400,,payment,\"Dupont, SA\",2024-02-01,,F1\r\n"
      ",100,,credit_note,\"Dupont, SA\",2024-02-02,,F1\r\n"
      "\"late \"\"delivery\"\"\",50,,dispute_opened,\"Dupont, SA\",2024-02-03,,F1\r\n"
      "settled,,,dispute_resolved,\"Dupont, SA\",2024-02-04,,F1\r\n"
      "3,,,complaint,\"Dupont, SA\",2024-02-05,,\r\n"
      ",20,,return,\"Dupont, SA\",2024-02-06,,F1\r\n"
      ",0,,contract_signed,\"Dupont, SA\",2024-02-07,2025-02-06,K1\r\n"
      "early,,,contract_cancelled,\"Dupont, SA\",2024-02-08,,K1\r\n"
      "lawyer_letter,5000,,legal_notice,\"Dupont, SA\",2024-02-09,,\r\n"
      "2,,,review,\"Dupont, SA\",2024-02-10,,\r\n"
      ",10,,write_off,\"Dupont, SA\",2024-02-11,,F1\r\n";
  Engine engine;
  CsvReport report = import_csv_text(engine, text, "all.csv");
  EXPECT_EQ(report.rows, 12u);
  EXPECT_EQ(report.accepted, 12u);
  EXPECT_TRUE(report.rejected.empty());
  Score s = engine.score("Dupont, SA");
  EXPECT_EQ(s.as_of, *Date::parse("2024-02-11"));
  EXPECT_EQ(s.key.outstanding.cents(), 100050 - 40000 - 10000 - 1000);
  EXPECT_GT(s.sub[static_cast<int>(Factor::legal)], 0);
  EXPECT_GT(s.sub[static_cast<int>(Factor::cancellation)], 0);
}

TEST(CsvImport, AcceptsLfWithoutFinalNewlineAndBlankLines) {
  Engine engine;
  auto report = import_csv_text(engine, with_header("2024-01-01,a,complaint,,,,1\n\n2024-01-02,b,review,,,,5"), "x");
  EXPECT_EQ(report.accepted, 2u);
  EXPECT_EQ(engine.client_count(), 2u);
}

TEST(CsvImport, HeaderOnlyFileImportsNothing) {
  Engine engine;
  auto report = import_csv_text(engine, kHeader, "h.csv");
  EXPECT_EQ(report.rows, 0u);
  EXPECT_EQ(engine.client_count(), 0u);
  EXPECT_THROW(engine.score_all(), InvalidInput);
}

TEST(CsvImport, EmptyFileIsAnError) {
  Engine engine;
  EXPECT_THROW(import_csv_text(engine, "", "e.csv"), FormatError);
  EXPECT_THROW(import_csv_text(engine, "\xEF\xBB\xBF", "e.csv"), FormatError);
  try {
    import_csv_text(engine, "", "e.csv");
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()),
              "e.csv:1: the file is empty; it needs the header date,client,kind,ref,amount,due,detail");
  }
}

TEST(CsvImport, ImpossibleDate) {
  expect_rejected(with_header("2024-01-01,a,complaint,,,,1\n2024-02-30,a,complaint,,,,1\n"),
                  "ledger.csv:3: date: '2024-02-30' is not a valid date (YYYY-MM-DD)");
}

TEST(CsvImport, UnknownKind) {
  expect_rejected(with_header("2024-01-01,a,refund,,,,\n"),
                  "ledger.csv:2: kind: unknown kind 'refund' (expected one of invoice, contract_signed, payment, "
                  "credit_note, write_off, dispute_opened, dispute_resolved, complaint, return, contract_cancelled, "
                  "legal_notice or review)");
}

TEST(CsvImport, MissingColumn) {
  expect_rejected("date,client,kind,ref,due,detail\n2024-01-01,a,complaint,,,1\n",
                  "ledger.csv:1: header: missing column 'amount'");
}

TEST(CsvImport, DuplicateColumn) {
  expect_rejected("date,client,kind,ref,amount,due,detail,date\n",
                  "ledger.csv:1: header: column 'date' appears twice");
}

TEST(CsvImport, EmptyClient) {
  expect_rejected(with_header("2024-01-01,,complaint,,,,1\n"), "ledger.csv:2: client: client is empty");
}

TEST(CsvImport, AmountWithThreeDecimals) {
  expect_rejected(with_header("2024-01-01,a,invoice,F1,10.005,2024-01-31,\n"),
                  "ledger.csv:2: amount: '10.005': amount has more than two decimals");
}

TEST(CsvImport, NegativeAmount) {
  expect_rejected(with_header("2024-01-01,a,invoice,F1,-10,2024-01-31,\n"),
                  "ledger.csv:2: amount: '-10': amount must be unsigned");
}

TEST(CsvImport, DuplicateInvoiceId) {
  expect_rejected(with_header("2024-01-01,a,invoice,F1,10,2024-01-31,\n2024-01-05,a,invoice,F1,20,2024-02-04,\n"),
                  "ledger.csv:3: ref: duplicate invoice id 'F1' for this client");
}

TEST(CsvImport, SameInvoiceIdForTwoClientsIsFine) {
  Engine engine;
  auto r = import_csv_text(engine, with_header("2024-01-01,a,invoice,F1,10,2024-01-31,\n"
                                               "2024-01-01,b,invoice,F1,10,2024-01-31,\n"),
                           "x");
  EXPECT_EQ(r.accepted, 2u);
}

TEST(CsvImport, PaymentForUnknownInvoice) {
  expect_rejected(with_header("2024-01-01,a,invoice,F1,10,2024-01-31,\n2024-01-05,a,payment,F2,10,,\n"),
                  "ledger.csv:3: ref: payment for unknown invoice 'F2'");
}

TEST(CsvImport, CreditNoteForAnotherClientsInvoice) {
  expect_rejected(with_header("2024-01-01,a,invoice,F1,10,2024-01-31,\n2024-01-05,b,credit_note,F1,10,,\n"),
                  "ledger.csv:3: ref: credit_note for unknown invoice 'F1'");
}

TEST(CsvImport, PaymentBeforeItsInvoiceEvenWhenListedFirst) {
  expect_rejected(with_header("2024-01-01,a,payment,F1,10,,\n2024-01-05,a,invoice,F1,10,2024-02-04,\n"),
                  "ledger.csv:2: date: payment dated 2024-01-01 is before invoice 'F1' dated 2024-01-05");
}

TEST(CsvImport, RowsInAnyOrderReferToLaterRows) {
  Engine engine;
  auto r = import_csv_text(engine, with_header("2024-01-20,a,payment,F1,10,,\n2024-01-05,a,invoice,F1,10,2024-02-04,\n"),
                           "x");
  EXPECT_EQ(r.accepted, 2u);
  EXPECT_EQ(engine.score("a").key.outstanding.cents(), 0);
}

TEST(CsvImport, RatingOfSix) {
  expect_rejected(with_header("2024-01-01,a,review,,,,6\n"), "ledger.csv:2: detail: rating must be 1 to 5, got '6'");
}

TEST(CsvImport, UnterminatedQuote) {
  expect_rejected(with_header("2024-01-01,a,complaint,,,,1\n2024-01-02,\"a,complaint,,,,1\n2024-01-03,a,review,,,,2\n"),
                  "ledger.csv:3: client: unterminated quote");
}

TEST(CsvImport, TextAfterClosingQuote) {
  expect_rejected(with_header("2024-01-01,\"a\"b,complaint,,,,1\n"), "ledger.csv:2: client: text after the closing quote");
}

TEST(CsvImport, WrongNumberOfFields) {
  expect_rejected(with_header("2024-01-01,a,complaint,,,1\n"), "ledger.csv:2: row has 6 fields, the header has 7");
  expect_rejected(with_header("2024-01-01,a,complaint,,,,1,\n"), "ledger.csv:2: row has 8 fields, the header has 7");
}

TEST(CsvImport, TenMegabyteLine) {
  std::string big(10 * 1024 * 1024, 'x');
  expect_rejected(with_header("2024-01-01,a,complaint,,,," + big + "\n"),
                  "ledger.csv:2: detail: field is longer than 4096 bytes");
  expect_rejected(with_header("2024-01-01,a,dispute_opened,F1,1,,\"" + big + "\"\n"),
                  "ledger.csv:2: detail: field is longer than 4096 bytes");
}

TEST(CsvImport, InvalidUtf8) {
  expect_rejected(with_header("2024-01-01,a\xff,complaint,,,,1\n"), "ledger.csv:2: client: is not valid UTF-8");
}

TEST(CsvImport, ColumnNotUsedByKind) {
  expect_rejected(with_header("2024-01-01,a,complaint,,5,,1\n"), "ledger.csv:2: amount: amount is not used by complaint");
  expect_rejected(with_header("2024-01-01,a,invoice,F1,5,2023-12-31,\n"),
                  "ledger.csv:2: due: due date 2023-12-31 is before the event date 2024-01-01");
}

TEST(CsvImport, DisputeResolvedWithoutOpenDispute) {
  expect_rejected(with_header("2024-01-01,a,invoice,F1,10,2024-01-31,\n2024-01-02,a,dispute_resolved,F1,,,settled\n"),
                  "ledger.csv:3: ref: dispute_resolved for invoice 'F1' which has no open dispute");
}

TEST(CsvImport, ContractCancelledTwice) {
  expect_rejected(with_header("2024-01-01,a,contract_signed,K,0,,\n2024-02-01,a,contract_cancelled,K,,,early\n"
                              "2024-03-01,a,contract_cancelled,K,,,at_term\n"),
                  "ledger.csv:4: ref: contract 'K' is already cancelled");
}

TEST(CsvImport, LenientReportsEveryBadRowAndAppliesTheRest) {
  Engine engine;
  CsvOptions lenient;
  lenient.lenient = true;
  const std::string text = with_header(
      "2024-01-01,a,invoice,F1,100,2024-01-31,\n"
      "2024-02-30,a,complaint,,,,1\n"
      "2024-01-05,a,payment,F9,10,,\n"
      "2024-01-06,b,review,,,,6\n"
      "2024-01-07,b,review,,,,4\n"
      "2024-01-08,c,payment,X,10,,\n");
  CsvReport r = import_csv_text(engine, text, "l.csv", lenient);
  EXPECT_EQ(r.rows, 6u);
  EXPECT_EQ(r.accepted, 2u);
  ASSERT_EQ(r.rejected.size(), 4u);
  EXPECT_EQ(r.rejected[0].to_string("l.csv"), "l.csv:3: date: '2024-02-30' is not a valid date (YYYY-MM-DD)");
  EXPECT_EQ(r.rejected[1].to_string("l.csv"), "l.csv:4: ref: payment for unknown invoice 'F9'");
  EXPECT_EQ(r.rejected[2].to_string("l.csv"), "l.csv:5: detail: rating must be 1 to 5, got '6'");
  EXPECT_EQ(r.rejected[3].line, 7u);
  // c had no valid event: it is not scored.
  EXPECT_EQ(engine.score_all().size(), 2u);
  EXPECT_THROW(engine.score("c"), InvalidInput);
}

TEST(CsvImport, MissingFileIsAnIoError) {
  Engine engine;
  EXPECT_THROW(import_csv(engine, "/nonexistent/ledger.csv"), IoError);
}

TEST(CsvImport, AmountAboveTheLimit) {
  expect_rejected(with_header("2024-01-01,a,invoice,F1,10000000000000.01,2024-01-31,\n"),
                  "ledger.csv:2: amount: amount must be at most 10000000000000.00");
}

TEST(CsvImport, TotalsOfHugeAmountsSaturateInsteadOfOverflowing) {
  // 20 000 invoices at the limit add up to 2e19 cents, past the int64 range.
  std::string rows;
  for (int i = 0; i < 20000; ++i) {
    rows += "2024-01-01,a,invoice,F" + std::to_string(i) + ",10000000000000,2024-01-31,\n";
    rows += "2024-01-02,b,invoice,F" + std::to_string(i) + ",10000000000000,2024-01-31,\n";
  }
  Engine engine;
  EXPECT_EQ(import_csv_text(engine, with_header(rows), "huge.csv").accepted, 40000u);
  Score s = engine.score("a", *Date::parse("2024-06-30"));
  EXPECT_EQ(s.key.outstanding.cents(), INT64_MAX);
  EXPECT_EQ(s.key.overdue.cents(), INT64_MAX);
  EXPECT_GE(s.score, 0.0);
  EXPECT_LE(s.score, 100.0);
  EXPECT_EQ(s.band, Band::moderate);  // more than 90 days past due: never low
  ASSERT_FALSE(s.reasons.empty());
  EXPECT_EQ(s.reasons[0].text.rfind("92233720368547", 0), 0u) << s.reasons[0].text;
}

TEST(CsvImport, RowAndFileSizeLimitsAreConfigurableAndNamed) {
  const std::string rows = "2024-01-02,C1,invoice,I1,100.00,2024-02-01,\n"
                           "2024-01-03,C1,complaint,,,,\"" + std::string(300, 'x') + "\"\n";
  CsvOptions o;
  o.max_field_bytes = 1000;
  o.max_row_bytes = 200;
  Engine strict;
  try {
    import_csv_text(strict, with_header(rows), "big.csv", o);
    ADD_FAILURE() << "a row above max_row_bytes was accepted";
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()), "big.csv:3: row is longer than max_row_bytes (200)");
  }
  EXPECT_EQ(strict.client_count(), 0u);
  o.lenient = true;
  Engine lenient;
  const CsvReport r = import_csv_text(lenient, with_header(rows), "big.csv", o);
  EXPECT_EQ(r.accepted, 1u);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].line, 3u);

  CsvOptions small;
  small.max_file_bytes = 64;
  Engine e;
  try {
    import_csv_text(e, with_header(rows), "big.csv", small);
    ADD_FAILURE() << "a text above max_file_bytes was accepted";
  } catch (const FormatError& err) {
    EXPECT_NE(std::string(err.what()).find("big.csv: 413 bytes, more than max_file_bytes (64)"), std::string::npos)
        << err.what();
  }
  const std::string path = std::filesystem::temp_directory_path() / "clientrisk_limits.csv";
  std::ofstream(path) << with_header(rows);
  EXPECT_THROW(import_csv(e, path, small), FormatError);
  std::remove(path.c_str());
  EXPECT_EQ(e.client_count(), 0u);
}
