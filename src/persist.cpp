// Model files: Boost.Serialization archives inside a verified envelope, saved atomically.
#include "clientrisk/persist.hpp"

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/archive/xml_iarchive.hpp>
#include <boost/archive/xml_oarchive.hpp>

#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "archive.hpp"
#include "envelope.hpp"
#include "read_file.hpp"

namespace clientrisk {
inline namespace v1 {

std::string_view to_string(FileProblem p) {
  switch (p) {
    case FileProblem::not_clientrisk: return "not_clientrisk";
    case FileProblem::newer_format: return "newer_format";
    case FileProblem::wrong_kind: return "wrong_kind";
    case FileProblem::truncated: return "truncated";
    case FileProblem::trailing_bytes: return "trailing_bytes";
    case FileProblem::checksum_mismatch: return "checksum_mismatch";
    case FileProblem::corrupt_payload: return "corrupt_payload";
    case FileProblem::invalid_model: return "invalid_model";
  }
  return "unknown";
}

std::string_view to_string(SaveStep s) {
  switch (s) {
    case SaveStep::open: return "open";
    case SaveStep::write: return "write";
    case SaveStep::fsync: return "fsync";
    case SaveStep::rename: return "rename";
    case SaveStep::fsync_dir: return "fsync_dir";
  }
  return "unknown";
}

std::string model_file_bytes(const Model& m, ArchiveFormat format) {
  validate(m);
  std::ostringstream out;
  {
    Model copy = m;
    if (format == ArchiveFormat::xml) {
      boost::archive::xml_oarchive ar(out);
      ar << boost::serialization::make_nvp("model", copy);
    } else {
      boost::archive::binary_oarchive ar(out);
      ar << copy;
    }
  }
  std::string payload = out.str();
  return detail::envelope_line(PayloadKind::model, format, payload) + payload;
}

namespace {

// Why the elements of an XML text do not nest, or nullopt when they do. Boost 1.74's xml_iarchive
// compares an end tag with the name it expects past the end of the shorter (a heap over-read that
// fuzzing found on a truncated file), so the tags are checked before it reads them.
std::optional<std::string> unnested_xml(std::string_view x) {
  std::vector<std::string_view> open;
  std::size_t i = x.find('<');
  while (i != std::string_view::npos) {
    if (x.substr(i, 4) == "<!--") {
      const std::size_t e = x.find("-->", i + 4);
      if (e == std::string_view::npos) return "a comment is not closed";
      i = x.find('<', e + 3);
      continue;
    }
    const bool declaration = x.substr(i, 2) == "<?" || x.substr(i, 2) == "<!";
    const bool end = x.substr(i, 2) == "</";
    std::size_t k = i + (end ? 2 : 1), b = k;
    while (k < x.size() && x[k] != '>' && x[k] != '/' && x[k] != ' ' && x[k] != '\t' && x[k] != '\n' && x[k] != '\r') ++k;
    const std::string_view tag = x.substr(b, k - b);
    if (tag.size() > detail::kMaxXmlTag) return "a tag name longer than " + std::to_string(detail::kMaxXmlTag) + " bytes";
    for (char quote = 0; k < x.size() && (quote || x[k] != '>'); ++k)
      if (quote ? x[k] == quote : (x[k] == '"' || x[k] == '\''))
        quote = quote ? 0 : x[k];
    if (k >= x.size()) return "the text ends inside a tag";
    if (!declaration) {
      if (tag.empty()) return "a tag without a name";
      if (end) {
        if (open.empty() || open.back() != tag) return "</" + std::string(tag) + "> closes no open element of that name";
        open.pop_back();
      } else if (x[k - 1] != '/') {
        open.push_back(tag);
      }
    }
    i = x.find('<', k + 1);
  }
  if (!open.empty()) return "the text ends before </" + std::string(open.back()) + ">";
  return std::nullopt;
}

// The value of attribute name="..." in the start tag tag, or nullopt.
std::optional<std::string_view> xml_attribute(std::string_view tag, std::string_view name) {
  for (std::size_t at = tag.find(name); at != std::string_view::npos; at = tag.find(name, at + 1)) {
    if (at == 0 || (tag[at - 1] != ' ' && tag[at - 1] != '\t' && tag[at - 1] != '\n' && tag[at - 1] != '\r')) continue;
    std::size_t k = at + name.size();
    if (tag.substr(k, 2) != "=\"") continue;
    const std::size_t end = tag.find('"', k + 2);
    if (end == std::string_view::npos) return std::nullopt;
    return tag.substr(k + 2, end - k - 2);
  }
  return std::nullopt;
}

// Where the archive's content starts in an XML payload (past <boost_serialization ...>) when its
// header is one this Boost writes, so that the archive can be read without its header: Boost
// 1.74's xml_iarchive reads the closing tag in its destructor otherwise, allocating where a
// failure ends the process. nullopt for another archive version, which Boost then reads itself.
std::optional<std::size_t> xml_content_start(std::string_view x) {
  std::size_t i = 0;
  for (;;) {  // the prolog: declarations, comments and white space
    i = x.find_first_not_of(" \t\r\n", i);
    if (i == std::string_view::npos) throw std::runtime_error("no <boost_serialization> element");
    if (x.substr(i, 4) == "<!--") {
      i = x.find("-->", i + 4);
      if (i == std::string_view::npos) throw std::runtime_error("a comment is not closed");
      i += 3;
    } else if (x.substr(i, 2) == "<?" || x.substr(i, 2) == "<!") {
      i = x.find('>', i);
      if (i == std::string_view::npos) throw std::runtime_error("the text ends inside a declaration");
      ++i;
    } else {
      break;
    }
  }
  constexpr std::string_view root = "<boost_serialization";
  if (x.substr(i, root.size()) != root || x.size() == i + root.size() ||
      std::string_view(" \t\r\n").find(x[i + root.size()]) == std::string_view::npos)
    throw std::runtime_error("the first element is not <boost_serialization>");
  const std::size_t close = x.find('>', i);  // unnested_xml() has checked that the tag ends
  const std::string_view tag = x.substr(i, close - i);
  if (xml_attribute(tag, "signature") != std::optional<std::string_view>("serialization::archive"))
    throw std::runtime_error("the archive's signature is not serialization::archive");
  const auto version = xml_attribute(tag, "version");
  const boost::serialization::library_version_type ours = boost::archive::BOOST_ARCHIVE_VERSION();
  if (!version || *version != std::to_string(std::uint_least16_t{ours})) return std::nullopt;
  return close + 1;
}

}  // namespace

Model model_from_file_bytes(std::string_view bytes, std::string_view name) {
  const detail::OpenedFile file = detail::open_envelope(bytes, name, PayloadKind::model);
  auto unreadable = [&](const std::string& why) {
    return FileFormatError(FileProblem::corrupt_payload, std::string(name) + ": the model archive cannot be read: " + why);
  };
  if (file.format == ArchiveFormat::binary && !detail::binary_archive_signature_ok(file.payload))
    throw unreadable("it does not start with a Boost binary archive's signature");
  if (file.format == ArchiveFormat::xml)
    if (auto why = unnested_xml(file.payload)) throw unreadable(*why);
  Model m;
  try {
    std::string_view rest;
    if (file.format == ArchiveFormat::xml) {
      // Read without the header when it is this Boost's (see xml_content_start()); then the
      // archive's destructor reads nothing. Otherwise the destructor reads the closing tag, and
      // throws from the destructor (which ends the process) when the text ends before one:
      // either way what follows the model is checked while the archive lives.
      const std::optional<std::size_t> content = xml_content_start(file.payload);
      const std::string_view body = file.payload.substr(content.value_or(0));
      std::istringstream in{std::string(body)};
      // A std::bad_alloc while the stream parses a number sets badbit; with badbit in the mask it
      // propagates instead of reading as a bad file. Only without the header, which the
      // constructor would parse: the archive's destructor syncs the stream, which throws once it
      // is bad, so the mask is cleared before the archive is destroyed.
      if (content) in.exceptions(std::ios::badbit);
      boost::archive::xml_iarchive ar(in, content ? boost::archive::no_header : 0);
      struct ClearMask {
        std::istream& s;
        ~ClearMask() { s.exceptions(std::ios::goodbit); }
      } clear_mask{in};
      ar >> boost::serialization::make_nvp(detail::XmlTag("model").c_str(), m);
      const std::streamoff at = in.tellg();
      if (at < 0) throw std::runtime_error("the text ends without the archive's closing tag");
      rest = body.substr(static_cast<std::size_t>(at));
      const std::size_t b = rest.find_first_not_of(" \t\r\n");
      rest = b == std::string_view::npos ? std::string_view() : rest.substr(b);
      if (!rest.starts_with("</boost_serialization>"))
        throw std::runtime_error("the text after the model is not the archive's closing tag");
      rest.remove_prefix(std::string_view("</boost_serialization>").size());
      if (rest.find_first_not_of(" \t\r\n") == std::string_view::npos) rest = {};
    } else {
      std::istringstream in{std::string(file.payload)};
      boost::archive::binary_iarchive ar(in);
      ar >> m;
      rest = file.payload.substr(static_cast<std::size_t>(in.tellg()));
    }
    if (!rest.empty()) throw std::runtime_error(std::to_string(rest.size()) + " bytes after the end of the archive");
  } catch (const std::bad_alloc&) {
    throw;  // out of memory is not a bad file
  } catch (const std::exception& e) {
    throw unreadable(e.what());
  }
  if (auto why = model_problem(m))
    throw FileFormatError(FileProblem::invalid_model, std::string(name) + ": invalid model: " + *why);
  return m;
}

void save_model(const Model& m, const std::string& path, ArchiveFormat format) {
  detail::write_atomically(path, {model_file_bytes(m, format)});
}

Model load_model(const std::string& path) { return model_from_file_bytes(detail::read_whole_file(path, "a model file"), path); }

}  // namespace v1
}  // namespace clientrisk
