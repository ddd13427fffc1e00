#include "clientrisk/persist.hpp"

#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>
#include <string>
#include <vector>

#include "clientrisk/csv.hpp"
#include "clientrisk/engine.hpp"
#include "envelope.hpp"
#include "test_files.hpp"

using namespace clientrisk;
using namespace clientrisk::test;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(CLIENTRISK_SOURCE_DIR) + "/tests/data";

// A model with a value of its own in every field, none of them the default.
Model tuned_model() {
  Model m;
  for (std::size_t i = 0; i < m.weights.size(); ++i) m.weights[i] = 0.1 + 0.01 * static_cast<double>(i);
  for (const ModelParameter& p : model_parameters) {
    double& v = m.*p.field;
    v = p.name.ends_with("_days") ? std::floor(v * 1.1) : std::min(p.max, v * 1.1 + 0.1 / 3);  // non-terminating binary fractions: a lossy text form would show
  }
  m.band_moderate = 20, m.band_high = 45, m.band_critical = 70;
  m.rating_bad = 1.25, m.rating_good = 4.5;
  m.seasonality_min_months = 8;
  validate(m);
  return m;
}

FileProblem problem_of(const std::string& bytes) {
  try {
    model_from_file_bytes(bytes, "m.crm");
  } catch (const FileFormatError& e) {
    return e.problem();
  }
  ADD_FAILURE() << "accepted";
  return FileProblem::not_clientrisk;
}

std::string message_of(const std::string& bytes) {
  try {
    model_from_file_bytes(bytes, "m.crm");
  } catch (const FileFormatError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ModelFile, RoundTripsEveryFieldBitForBitInXmlAndBinary) {
  const Model m = tuned_model();
  for (ArchiveFormat f : {ArchiveFormat::xml, ArchiveFormat::binary}) {
    const Model back = model_from_file_bytes(model_file_bytes(m, f), "m.crm");
    for (std::size_t i = 0; i < m.weights.size(); ++i)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(back.weights[i]), std::bit_cast<std::uint64_t>(m.weights[i]));
    for (const ModelParameter& p : model_parameters)
      EXPECT_EQ(std::bit_cast<std::uint64_t>(back.*p.field), std::bit_cast<std::uint64_t>(m.*p.field)) << p.name;
    EXPECT_EQ(back, m);
  }
}

TEST(ModelFile, ALoadedModelScoresBitForBitLikeTheOriginal) {
  const Model m = tuned_model();
  const std::string path = (fs::temp_directory_path() / ("cr-model-" + std::to_string(::getpid()) + ".crm")).string();
  for (ArchiveFormat f : {ArchiveFormat::xml, ArchiveFormat::binary}) {
    save_model(m, path, f);
    Engine a(m), b(load_model(path));
    import_csv(a, std::string(CLIENTRISK_SOURCE_DIR) + "/examples/ledger.csv");
    import_csv(b, std::string(CLIENTRISK_SOURCE_DIR) + "/examples/ledger.csv");
    const ScoreTable ta = a.score_all(), tb = b.score_all();
    ASSERT_EQ(ta.size(), tb.size());
    for (std::size_t r = 0; r < ta.size(); ++r)
      ASSERT_EQ(std::bit_cast<std::uint64_t>(ta.score(static_cast<Eigen::Index>(r))),
                std::bit_cast<std::uint64_t>(tb.score(static_cast<Eigen::Index>(r))));
  }
  fs::remove(path);
}

// Files written by version 1: every later version must load them to these values.
TEST(ModelFile, GoldenFilesOfFormatVersion1Load) {
  const Model want = tuned_model();
  EXPECT_EQ(load_model(kData + "/model-v1.xml"), want);
  EXPECT_EQ(load_model(kData + "/model-v1.bin"), want);
}

// A version 2 file (a probability model, before scorecard points and the actions policy) loads
// with those fields at their defaults.
TEST(ModelFile, AVersion2ModelLoadsWithTheScorecardDefaults) {
  Model m = tuned_model();
  m.calibrated = 1;
  m.calibration_intercept = -2.5;
  m.points_base = 600;  // not in a version 2 file: they must come back as the defaults
  m.formal_notice_days = 45;
  const std::string good = model_file_bytes(m, ArchiveFormat::xml);
  std::string payload = payload_of(good);
  const std::size_t at = payload.find("version=\"3\"");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 11, "version=\"2\"");
  std::vector<std::string> newer = {"points_base", "points_odds", "points_pdo"};
  for (const ModelParameter& p : policy_parameters) newer.emplace_back(p.name);
  for (const std::string& tag : newer) {
    const std::size_t from = payload.find("<" + tag + ">");
    const std::size_t to = payload.find("</" + tag + ">");
    ASSERT_NE(from, std::string::npos) << tag;
    payload.erase(from, to + tag.size() + 3 - from);
  }
  const Model loaded = model_from_file_bytes(reenveloped(good, payload), "v2.crm");
  Model want = m;
  want.points_base = Model{}.points_base;
  want.formal_notice_days = Model{}.formal_notice_days;
  EXPECT_EQ(loaded, want);
  EXPECT_EQ(model_fingerprint(loaded), model_fingerprint(m));  // a probability model does not hash the points
}

TEST(ModelFile, EverySingleByteChangeAndEveryTruncationIsRefused) {
  for (ArchiveFormat f : {ArchiveFormat::xml, ArchiveFormat::binary}) {
    const std::string good = model_file_bytes(Model{}, f);
    for_each_byte_change(good, [](const std::string& bad, const std::string& where) {
      EXPECT_THROW(model_from_file_bytes(bad, "m.crm"), FileFormatError) << where;
    });
    for (std::size_t n = 0; n < good.size(); ++n)
      EXPECT_THROW(model_from_file_bytes(good.substr(0, n), "m.crm"), FileFormatError) << "first " << n << " bytes";
  }
}

// Past the checksum (a payload changed and checksummed again, as a crafted file would be), the
// reader never crashes nor allocates what the file announces: each change is refused or gives
// a model that passes validation.
TEST(ModelFile, ChangedPayloadsWithAValidChecksumNeverCrash) {
  for (ArchiveFormat f : {ArchiveFormat::xml, ArchiveFormat::binary}) {
    const std::string good = model_file_bytes(tuned_model(), f);
    const std::string payload = payload_of(good);
    std::size_t loaded = 0, refused = 0;
    const std::size_t changes = for_each_byte_change(payload, [&](const std::string& changed, const std::string& where) {
      try {
        validate(model_from_file_bytes(reenveloped(good, changed), "m.crm"));
        ++loaded;
      } catch (const FileFormatError&) {
        ++refused;
      } catch (const std::bad_alloc&) {
        ADD_FAILURE() << where << ": an allocation the file drove";
      }
    });
    EXPECT_GT(refused, 0u);
    EXPECT_EQ(loaded + refused, changes);
  }
}

// A model of a class version newer than this build's, as a later build would write, is refused.
// Found by fuzzing (tests/fuzz/model_fuzz.cpp): an XML payload that ends inside a tag, in an
// envelope that fits it, made Boost's reader read past a name. The first byte picks the payload.
TEST(ModelFile, FuzzRegressionsAreRefusedAsBadFiles) {
  for (const char* name : {"model-truncated-inside-a-tag.bin"}) {
    const std::string input = read_bytes(std::string(CLIENTRISK_SOURCE_DIR) + "/tests/fuzz/regressions/" + name);
    ASSERT_FALSE(input.empty()) << name;
    ASSERT_EQ(input[0] % 3, 1) << "an XML payload";
    const std::string file = reenveloped(model_file_bytes(Model{}, ArchiveFormat::xml), input.substr(1));
    try {
      (void)model_from_file_bytes(file, "fuzz.crm");
      ADD_FAILURE() << name << " loaded";
    } catch (const FileFormatError& e) {
      EXPECT_NE(std::string(e.what()).find("the model archive cannot be read"), std::string::npos) << e.what();
    }
  }
  // Tags that do not nest are refused before the archive reads them.
  const std::string good = model_file_bytes(Model{}, ArchiveFormat::xml);
  std::string swapped = payload_of(good);
  const std::size_t at = swapped.find("</weight_non_payment>");
  ASSERT_NE(at, std::string::npos);
  swapped.replace(at, 21, "</weight_non_paymenX>");
  EXPECT_THROW((void)model_from_file_bytes(reenveloped(good, swapped), "m.crm"), FileFormatError);
  // Nested, but named otherwise than Boost expects: longer by a little, and past the name limit.
  for (const std::string& longer : {std::string("weight_non_payment_and_more"), "weight_non_payment" + std::string(80, 'x')}) {
    std::string renamed = payload_of(good);
    for (const std::string& tag : {std::string("<weight_non_payment>"), std::string("</weight_non_payment>")}) {
      const std::size_t where = renamed.find(tag);
      ASSERT_NE(where, std::string::npos);
      renamed.replace(where, tag.size(), (tag[1] == '/' ? "</" : "<") + longer + ">");
    }
    EXPECT_THROW((void)model_from_file_bytes(reenveloped(good, renamed), "m.crm"), FileFormatError) << longer;
  }
}

// The XML header is read by the loader (so that Boost's archive reads nothing in its destructor):
// comments and white space may stand before it, an older archive version is read by Boost itself,
// and a header that is not a Boost archive's is refused.
TEST(ModelFile, TheXmlHeaderIsCheckedAndOlderArchiveVersionsStillLoad) {
  const Model tuned = tuned_model();
  const std::string good = model_file_bytes(tuned, ArchiveFormat::xml);
  const std::string payload = payload_of(good);
  auto loads_as_tuned = [&](const std::string& p) {
    const Model m = model_from_file_bytes(reenveloped(good, p), "m.crm");
    EXPECT_EQ(model_fingerprint(m), model_fingerprint(tuned));
  };
  auto replaced = [&](std::string from, std::string to) {
    std::string p = payload;
    const std::size_t at = p.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? p : p.replace(at, from.size(), to);
  };
  loads_as_tuned("<!-- kept by hand -->\n  " + payload + "\n");
  loads_as_tuned(replaced("version=\"18\">", "version=\"17\">"));  // Boost 1.66 to 1.73 write 17
  loads_as_tuned(replaced("<boost_serialization signature", "<boost_serialization\n\tsignature"));
  for (const auto& [from, to, why] : std::vector<std::array<std::string, 3>>{
           {"signature=\"serialization::archive\"", "signature=\"other\"", "signature is not serialization::archive"},
           {"<boost_serialization signature", "<other/>\n<boost_serialization signature", "the first element is not <boost_serialization>"},
           {"<!DOCTYPE boost_serialization>", "<!-- no end", "a comment is not closed"},
       }) {
    const std::string bad = reenveloped(good, replaced(from, to));
    EXPECT_EQ(problem_of(bad), FileProblem::corrupt_payload) << to;
    EXPECT_NE(message_of(bad).find(why), std::string::npos) << message_of(bad);
  }
}

TEST(ModelFile, AModelOfANewerClassVersionIsRefused) {
  const std::string good = model_file_bytes(Model{}, ArchiveFormat::xml);
  std::string payload = payload_of(good);
  const std::size_t at = payload.find("version=\"3\"");
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, 11, "version=\"4\"");
  EXPECT_EQ(problem_of(reenveloped(good, payload)), FileProblem::corrupt_payload);
  EXPECT_NE(message_of(reenveloped(good, payload)).find("newer than this build's 3; upgrade clientrisk"), std::string::npos)
      << message_of(reenveloped(good, payload));
}

TEST(ModelFile, EachKindOfBadFileHasItsOwnError) {
  const std::string good = model_file_bytes(Model{}, ArchiveFormat::xml);
  const std::size_t eol = good.find('\n');
  const std::string payload = good.substr(eol + 1);

  EXPECT_EQ(problem_of("PK\x03\x04 not a model"), FileProblem::not_clientrisk);
  EXPECT_EQ(problem_of(""), FileProblem::not_clientrisk);
  EXPECT_EQ(message_of("hello"), "m.crm: not a clientrisk file (it must start with 'clientrisk-file ')");

  // Each field of the envelope line, bad on its own.
  const std::string line = good.substr(0, eol), rest = good.substr(eol);
  auto with_field = [&](int k, const std::string& v) {
    std::istringstream in(line);
    std::string f[6], out;
    for (auto& x : f) in >> x;
    f[k] = v;
    for (int i = 0; i < 6; ++i) out += (i ? " " : "") + f[i];
    return out + rest;
  };
  EXPECT_EQ(message_of(with_field(1, "0")), "m.crm: bad envelope line: format version '0'");
  EXPECT_EQ(message_of(with_field(1, "-1")), "m.crm: bad envelope line: format version '-1'");
  EXPECT_EQ(message_of(with_field(2, "report")),
            "m.crm: bad envelope line: payload kind 'report' (expected model or snapshot)");
  EXPECT_EQ(message_of(with_field(3, "json")), "m.crm: bad envelope line: archive 'json' (expected xml or binary)");
  EXPECT_EQ(message_of(with_field(4, "12a")), "m.crm: bad envelope line: payload length '12a'");
  EXPECT_EQ(message_of(with_field(4, "99999999999999999999")),
            "m.crm: bad envelope line: payload length '99999999999999999999'");
  EXPECT_EQ(message_of(with_field(5, "ABCDEF12")),
            "m.crm: bad envelope line: checksum 'ABCDEF12' (expected 8 lowercase hex digits)");
  EXPECT_EQ(message_of(line + " extra" + rest),
            "m.crm: bad envelope line: expected 'clientrisk-file VERSION KIND ARCHIVE LENGTH CRC32C'");
  EXPECT_EQ(message_of("clientrisk-file " + std::string(200, '1')), "m.crm: not a clientrisk file (it must start "
                                                                    "with 'clientrisk-file ')");
  EXPECT_EQ(problem_of(with_field(4, "0")), FileProblem::trailing_bytes);

  std::string newer = good;
  newer[std::string("clientrisk-file ").size()] = '2';
  EXPECT_EQ(problem_of(newer), FileProblem::newer_format);
  EXPECT_EQ(message_of(newer), "m.crm: format version 2 is newer than this build reads (1); upgrade clientrisk");

  EXPECT_EQ(problem_of(reenveloped(good, payload, "snapshot")), FileProblem::wrong_kind);
  EXPECT_EQ(message_of(reenveloped(good, payload, "snapshot")), "m.crm: is a snapshot file, not a model file");

  EXPECT_EQ(problem_of(good.substr(0, good.size() - 1)), FileProblem::truncated);
  EXPECT_EQ(problem_of(good + "x"), FileProblem::trailing_bytes);
  EXPECT_EQ(message_of(good + "xy"), "m.crm: 2 bytes after the payload of " + std::to_string(payload.size()) +
                                         " bytes (the file was damaged or edited; write model files with clientrisk)");

  std::string flipped = good;
  flipped[eol + 40] ^= 0x20;
  EXPECT_EQ(problem_of(flipped), FileProblem::checksum_mismatch);

  EXPECT_EQ(problem_of(reenveloped(good, "<not an archive>")), FileProblem::corrupt_payload);
  const std::string binary = model_file_bytes(Model{}, ArchiveFormat::binary);
  const std::string binary_payload = binary.substr(binary.find('\n') + 1);
  EXPECT_EQ(problem_of(reenveloped(binary, "garbage")), FileProblem::corrupt_payload);
  EXPECT_EQ(problem_of(reenveloped(binary, binary_payload.substr(0, binary_payload.size() - 8))),
            FileProblem::corrupt_payload);

  // A well-formed archive of a model that fails validation: a negative weight.
  std::string negative = payload;
  const std::size_t at = negative.find("<weight_legal>");
  ASSERT_NE(at, std::string::npos);
  negative.insert(at + std::string("<weight_legal>").size(), "-");
  EXPECT_EQ(problem_of(reenveloped(good, negative)), FileProblem::invalid_model);
  EXPECT_NE(message_of(reenveloped(good, negative)).find("weights.legal"), std::string::npos)
      << message_of(reenveloped(good, negative));
}

TEST(ModelFile, AFailureAtEachStepOfTheSaveLeavesThePreviousFileIntact) {
  const fs::path dir = fs::temp_directory_path() / ("cr-save-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "model.crm").string();
  save_model(Model{}, path);
  const std::string before = read_bytes(path);
  for (SaveStep step : {SaveStep::open, SaveStep::write, SaveStep::fsync, SaveStep::rename, SaveStep::fsync_dir}) {
    detail::fail_next_save_at(step);
    try {
      save_model(tuned_model(), path, ArchiveFormat::binary);
      ADD_FAILURE() << "saved despite a failure at " << to_string(step);
    } catch (const IoError& e) {
      EXPECT_EQ(std::string(e.what()), path + ": save failed at " + std::string(to_string(step)) +
                                           ": Input/output error (the previous file is unchanged)");
    }
    EXPECT_EQ(read_bytes(path), before) << to_string(step);
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1) << "left a file behind at "
                                                                                       << to_string(step);
  }
  // And with no failure, the new model replaces the old one.
  save_model(tuned_model(), path, ArchiveFormat::binary);
  EXPECT_EQ(load_model(path), tuned_model());
  // A failure of the last step of a first save leaves no file.
  const std::string fresh = (dir / "fresh.crm").string();
  detail::fail_next_save_at(SaveStep::fsync_dir);
  EXPECT_THROW(save_model(Model{}, fresh), IoError);
  EXPECT_FALSE(fs::exists(fresh));
  fs::remove_all(dir);
}

TEST(ModelFile, UnreadableFilesAndInvalidModelsAreRefusedBeforeWriting) {
  EXPECT_THROW(load_model("/nonexistent/model.crm"), IoError);
  try {
    load_model(kData);
    ADD_FAILURE() << "loaded a directory";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), kData + ": is a directory, not a file");
  }
  EXPECT_THROW(load_model(""), IoError);
  Model bad;
  bad.band_high = 10;  // below band_moderate
  EXPECT_THROW(model_file_bytes(bad), InvalidInput);
  EXPECT_THROW(save_model(Model{}, "/nonexistent/dir/model.crm"), IoError);
}

}  // namespace

namespace {

TEST(Checksum, TheCpusCrc32cAndBoostsAgreeWithTheDefinition) {
  EXPECT_EQ(detail::crc32c("123456789"), 0xE3069283u);  // the check value of CRC-32C
  std::string bytes;
  std::uint64_t x = 88172645463325252ull;
  for (std::size_t n = 0; n < 300; ++n) {
    EXPECT_EQ(detail::crc32c(bytes), crc32c(bytes)) << n << " bytes";
    EXPECT_EQ(detail::crc32c_portable(bytes), crc32c(bytes)) << n << " bytes";
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    bytes += static_cast<char>(x & 0xff);
  }
  // Computed piecewise, as a file read a block at a time.
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{150}}) {
    const std::string_view a = std::string_view(bytes).substr(0, cut), b = std::string_view(bytes).substr(cut);
    EXPECT_EQ(detail::crc32c(b, detail::crc32c(a)), crc32c(bytes)) << cut;
    EXPECT_EQ(detail::crc32c_portable(b, detail::crc32c_portable(a)), crc32c(bytes)) << cut;
  }
}

TEST(ModelFingerprint, IsTheSha256OfTheDocumentedCanonicalBytes) {
  // Computed apart from the library, with Python's hashlib over "clientrisk-model-1" and the 44
  // values of the built-in model as little-endian doubles.
  EXPECT_EQ(model_fingerprint(Model{}), "b990368f65274be261cfa096c2f292ef510c035f2bef585116ef4fab5d65b51d");
}

TEST(ModelFingerprint, FollowsEveryFieldAndSurvivesFiles) {
  const std::string base = model_fingerprint(Model{});
  Model m;
  for (std::size_t i = 0; i < m.weights.size(); ++i) {
    Model w;
    w.weights[i] = std::nextafter(w.weights[i], 1.0);
    EXPECT_NE(model_fingerprint(w), base) << factor_names[i];
  }
  for (const ModelParameter& p : model_parameters) {
    Model q;
    q.*p.field = std::nextafter(q.*p.field, 1e300);
    EXPECT_NE(model_fingerprint(q), base) << p.name;
  }
  m.early_cancellation_weight = 0.0;
  Model negative_zero = m;
  negative_zero.early_cancellation_weight = -0.0;
  EXPECT_EQ(model_fingerprint(negative_zero), model_fingerprint(m));
  const Model t = tuned_model();
  for (ArchiveFormat f : {ArchiveFormat::xml, ArchiveFormat::binary})
    EXPECT_EQ(model_fingerprint(model_from_file_bytes(model_file_bytes(t, f), "m.crm")), model_fingerprint(t));
}

}  // namespace
