#include "clientrisk/snapshot.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "clientrisk/generate.hpp"
#include "test_events.hpp"
#include "test_files.hpp"

using namespace clientrisk;
using namespace clientrisk::test;
namespace fs = std::filesystem;

namespace {

// Every figure of every row, as bits, by client id: two engines agree when these are equal.
std::map<std::string, std::vector<std::uint64_t>> rows_of(const Engine& engine, const ScoreTable& t) {
  std::map<std::string, std::vector<std::uint64_t>> out;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const auto i = static_cast<Eigen::Index>(r);
    std::vector<std::uint64_t>& row = out[std::string(engine.client_id(t.client[r]))];
    row.push_back(bits(t.score(i)));
    row.push_back(static_cast<std::uint64_t>(t.band[r]));
    for (Eigen::Index k = 0; k < factor_count; ++k) row.push_back(bits(t.sub(i, k))), row.push_back(bits(t.contribution(i, k)));
  }
  return out;
}

std::vector<Event> ledger_of(std::uint64_t clients, std::uint64_t seed) {
  GenerateOptions o;
  o.clients = clients;
  o.months = 24;
  o.seed = seed;
  return generate_events(o);
}

// A small engine that holds some of everything: open and closed invoices, a dispute, incidents,
// contracts, reviews, and events dated after its horizon, waiting. tests/data/snapshot-v1.crs
// and snapshot-v3.crs are its snapshots as versions 1 and 3 wrote them: keep these events as
// they are.
Engine small_engine() {
  Engine e;
  e.post(std::vector<Event>{
      invoice(day("2024-01-05"), "ACME", "F1", 120000, day("2024-02-04")),
      invoice(day("2024-02-05"), "ACME", "F2", 80000, day("2024-03-06")),
      payment(day("2024-02-10"), "ACME", "F1", 120000),
      dispute(day("2024-03-01"), "ACME", "F2", 30000),
      complaint(day("2024-03-02"), "ACME", 4),
      contract(day("2024-01-01"), "Béta SARL", "K1"),
      invoice(day("2024-01-10"), "Béta SARL", "B1", 50000, day("2024-02-09")),
      notice(day("2024-03-03"), "Béta SARL", "lawyer_letter"),
      review(day("2024-02-20"), "Gamma", 2),
      invoice(day("2024-02-01"), "Gamma", "G1", 9900, day("2024-03-02")),
      write_off(day("2024-03-05"), "Gamma", "G1", 9900),
  });
  e.score_all(day("2024-03-10"));
  e.post(std::vector<Event>{
      payment(day("2024-03-20"), "ACME", "F2", 50000),
      cancel(day("2024-03-25"), "Béta SARL", "K1", "early"),
      invoice(day("2024-04-01"), "Delta", "D1", 7000, day("2024-05-01")),
  });
  return e;
}

std::string temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("cr-" + name + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir.string();
}

FileProblem problem_of(const std::string& bytes) {
  try {
    engine_from_snapshot_bytes(bytes, "s.crs");
  } catch (const FileFormatError& e) {
    return e.problem();
  }
  ADD_FAILURE() << "accepted";
  return FileProblem::not_clientrisk;
}

TEST(Snapshot, RoundTripsTheWholeEngineBitForBit) {
  Model m;
  m.weights[0] *= 1.5;
  m.payment_half_life_days = 90;
  Engine a(m);
  a.post(ledger_of(300, 5));
  const Date as_of = a.default_as_of();
  const auto expected = rows_of(a, a.score_all(as_of));
  const std::string bytes = snapshot_bytes(a);
  Engine b = engine_from_snapshot_bytes(bytes, "s.crs");
  EXPECT_EQ(b.model(), m);
  EXPECT_EQ(b.fingerprint(), a.fingerprint());
  ASSERT_EQ(b.client_count(), a.client_count());
  for (std::uint32_t i = 0; i < a.client_count(); ++i) ASSERT_EQ(b.client_id(i), a.client_id(i));
  EXPECT_EQ(b.ledger().open_invoice_count(), a.ledger().open_invoice_count());
  EXPECT_EQ(b.ledger().generation(), a.ledger().generation());
  EXPECT_EQ(rows_of(b, b.score_all(as_of)), expected);
  // One client's full explanation too: reasons and key figures.
  const Score sa = a.score(a.client_id(7), as_of), sb = b.score(b.client_id(7), as_of);
  EXPECT_EQ(sb.reasons, sa.reasons);
  EXPECT_EQ(sb.key, sa.key);
  // Saving is deterministic, and the loaded engine's own snapshot holds the same state.
  EXPECT_TRUE(snapshot_bytes(a) == bytes);
  Engine c = engine_from_snapshot_bytes(snapshot_bytes(b), "s.crs");
  EXPECT_EQ(rows_of(c, c.score_all(as_of)), expected);
}

// A snapshot written by version 1 (x86-64): every later version must load it to the same state.
TEST(Snapshot, TheGoldenSnapshotOfVersion1Loads) {
  Engine golden = load_snapshot(std::string(CLIENTRISK_SOURCE_DIR) + "/tests/data/snapshot-v1.crs");
  Engine fresh = small_engine();
  EXPECT_EQ(golden.fingerprint(), model_fingerprint(Model{}));
  ASSERT_EQ(golden.client_count(), fresh.client_count());
  EXPECT_EQ(golden.ledger().pending_count(), fresh.ledger().pending_count());
  EXPECT_EQ(golden.ledger().horizon(), fresh.ledger().horizon());
  for (Date d : {day("2024-03-31"), day("2024-06-30")})
    EXPECT_EQ(rows_of(golden, golden.score_all(d)), rows_of(fresh, fresh.score_all(d))) << d.to_string();
  EXPECT_EQ(golden.score("ACME").reasons, fresh.score("ACME").reasons);
  // Version 1 did not count events: its clients count from the load, the others from the start.
  const std::uint32_t acme = golden.ledger().client_index("ACME");
  EXPECT_EQ(golden.ledger().event_count(acme), 0u);
  EXPECT_GT(fresh.ledger().event_count(fresh.ledger().client_index("ACME")), 0u);
}

// Version 3 kept each client's event count in the last four bytes of its state: loaded, the
// engine is the one its events build, down to the bytes of its own snapshot.
TEST(Snapshot, TheGoldenSnapshotOfVersion3Loads) {
  Engine golden = load_snapshot(std::string(CLIENTRISK_SOURCE_DIR) + "/tests/data/snapshot-v3.crs");
  Engine fresh = small_engine();
  ASSERT_EQ(golden.client_count(), fresh.client_count());
  for (std::uint32_t i = 0; i < fresh.client_count(); ++i) {
    EXPECT_GT(golden.ledger().event_count(i), 0u) << fresh.client_id(i);
    EXPECT_EQ(golden.ledger().event_count(i), fresh.ledger().event_count(i)) << fresh.client_id(i);
    EXPECT_EQ(golden.ledger().state(i).reserved, 0u) << fresh.client_id(i);
  }
  EXPECT_EQ(rows_of(golden, golden.score_all(day("2024-06-30"))), rows_of(fresh, fresh.score_all(day("2024-06-30"))));
  EXPECT_TRUE(snapshot_bytes(golden) == snapshot_bytes(fresh));
}

// The count of each client's events is part of the state a snapshot keeps; the limit is not.
TEST(Snapshot, KeepsEachClientsEventCount) {
  Engine e = small_engine();
  e.set_max_events_per_client(1000);
  Engine b = engine_from_snapshot_bytes(snapshot_bytes(e), "s.crs");
  EXPECT_EQ(b.max_events_per_client(), Ledger::npos);
  for (std::uint32_t i = 0; i < e.client_count(); ++i)
    EXPECT_EQ(b.ledger().event_count(i), e.ledger().event_count(i)) << e.client_id(i);
  const std::uint32_t acme = b.ledger().client_index("ACME");
  b.set_max_events_per_client(b.ledger().event_count(acme));
  EXPECT_THROW(b.post(make(*b.ledger().latest_event_date(), "ACME", EventKind::complaint, {}, {}, {}, "1")), InvalidInput);
}

// Validation reads each client's last event and last payment without ref from a copy the load
// rebuilds: a loaded engine refuses the back-dated events the saved one refuses, in the same words.
TEST(Snapshot, ALoadedEngineRefusesWhatTheSavedOneRefuses) {
  Engine e;
  e.post(std::vector<Event>{invoice(day("2024-01-05"), "c", "F0", 1000, day("2024-02-04")),
                            invoice(day("2024-01-06"), "c", "F1", 9000, day("2024-02-05")),
                            payment(day("2024-01-20"), "c", "", 500), complaint(day("2024-01-25"), "c", 2)});
  e.ledger().advance(day("2024-01-26"));
  Engine b = engine_from_snapshot_bytes(snapshot_bytes(e), "s.crs");
  auto refusal = [](Engine& engine, const Event& event) {
    try {
      engine.post(event);
    } catch (const InvalidInput& x) {
      return std::string(x.what());
    }
    return std::string("accepted");
  };
  for (const Event& back_dated : {invoice(day("2024-01-19"), "c", "F2", 100, day("2024-02-19")),
                                  payment(day("2024-01-22"), "c", "", 100),
                                  payment(day("2024-01-19"), "c", "F1", 100)}) {
    const std::string saved = refusal(e, back_dated);
    EXPECT_NE(saved, "accepted");
    EXPECT_EQ(refusal(b, back_dated), saved);
  }
  EXPECT_EQ(snapshot_bytes(b), snapshot_bytes(e));
}

TEST(Snapshot, AnEmptyEngineRoundTrips) {
  Engine b = engine_from_snapshot_bytes(snapshot_bytes(Engine{}), "s.crs");
  EXPECT_EQ(b.client_count(), 0u);
  EXPECT_THROW(b.default_as_of(), InvalidInput);
  b.post(invoice(day("2024-01-01"), "A", "1", 100, day("2024-01-31")));
  EXPECT_EQ(b.score("A").client, "A");
}

// The promise of snapshots: stop, save, load, post the rest, and get the scores of one pass.
TEST(Snapshot, ResumingFromASnapshotEqualsOnePass) {
  for (std::uint64_t seed : {std::uint64_t{11}, std::uint64_t{12}}) {
    const std::vector<Event> events = ledger_of(200, seed);
    const Date cut = day("2024-01-15"), end = events.back().date;
    // Events of the next 45 days are posted before the snapshot and wait in it for their date.
    std::vector<Event> before, waiting, rest;
    for (const Event& e : events) (e.date <= cut ? before : e.date <= cut + 45 ? waiting : rest).push_back(e);

    Engine one;
    one.post(events);
    const auto at_cut = rows_of(one, one.score_all(cut));
    const auto at_end = rows_of(one, one.score_all(end));

    const std::string path = temp_dir("resume") + "/engine.crs";
    {
      Engine first;
      first.post(before);
      EXPECT_EQ(rows_of(first, first.score_all(cut)), at_cut);
      first.post(waiting);
      save_snapshot(first, path);
    }
    Engine resumed = load_snapshot(path);
    EXPECT_EQ(resumed.ledger().pending_count(), waiting.size());
    std::size_t with_events = 0;
    for (std::uint32_t i = 0; i < resumed.ledger().client_count(); ++i)
      with_events += resumed.ledger().state(i).first_date != detail::kNoDate;
    EXPECT_EQ(resumed.ledger().clients_with_events(), with_events);
    resumed.post(rest);
    EXPECT_EQ(rows_of(resumed, resumed.score_all(end)), at_end) << "seed " << seed;
    fs::remove_all(fs::path(path).parent_path());
  }
}

TEST(Snapshot, EveryScoreCarriesTheFingerprintOfItsModel) {
  Model m;
  m.band_high = 55;
  Engine e(m);
  e.post(ledger_of(20, 1));
  EXPECT_EQ(e.fingerprint(), model_fingerprint(m));
  EXPECT_EQ(e.score(e.client_id(0)).model_fingerprint, model_fingerprint(m));
  EXPECT_EQ(e.score_all().model_fingerprint, model_fingerprint(m));
  Engine loaded = engine_from_snapshot_bytes(snapshot_bytes(e), "s.crs");
  EXPECT_EQ(loaded.score_all().model_fingerprint, model_fingerprint(m));
  Engine other;
  other.set_model(m);
  EXPECT_EQ(other.fingerprint(), model_fingerprint(m));
  other.set_model(Model{});
  EXPECT_EQ(other.fingerprint(), model_fingerprint(Model{}));
  EXPECT_NE(model_fingerprint(Model{}), model_fingerprint(m));
}

TEST(Snapshot, EverySingleByteChangeAndEveryTruncationIsRefused) {
  const std::string good = snapshot_bytes(small_engine());
  for_each_byte_change(good, [](const std::string& bad, const std::string& where) {
    EXPECT_THROW(engine_from_snapshot_bytes(bad, "s.crs"), FileFormatError) << where;
  });
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_THROW(engine_from_snapshot_bytes(good.substr(0, n), "s.crs"), FileFormatError) << "first " << n << " bytes";
}

// Past the checksum (a payload changed and checksummed again, as a crafted file would be), the
// loader still never crashes: each change is refused by the archive reader or by the checks of
// the state, or gives an engine that scores and takes events like any other.
TEST(Snapshot, ChangedPayloadsWithAValidChecksumNeverCrash) {
  const std::string good = snapshot_bytes(small_engine());
  const std::string payload = payload_of(good);
  std::size_t loaded = 0, unreadable = 0, inconsistent = 0, invalid_model = 0;
  const std::size_t changes = for_each_byte_change(payload, [&](const std::string& changed, const std::string& where) {
    try {
      Engine e = engine_from_snapshot_bytes(reenveloped(good, changed), "s.crs");
      ++loaded;
      try {
        if (e.client_count() > 0) {
          e.score_all(day("2024-06-30"));
          e.post_lenient(std::vector<Event>{payment(day("2024-07-01"), std::string(e.client_id(0)), {}, 500)});
          e.score_all(day("2024-07-31"));
        }
      } catch (const InvalidInput&) {
        // the loaded engine refused the event or the date: a clear error, not a crash
      }
    } catch (const FileFormatError& e) {
      // The checksum fits, so the archive or the state is at fault, never the envelope.
      const std::string what = e.what();
      if (e.problem() == FileProblem::invalid_model) ++invalid_model;
      else if (e.problem() == FileProblem::corrupt_payload &&
               (what.find("cannot be read") != std::string::npos || what.find("after the end") != std::string::npos))
        ++unreadable;
      else if (e.problem() == FileProblem::corrupt_payload && what.find("inconsistent") != std::string::npos)
        ++inconsistent;
      else ADD_FAILURE() << where << ": " << what;
    } catch (const std::bad_alloc&) {
      ADD_FAILURE() << where << ": an allocation the file drove";
    }
  });
  // Each path is taken: the test would notice checks that stopped working.
  EXPECT_GT(loaded, 0u);
  EXPECT_GT(unreadable, 0u);
  EXPECT_GT(inconsistent, 0u);
  EXPECT_GT(invalid_model, 0u);
  EXPECT_EQ(loaded + unreadable + inconsistent + invalid_model, changes);
}

TEST(Snapshot, EachKindOfBadFileHasItsOwnError) {
  const std::string good = snapshot_bytes(small_engine());
  const std::string payload = payload_of(good);
  const std::string model = model_file_bytes(Model{}, ArchiveFormat::binary);
  EXPECT_EQ(problem_of(model), FileProblem::wrong_kind);
  EXPECT_THROW(model_from_file_bytes(good, "s.crs"), FileFormatError);
  EXPECT_EQ(problem_of(reenveloped(good, payload_of(model))), FileProblem::corrupt_payload);
  EXPECT_EQ(problem_of(good + "x"), FileProblem::trailing_bytes);
  EXPECT_EQ(problem_of(good.substr(0, good.size() - 1)), FileProblem::truncated);
  EXPECT_EQ(problem_of("PK\x03\x04"), FileProblem::not_clientrisk);
  // Bytes after the archive, inside a payload whose length and checksum fit.
  try {
    engine_from_snapshot_bytes(reenveloped(good, payload + "tail"), "s.crs");
    ADD_FAILURE() << "accepted";
  } catch (const FileFormatError& e) {
    EXPECT_EQ(e.problem(), FileProblem::corrupt_payload);
    EXPECT_EQ(std::string(e.what()), "s.crs: 4 bytes after the end of the snapshot archive");
  }
  // A snapshot must be binary.
  std::string xml = good;
  xml.replace(xml.find(" binary "), 8, " xml ");
  EXPECT_EQ(problem_of(xml), FileProblem::corrupt_payload);
  // A count that announces more than the file holds is refused before anything is allocated:
  // the last count of the payload (the pending events) made huge.
  std::string huge = payload;
  const std::size_t count_at = huge.size() - small_engine().ledger().pending_count() * sizeof(detail::Record) - 8;
  for (std::size_t k = 0; k < 8; ++k) huge[count_at + k] = static_cast<char>(k == 7 ? 0x7f : 0xff);
  try {
    engine_from_snapshot_bytes(reenveloped(good, huge), "s.crs");
    ADD_FAILURE() << "accepted";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("pending events: 9223372036854775807 entries of 32 bytes announced"),
              std::string::npos)
        << e.what();
  }
}

// A snapshot whose ledger is of a class version newer than this build's is refused, as a later
// build's snapshot would be: the archive starts with the model's archive, then the ledger's
// class information (a tracking byte, then its version).
TEST(Snapshot, ALedgerOfANewerClassVersionIsRefused) {
  const Engine e = small_engine();
  const std::string good = snapshot_bytes(e);
  std::string payload = payload_of(good);
  const std::string model = payload_of(model_file_bytes(e.model(), ArchiveFormat::binary));
  ASSERT_EQ(payload.compare(0, model.size(), model), 0);
  ASSERT_EQ(payload[model.size() + 1], '\x04');  // version 4
  payload[model.size() + 1] = '\x05';
  try {
    engine_from_snapshot_bytes(reenveloped(good, payload), "s.crs");
    ADD_FAILURE() << "accepted";
  } catch (const FileFormatError& err) {
    EXPECT_EQ(err.problem(), FileProblem::corrupt_payload);
    EXPECT_NE(std::string(err.what()).find("newer than this build's 4; upgrade clientrisk"), std::string::npos) << err.what();
  }
  // Version 2 had padding where version 3 counts each client's events: not zero, it is refused.
  const std::string v3 = read_bytes(std::string(CLIENTRISK_SOURCE_DIR) + "/tests/data/snapshot-v3.crs");
  std::string relabelled = payload_of(v3);
  ASSERT_EQ(relabelled.compare(0, model.size(), model), 0);
  ASSERT_EQ(relabelled[model.size() + 1], '\x03');
  relabelled[model.size() + 1] = '\x02';
  try {
    engine_from_snapshot_bytes(reenveloped(v3, relabelled), "s.crs");
    ADD_FAILURE() << "accepted";
  } catch (const FileFormatError& err) {
    EXPECT_NE(std::string(err.what()).find("a client's padding is not zero"), std::string::npos) << err.what();
  }
}

// Found by fuzzing (tests/fuzz/snapshot_fuzz.cpp): a payload whose clients' legal-notice counts
// reach about 1e16, which the loader accepts (a count is any int64 >= 0), made the legal factor
// convert a count to 32 bits, undefined beyond them. It loads, and every score is defined. The
// first byte of the file picks a payload, enveloped as the fuzzer does.
TEST(Snapshot, FuzzRegressionsLoadAndScore) {
  GenerateOptions o;
  o.clients = 3;
  o.months = 2;
  Engine reference;
  reference.post(generate_events(o));
  (void)reference.score_all();
  const std::string input =
      read_bytes(std::string(CLIENTRISK_SOURCE_DIR) + "/tests/fuzz/regressions/snapshot-huge-notice-count.bin");
  ASSERT_FALSE(input.empty());
  ASSERT_EQ(input[0] % 2, 0) << "a payload";
  Engine e = engine_from_snapshot_bytes(reenveloped(snapshot_bytes(reference), input.substr(1)), "fuzz.crs");
  ASSERT_GT(e.client_count(), 0u);
  const ScoreTable t = e.score_all();
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_GE(t.score[i], 0.0) << i;
    EXPECT_LE(t.score[i], 100.0) << i;
  }
  (void)e.explain(t, 0);
}

// Version 4's states have four bytes of padding, zero: a snapshot with them set is refused, and so
// is one whose block of event counts does not hold one per client.
TEST(Snapshot, StatesWithPaddingSetOrEventCountsMissingAreRefused) {
  const Engine e = small_engine();
  const std::string good = snapshot_bytes(e);
  const std::string payload = payload_of(good);
  std::string counts;  // the block of event counts as saved: its length, then one count per client
  auto append = [&](const auto& v) { counts.append(reinterpret_cast<const char*>(&v), sizeof v); };
  append(static_cast<std::uint64_t>(e.client_count()));
  for (std::uint32_t i = 0; i < e.client_count(); ++i) append(e.ledger().event_count(i));
  const std::size_t at = payload.find(counts);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(payload.find(counts, at + 1), std::string::npos);
  std::string padded = payload;  // the last state ends where the counts begin
  padded[at - sizeof(ClientState) + offsetof(ClientState, reserved)] = 1;
  try {
    engine_from_snapshot_bytes(reenveloped(good, padded), "s.crs");
    ADD_FAILURE() << "accepted";
  } catch (const FileFormatError& err) {
    EXPECT_EQ(err.problem(), FileProblem::corrupt_payload);
    EXPECT_NE(std::string(err.what()).find("its padding is not zero"), std::string::npos) << err.what();
  }
  std::string shorter = payload;  // one count fewer than clients
  shorter[at] = static_cast<char>(e.client_count() - 1);
  shorter.erase(at + counts.size() - 4, 4);
  try {
    engine_from_snapshot_bytes(reenveloped(good, shorter), "s.crs");
    ADD_FAILURE() << "accepted";
  } catch (const FileFormatError& err) {
    EXPECT_EQ(err.problem(), FileProblem::corrupt_payload);
    EXPECT_NE(std::string(err.what()).find(std::to_string(e.client_count() - 1) + " event counts for " +
                                           std::to_string(e.client_count()) + " client ids"),
              std::string::npos)
        << err.what();
  }
}

TEST(Snapshot, AFailureAtEachStepOfTheSaveLeavesThePreviousFileIntact) {
  const std::string dir = temp_dir("snapsave");
  const std::string path = dir + "/engine.crs";
  save_snapshot(Engine{}, path);
  const std::string before = read_bytes(path);
  const Engine full = small_engine();
  for (SaveStep step : {SaveStep::open, SaveStep::write, SaveStep::fsync, SaveStep::rename, SaveStep::fsync_dir}) {
    detail::fail_next_save_at(step);
    EXPECT_THROW(save_snapshot(full, path), IoError) << to_string(step);
    EXPECT_EQ(read_bytes(path), before) << to_string(step);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1) << to_string(step);
  }
  save_snapshot(full, path);
  EXPECT_EQ(read_bytes(path), snapshot_bytes(full));
  EXPECT_EQ(load_snapshot(path).client_count(), full.client_count());
  EXPECT_THROW(load_snapshot(dir + "/missing.crs"), IoError);
  try {
    load_snapshot(dir);
    ADD_FAILURE() << "loaded a directory";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": is a directory, not a file");
  }
  EXPECT_THROW(load_snapshot(""), IoError);
  fs::remove_all(dir);
}

TEST(Snapshot, AnEngineOverALedgerNeedsTheLedgersHalfLives) {
  Model m;
  m.review_half_life_days = 100;
  EXPECT_THROW(Engine(m, Ledger{}), InvalidInput);
  EXPECT_NO_THROW(Engine(Model{}, Ledger{}));
}

}  // namespace

namespace {

// The file reader (two readings, blocks straight into the arrays) refuses what the bytes
// reader refuses, and reads what it reads.
TEST(Snapshot, TheFileReaderAgreesWithTheBytesReader) {
  const std::string dir = temp_dir("filereader");
  const std::string path = dir + "/engine.crs";
  const std::string good = snapshot_bytes(small_engine());
  auto write = [&](const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; };
  auto outcome = [&](auto load) -> std::string {
    try {
      Engine e = load();
      return "loaded " + std::to_string(e.client_count());
    } catch (const FileFormatError& e) {
      return std::string(to_string(e.problem()));
    }
  };
  const std::string payload = payload_of(good);
  for (std::size_t i = 0; i < good.size(); i += 5) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    write(bad);
    EXPECT_THROW(load_snapshot(path), FileFormatError) << "byte " << i;
    if (i < payload.size()) {
      std::string changed = payload;
      changed[i] = static_cast<char>(changed[i] ^ 0x20);
      const std::string file = reenveloped(good, changed);
      write(file);
      EXPECT_EQ(outcome([&] { return load_snapshot(path); }),
                outcome([&] { return engine_from_snapshot_bytes(file, path); }))
          << "payload byte " << i;
    }
  }
  for (std::size_t n = 0; n < good.size(); n += 7) {
    write(good.substr(0, n));
    EXPECT_THROW(load_snapshot(path), FileFormatError) << "first " << n << " bytes";
  }
  write(good);
  EXPECT_EQ(outcome([&] { return load_snapshot(path); }), "loaded 4");
  fs::remove_all(dir);
}

// A pipe has no size and cannot be read twice: it is read whole, then loaded.
TEST(Snapshot, LoadsFromAPipe) {
  const std::string dir = temp_dir("pipe");
  const std::string fifo = dir + "/engine.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string good = snapshot_bytes(small_engine());
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << good; });
  const Engine e = load_snapshot(fifo);
  writer.join();
  EXPECT_EQ(e.client_count(), 4u);
  fs::remove_all(dir);
}

}  // namespace
