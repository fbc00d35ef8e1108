#pragma once
// Small helpers shared by the tokenizer tests.

#include <string>
#include <tuple>
#include <vector>

#include "music/score.hpp"
#include "tokens/tokenizer.hpp"

namespace spe::test {

inline music::Note note(music::Tick start, music::Tick end, int pitch, int velocity = 64) {
  music::Note n;
  n.start = start;
  n.end = end;
  n.pitch = pitch;
  n.velocity = velocity;
  return n;
}

inline music::Track track(std::string name, int program, std::vector<music::Note> notes, int channel = 0) {
  music::Track t;
  t.name = std::move(name);
  t.program = program;
  t.channel = channel;
  t.is_drum = channel == 9;
  t.notes = std::move(notes);
  return t;
}

inline std::vector<std::string> token_names(const tokens::Tokenizer& tok, const std::vector<tokens::TokenId>& ids) {
  return tok.names(ids);
}

inline std::vector<tokens::TokenId> token_ids(const tokens::Tokenizer& tok, const std::vector<std::string>& names) {
  std::vector<tokens::TokenId> ids;
  for (const auto& n : names) ids.push_back(tok.vocab().id(n));
  return ids;
}

using NoteKey = std::tuple<music::Tick, music::Tick, int, int>;  // start, end, pitch, velocity

inline std::vector<NoteKey> note_keys(const music::Track& t) {
  std::vector<NoteKey> keys;
  for (const auto& n : t.notes) keys.emplace_back(n.start, n.end, n.pitch, n.velocity);
  return keys;
}

// Feeds every token to a fresh grammar; returns "" when all are accepted, else the first refusal.
inline std::string grammar_refusal(const tokens::Tokenizer& tok, const std::vector<tokens::TokenId>& ids) {
  auto g = tok.grammar();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string why;
    if (!g->advance(ids[i], &why)) return "token " + std::to_string(i) + " (" + tok.vocab().name(ids[i]) + "): " + why;
  }
  return "";
}

}  // namespace spe::test
