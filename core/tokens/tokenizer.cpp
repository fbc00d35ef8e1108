#include "tokens/tokenizer.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "tokens/event_tokenizer.hpp"
#include "tokens/remi_tokenizer.hpp"

namespace spe::tokens {

nlohmann::json Tokenizer::to_json() const {
  auto j = config();
  j["vocabulary"] = vocab().to_json();
  return j;
}

std::size_t Tokenizer::prefix_length_for_bars(std::span<const TokenId> tokens, int n_bars) const {
  const auto bars = bar_of_each_token(tokens);
  std::size_t n = 0;
  while (n < bars.size() && bars[n] < n_bars) ++n;
  return n;
}

std::vector<std::string> Tokenizer::names(std::span<const TokenId> tokens) const {
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (auto t : tokens) out.push_back(vocab().name(t));
  return out;
}

void reject_unknown_keys(const nlohmann::json& config, std::initializer_list<const char*> known, const std::string& what) {
  for (const auto& item : config.items()) {
    bool ok = false;
    for (const char* k : known) ok = ok || item.key() == k;
    if (!ok) throw std::invalid_argument(what + ": unknown option '" + item.key() + "'");
  }
}

std::unique_ptr<Tokenizer> make_tokenizer(const nlohmann::json& config) {
  if (!config.is_object() || !config.contains("scheme") || !config.at("scheme").is_string())
    throw std::invalid_argument("tokenizer config must be an object with a string 'scheme'");
  const auto scheme = config.at("scheme").get<std::string>();
  std::unique_ptr<Tokenizer> tokenizer;
  if (scheme == "remi")
    tokenizer = std::make_unique<RemiTokenizer>(RemiOptions::from_json(config));
  else if (scheme == "event")
    tokenizer = std::make_unique<EventTokenizer>(EventOptions::from_json(config));
  else
    throw std::invalid_argument("unknown tokenizer scheme '" + scheme + "' (expected remi or event)");

  if (config.contains("vocabulary")) {
    const auto stored = Vocabulary::from_json(config.at("vocabulary"));
    const auto& built = tokenizer->vocab();
    if (!(stored == built)) {
      const std::size_t n = std::min(stored.size(), built.size());
      std::size_t i = 0;
      while (i < n && stored.names()[i] == built.names()[i]) ++i;
      std::string where = i < n ? "token " + std::to_string(i) + " is '" + stored.names()[i] +
                                      "' in the stored vocabulary but '" + built.names()[i] + "' in " + scheme
                                : "the stored vocabulary has " + std::to_string(stored.size()) +
                                      " tokens but " + scheme + " has " + std::to_string(built.size());
      throw std::invalid_argument("tokenizer vocabulary mismatch: " + where);
    }
  }
  return tokenizer;
}

}  // namespace spe::tokens
