// How the model goes into a Boost.Serialization archive: model files and snapshots share it.
// Internal to the compiled library.
#pragma once

#include <boost/serialization/nvp.hpp>
#include <boost/serialization/version.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "clientrisk/model.hpp"

namespace boost::serialization {

// Every weight and parameter by name, in the order of the model's tables. Version 1.
template <class Archive>
void serialize(Archive& ar, clientrisk::Model& m, const unsigned int /*version*/) {
  for (std::size_t i = 0; i < clientrisk::factor_names.size(); ++i) {
    const std::string tag = "weight_" + std::string(clientrisk::factor_names[i]);
    ar& make_nvp(tag.c_str(), m.weights[i]);
  }
  for (const clientrisk::ModelParameter& p : clientrisk::model_parameters) {
    const std::string tag(p.name);
    ar& make_nvp(tag.c_str(), m.*p.field);
  }
}

}  // namespace boost::serialization

BOOST_CLASS_VERSION(clientrisk::Model, 1)

namespace clientrisk {
inline namespace v1 {
namespace detail {

// Boost reads the signature that opens a binary archive into a string of the length the file
// states. The length and the signature are checked here first, so that no file can make it
// allocate: call this before a binary_iarchive reads a payload.
inline bool binary_archive_signature_ok(std::string_view payload) {
  constexpr std::string_view signature = "serialization::archive";
  std::uint64_t length = 0;
  if (payload.size() < sizeof length + signature.size()) return false;
  std::memcpy(&length, payload.data(), sizeof length);  // native order, as Boost reads it
  return length == signature.size() && payload.substr(sizeof length, signature.size()) == signature;
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk
