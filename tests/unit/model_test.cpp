#include "clientrisk/model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "clientrisk/engine.hpp"

using namespace clientrisk;

namespace {

// Validates m and returns the message of the InvalidInput it throws ("" when it does not throw).
std::string rejection_of(const Model& m) {
  try {
    validate(m);
  } catch (const InvalidInput& e) {
    return e.what();
  }
  return "";
}

// Expects validate(m) to throw InvalidInput whose message names `field`.
void expect_rejected_naming(const Model& m, const std::string& field) {
  const std::string message = rejection_of(m);
  ASSERT_FALSE(message.empty()) << "a model with a bad " << field << " was accepted";
  EXPECT_NE(message.find(field), std::string::npos) << "message does not name " << field << ": " << message;
}

Event complaint(const char* date, const char* client) {
  return Event{*Date::parse(date), client, EventKind::complaint, "", {}, {}, "3"};
}

}  // namespace

TEST(Model, DefaultValidates) {
  EXPECT_NO_THROW(validate(Model{}));
  EXPECT_FALSE(model_problem(Model{}).has_value());
}

TEST(Model, NegativeWeightNamesTheWeight) {
  for (int f = 0; f < factor_count; ++f) {
    Model m;
    m.weights[static_cast<std::size_t>(f)] = -0.01;
    expect_rejected_naming(m, "weights." + std::string(factor_names[static_cast<std::size_t>(f)]));
  }
}

TEST(Model, WindowsAreWholeDays) {
  for (const char* name : {"write_off_window_days", "cancellation_window_days", "legal_window_days"}) {
    Model m;
    *model_field(m, name) = 364.5;
    expect_rejected_naming(m, name);
  }
}

TEST(Model, NonFiniteWeightNamesTheWeight) {
  Model m;
  m.weights[static_cast<std::size_t>(Factor::legal)] = std::numeric_limits<double>::quiet_NaN();
  expect_rejected_naming(m, "weights.legal");
  m = Model{};
  m.weights[static_cast<std::size_t>(Factor::reputation)] = std::numeric_limits<double>::infinity();
  expect_rejected_naming(m, "weights.reputation");
}

TEST(Model, NanParameterNamesTheParameter) {
  for (const ModelParameter& p : model_parameters) {
    Model m;
    m.*p.field = std::numeric_limits<double>::quiet_NaN();
    expect_rejected_naming(m, std::string(p.name));
  }
}

TEST(Model, AllZeroWeightsAreRejected) {
  Model m;
  m.weights.fill(0);
  expect_rejected_naming(m, "weights");
}

TEST(Model, SomeZeroWeightsAreFine) {
  Model m;
  m.weights.fill(0);
  m.weights[static_cast<std::size_t>(Factor::legal)] = 1;
  EXPECT_NO_THROW(validate(m));
}

TEST(Model, BandThresholdsOutOfOrderNameTheBands) {
  Model m;
  m.band_moderate = 60;  // above band_high (50)
  expect_rejected_naming(m, "band_moderate");
  m = Model{};
  m.band_high = 80;  // above band_critical (75)
  expect_rejected_naming(m, "band_critical");
  m = Model{};
  m.band_high = m.band_critical;  // equal thresholds leave the high band empty
  expect_rejected_naming(m, "band_high");
}

TEST(Model, ParameterOutsideItsRangeNamesTheParameter) {
  for (const ModelParameter& p : model_parameters) {
    Model below, above;
    below.*p.field = p.min - (p.min == 0 ? 1 : std::abs(p.min));
    expect_rejected_naming(below, std::string(p.name));
    if (p.max < kUnbounded) {
      above.*p.field = p.max + 1;
      expect_rejected_naming(above, std::string(p.name));
    }
  }
}

TEST(Model, OutOfRangeMessageGivesTheRangeAndTheValue) {
  Model m;
  m.paydex_severe = 80;
  const std::string message = rejection_of(m);
  EXPECT_NE(message.find("paydex_severe"), std::string::npos) << message;
  EXPECT_NE(message.find("79"), std::string::npos) << message;
  EXPECT_NE(message.find("80"), std::string::npos) << message;
}

TEST(Model, InvertedPairsNameTheirFields) {
  Model m;
  m.concentration_share_low = 0.5;  // above concentration_share_high (0.35)
  expect_rejected_naming(m, "concentration_share_low");
  m = Model{};
  m.rating_bad = 4.5;  // above rating_good (4)
  expect_rejected_naming(m, "rating_bad");
  m = Model{};
  m.seasonality_cv_low = 2;
  expect_rejected_naming(m, "seasonality_cv_low");
  m = Model{};
  m.negative_share_low = 0.9;
  expect_rejected_naming(m, "negative_share_low");
}

TEST(Model, EveryParameterHasADistinctNameAndTheDefaultIsInRange) {
  const Model m;
  for (std::size_t i = 0; i < model_parameters.size(); ++i) {
    const ModelParameter& p = model_parameters[i];
    EXPECT_GE(m.*p.field, p.min) << p.name;
    EXPECT_LE(m.*p.field, p.max) << p.name;
    for (std::size_t j = i + 1; j < model_parameters.size(); ++j) EXPECT_NE(p.name, model_parameters[j].name);
  }
}

TEST(ModelField, ReadsAndSetsAWeight) {
  Model m;
  double* w = model_field(m, "weights.legal");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(*w, 0.25);
  *w = 0.5;
  EXPECT_EQ(m.weights[static_cast<std::size_t>(Factor::legal)], 0.5);
}

TEST(ModelField, ReadsAndSetsAParameter) {
  Model m;
  double* b = model_field(m, "band_high");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(*b, 50);
  *b = 60;
  EXPECT_EQ(m.band_high, 60);
}

TEST(ModelField, FindsEveryNamedParameterAndWeight) {
  Model m;
  for (const ModelParameter& p : model_parameters) EXPECT_EQ(model_field(m, p.name), &(m.*p.field)) << p.name;
  for (std::size_t f = 0; f < factor_names.size(); ++f)
    EXPECT_EQ(model_field(m, "weights." + std::string(factor_names[f])), &m.weights[f]) << factor_names[f];
}

TEST(ModelField, UnknownNamesGiveNull) {
  Model m;
  EXPECT_EQ(model_field(m, "band_extreme"), nullptr);
  EXPECT_EQ(model_field(m, "weights.weather"), nullptr);
  EXPECT_EQ(model_field(m, "weights."), nullptr);
  EXPECT_EQ(model_field(m, "weights"), nullptr);
  EXPECT_EQ(model_field(m, ""), nullptr);
  EXPECT_EQ(model_field(m, "Band_High"), nullptr);
}

TEST(EngineModel, RejectsAnInvalidModel) {
  Model m;
  m.weights[0] = -1;
  EXPECT_THROW((void)Engine{m}, InvalidInput);
  Engine engine;
  EXPECT_THROW(engine.set_model(m), InvalidInput);
  EXPECT_EQ(engine.model(), Model{});
}

TEST(EngineModel, SetModelWithOtherHalfLivesAfterPostingThrows) {
  Engine engine;
  engine.post(complaint("2024-01-10", "a"));
  for (const char* name : {"payment_half_life_days", "dissatisfaction_half_life_days", "review_half_life_days"}) {
    Model m;
    *model_field(m, name) = 90;
    try {
      engine.set_model(m);
      ADD_FAILURE() << "set_model accepted another " << name << " after posting";
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find("half-lives"), std::string::npos) << e.what();
    }
    EXPECT_EQ(engine.model(), Model{}) << name;
  }
}

TEST(EngineModel, SetModelWithSameHalfLivesAfterPostingChangesTheScore) {
  Engine engine;
  engine.post(complaint("2024-01-10", "a"));
  const double before = engine.score("a", *Date::parse("2024-01-10")).score;
  Model m;
  m.weights.fill(0);
  m.weights[static_cast<std::size_t>(Factor::dissatisfaction)] = 1;
  ASSERT_NO_THROW(engine.set_model(m));
  EXPECT_EQ(engine.model(), m);
  const Score after = engine.score("a", *Date::parse("2024-01-10"));
  EXPECT_GT(after.score, before);
  EXPECT_DOUBLE_EQ(after.score, 100 * after.sub[static_cast<std::size_t>(Factor::dissatisfaction)]);
}

TEST(EngineModel, SetModelWithOtherHalfLivesBeforePostingIsUsed) {
  Model m;
  m.dissatisfaction_half_life_days = 30;
  Engine slow, fast;
  ASSERT_NO_THROW(fast.set_model(m));
  for (Engine* e : {&slow, &fast}) e->post(complaint("2024-01-10", "a"));
  const Date later = *Date::parse("2024-04-10");
  EXPECT_LT(fast.score("a", later).features[static_cast<std::size_t>(Feature::complaint_severity)],
            slow.score("a", later).features[static_cast<std::size_t>(Feature::complaint_severity)]);
}
