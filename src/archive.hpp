// How the model goes into a Boost.Serialization archive: model files and snapshots share it.
// Internal to the compiled library.
#pragma once

#include <boost/archive/archive_exception.hpp>
#include <boost/serialization/nvp.hpp>
#include <boost/serialization/version.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "clientrisk/model.hpp"

namespace clientrisk {
inline namespace v1 {
namespace detail {

// The name of an XML element, in a buffer longer than any name model_from_file_bytes lets through.
// Boost 1.74's xml_iarchive compares an end tag with the name it expects over the end tag's length,
// past the end of a shorter name (a heap over-read that fuzzing found): the loader refuses names
// longer than kMaxXmlTag, and every name Boost compares lives in one of these buffers.
inline constexpr std::size_t kMaxXmlTag = 64;
struct XmlTag {
  explicit XmlTag(std::string_view name) { name.copy(text, kMaxXmlTag); }
  const char* c_str() const { return text; }
  char text[kMaxXmlTag + 1] = {};
};

// Boost reads a class version newer than the build's without a word (its check is compiled
// out): every load checks its own, before it reads a field.
inline void check_class_version(unsigned int version, unsigned int current, const char* name) {
  if (version > current)
    throw boost::archive::archive_exception(boost::archive::archive_exception::unsupported_class_version,
                                            (std::string("of ") + name + " is " + std::to_string(version) +
                                             ", newer than this build's " + std::to_string(current) +
                                             "; upgrade clientrisk")
                                                .c_str());
}

}  // namespace detail
}  // namespace v1
}  // namespace clientrisk

BOOST_CLASS_VERSION(clientrisk::Model, 3)

namespace boost::serialization {

// Every weight and parameter by name, in the order of the model's tables. Version 2 adds the
// calibration fields, version 3 the scorecard's and the actions policy; an older file leaves the
// newer at their defaults.
template <class Archive>
void serialize(Archive& ar, clientrisk::Model& m, const unsigned int version) {
  clientrisk::detail::check_class_version(version, boost::serialization::version<clientrisk::Model>::value, "the model");
  for (std::size_t i = 0; i < clientrisk::factor_names.size(); ++i) {
    const clientrisk::detail::XmlTag tag("weight_" + std::string(clientrisk::factor_names[i]));
    ar& make_nvp(tag.c_str(), m.weights[i]);
  }
  for (const clientrisk::ModelParameter& p : clientrisk::model_parameters) {
    const clientrisk::detail::XmlTag tag(p.name);
    ar& make_nvp(tag.c_str(), m.*p.field);
  }
  const std::size_t fields = version >= 3 ? clientrisk::calibration_parameters.size() : version == 2 ? 2 : 0;
  for (std::size_t i = 0; i < fields; ++i) {
    const clientrisk::detail::XmlTag tag(clientrisk::calibration_parameters[i].name);
    ar& make_nvp(tag.c_str(), m.*clientrisk::calibration_parameters[i].field);
  }
  if (version >= 3)
    for (const clientrisk::ModelParameter& p : clientrisk::policy_parameters) {
      const clientrisk::detail::XmlTag tag(p.name);
      ar& make_nvp(tag.c_str(), m.*p.field);
    }
}

}  // namespace boost::serialization

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
