#pragma once
// A token vocabulary: the bijection between token ids and their names ("Bar_None", "note_on(0,36)", ...).
// Checkpoints store it as JSON so a model always meets the exact vocabulary it was trained with.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace spe::tokens {

using TokenId = std::int32_t;

class Vocabulary {
 public:
  Vocabulary() = default;
  // Names in id order; throws std::invalid_argument on an empty or duplicate name.
  explicit Vocabulary(std::vector<std::string> names);

  std::size_t size() const { return names_.size(); }
  const std::string& name(TokenId id) const;  // throws std::out_of_range for an unknown id
  std::optional<TokenId> find(std::string_view name) const;
  TokenId id(std::string_view name) const;    // throws std::out_of_range naming the missing token
  bool contains(TokenId id) const { return id >= 0 && static_cast<std::size_t>(id) < names_.size(); }
  const std::vector<std::string>& names() const { return names_; }

  bool operator==(const Vocabulary& other) const { return names_ == other.names_; }

  // JSON form: {"size": N, "tokens": [name0, name1, ...]}.
  nlohmann::json to_json() const;
  static Vocabulary from_json(const nlohmann::json& j);  // throws std::invalid_argument on bad shape
  void save(const std::filesystem::path& path) const;    // atomic (temp file + rename)
  static Vocabulary load(const std::filesystem::path& path);  // errors name the file

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, TokenId> ids_;
};

// Writes `text` to `path` atomically (temp file in the same folder, then rename); throws on failure.
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace spe::tokens
