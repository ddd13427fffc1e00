// Umbrella header: everything of the C++ API of clientrisk.
// Include the one-concept headers instead when compile time matters.
#pragma once

#include "clientrisk/backtest.hpp"
#include "clientrisk/calibrate.hpp"
#include "clientrisk/date.hpp"
#include "clientrisk/engine.hpp"
#include "clientrisk/error.hpp"
#include "clientrisk/event.hpp"
#include "clientrisk/factors.hpp"
#include "clientrisk/features.hpp"
#include "clientrisk/ledger.hpp"
#include "clientrisk/metrics.hpp"
#include "clientrisk/model.hpp"
#include "clientrisk/money.hpp"
#include "clientrisk/score.hpp"
#include "clientrisk/shared_engine.hpp"
#include "clientrisk/version.hpp"
