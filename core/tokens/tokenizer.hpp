#pragma once
// The tokenizer interface shared by the REMI (pop piano) and event-token (groove trio) schemes, and the
// grammar that says which token may come next (used to mask logits during constrained sampling).
// Formats and rules: docs SPE.md §3.1 (REMI) and §3.2 (event tokens).

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "music/score.hpp"
#include "tokens/report.hpp"
#include "tokens/vocabulary.hpp"

namespace spe::tokens {

// Legal-next-token state machine. Every sequence built only from allowed tokens decodes without any
// repair (DecodeReport empty when it ends with EOS), and every encoder output is accepted.
class Grammar {
 public:
  virtual ~Grammar() = default;
  virtual void reset() = 0;
  // Consumes `token`. Returns false (state unchanged) when the token is not allowed here;
  // `why`, when given, then receives a one-line reason.
  virtual bool advance(TokenId token, std::string* why = nullptr) = 0;
  // mask[i] = 1 when token i may come next, else 0 (resized to the vocabulary size).
  virtual void allowed(std::vector<std::uint8_t>& mask) const = 0;
  virtual bool finished() const = 0;  // true after EOS: nothing may follow
  virtual std::unique_ptr<Grammar> clone() const = 0;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual std::string scheme() const = 0;  // "remi" | "event"
  virtual const Vocabulary& vocab() const = 0;
  // The configuration (without the vocabulary) that make_tokenizer needs to recreate this tokenizer.
  virtual nlohmann::json config() const = 0;
  // config() plus {"vocabulary": vocab().to_json()} — what a checkpoint stores.
  nlohmann::json to_json() const;

  virtual std::vector<TokenId> encode(const music::Score& score, EncodeReport* report = nullptr) const = 0;
  // Throws std::invalid_argument for ids outside the vocabulary; structural problems (tokens out of
  // place, notes left open) are skipped or closed and counted in the report.
  virtual music::Score decode(std::span<const TokenId> tokens, DecodeReport* report = nullptr) const = 0;

  // The score as the scheme sees it: exactly what decode(encode(score)) returns (notes, tempi, chords).
  virtual music::Score quantize(const music::Score& score, EncodeReport* report = nullptr) const = 0;

  virtual int ticks_per_beat() const = 0;  // of decoded scores
  virtual TokenId bos() const = 0;         // -1 when the scheme has none
  virtual TokenId eos() const = 0;
  virtual TokenId pad() const = 0;

  // Bar index (0-based) in which each token lies, for cutting a prompt at N bars and counting
  // generated bars. Bars are 4 beats long in both schemes.
  virtual std::vector<int> bar_of_each_token(std::span<const TokenId> tokens) const = 0;
  // Onset time (ticks of decode()'s scores) at which each token lies: the position of its bar / beat /
  // time shift. A note's onset token has the note's start tick.
  virtual std::vector<music::Tick> tick_of_each_token(std::span<const TokenId> tokens) const = 0;
  // The note a token starts, as {track of decode()'s score, pitch}; nullopt for every other token.
  // With tick_of_each_token this ties each decoded note to the token that started it.
  virtual std::optional<std::pair<int, int>> note_started_by(TokenId token) const = 0;
  // Number of leading tokens that lie in bars < n_bars (a prompt of n_bars bars).
  std::size_t prefix_length_for_bars(std::span<const TokenId> tokens, int n_bars) const;

  virtual std::unique_ptr<Grammar> grammar() const = 0;

  std::vector<std::string> names(std::span<const TokenId> tokens) const;
};

// Builds a tokenizer from {"scheme": "remi"|"event", ...options}. When the JSON also carries a
// "vocabulary" (as written by to_json), it must equal the rebuilt one token for token, otherwise
// std::invalid_argument says where they differ.
std::unique_ptr<Tokenizer> make_tokenizer(const nlohmann::json& config);

// Throws std::invalid_argument naming the first key of `config` that is not in `known` (a typo in a
// checkpoint's tokenizer config must not silently fall back to a default).
void reject_unknown_keys(const nlohmann::json& config, std::initializer_list<const char*> known, const std::string& what);

}  // namespace spe::tokens
