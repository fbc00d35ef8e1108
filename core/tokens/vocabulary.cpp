#include "tokens/vocabulary.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace spe::tokens {

Vocabulary::Vocabulary(std::vector<std::string> names) : names_(std::move(names)) {
  ids_.reserve(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i].empty()) throw std::invalid_argument("vocabulary: token " + std::to_string(i) + " has an empty name");
    if (!ids_.emplace(names_[i], static_cast<TokenId>(i)).second)
      throw std::invalid_argument("vocabulary: token name '" + names_[i] + "' appears twice");
  }
}

const std::string& Vocabulary::name(TokenId id) const {
  if (!contains(id))
    throw std::out_of_range("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(names_.size()) + " tokens");
  return names_[static_cast<std::size_t>(id)];
}

std::optional<TokenId> Vocabulary::find(std::string_view name) const {
  auto it = ids_.find(std::string(name));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

TokenId Vocabulary::id(std::string_view name) const {
  if (auto found = find(name)) return *found;
  throw std::out_of_range("token '" + std::string(name) + "' is not in the vocabulary");
}

nlohmann::json Vocabulary::to_json() const {
  return nlohmann::json{{"size", names_.size()}, {"tokens", names_}};
}

Vocabulary Vocabulary::from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("tokens") || !j.at("tokens").is_array())
    throw std::invalid_argument("vocabulary JSON must be an object with a 'tokens' array");
  std::vector<std::string> names;
  for (const auto& t : j.at("tokens")) {
    if (!t.is_string()) throw std::invalid_argument("vocabulary JSON: every token must be a string");
    names.push_back(t.get<std::string>());
  }
  if (j.contains("size") && (!j.at("size").is_number_unsigned() || j.at("size").get<std::size_t>() != names.size()))
    throw std::invalid_argument("vocabulary JSON: 'size' does not match the number of tokens (" +
                                std::to_string(names.size()) + ")");
  return Vocabulary(std::move(names));
}

void Vocabulary::save(const std::filesystem::path& path) const {
  write_text_atomically(path, to_json().dump(1) + "\n");
}

Vocabulary Vocabulary::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open vocabulary file");
  try {
    return from_json(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path.string() + ": cannot write (" + tmp.string() + ")");
    out << text;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw std::runtime_error(path.string() + ": write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(path.string() + ": cannot replace file: " + ec.message());
  }
}

}  // namespace spe::tokens
