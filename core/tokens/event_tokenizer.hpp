#pragma once
// Event tokens for groove trios (SPE.md §3.2): bass (track 0), drums (track 1), one harmonic
// instrument (track 2) on a 12-ticks-per-beat grid; 794 tokens:
//   0–383 note_on(t,p) = 128t+p · 384–767 note_off(t,p) · 768–778 time_shift(0,τ) τ=1…11 ·
//   779–790 time_shift(1,τ) τ=0…11 · 791 time_shift(2,0) · 792 eos · 793 bos.
// Conventions decided here:
// - Multi-track → trio: every pitched track with GM program 32–39 → bass, every drum track
//   (channel 10 / is_drum) → drums, the busiest other pitched track → harmonic; the rest is dropped
//   (counted). Same-pitch notes of one track never overlap in the trio (tokens/note_overlaps.hpp). Hence the
//   encoder never needs the FIFO duplicate policy, though the decoder implements it for any input.
// - Decoded notes get velocity `default_velocity` (64); programs: bass 33, drums channel 9,
//   harmonic `harmonic_program` (0). Tempo is not encoded: decoded scores have no tempo map (120 BPM).
// - `paper_time_shifts`: the paper's encoder puts a redundant time_shift(0,τ) before every off-beat
//   event, even one simultaneous with the previous event; by default we omit those (the paper's
//   generation constraints forbid them anyway), with the option on we emit them like the paper.
// - Every sequence starts with bos.

#include <memory>
#include <nlohmann/json_fwd.hpp>

#include "tokens/tokenizer.hpp"

namespace spe::tokens {

struct EventOptions {
  int harmonic_program = 0;
  int default_velocity = 64;
  bool paper_time_shifts = false;

  nlohmann::json to_json() const;
  static EventOptions from_json(const nlohmann::json& j);  // throws std::invalid_argument
};

namespace event_ids {
inline constexpr int kTracks = 3;
inline constexpr int kTicksPerBeat = 12;
inline constexpr int kBeatsPerBar = 4;
inline constexpr TokenId kNoteOn = 0, kNoteOff = 384, kShift0 = 768, kShift1 = 779, kShift2 = 791;
inline constexpr TokenId kEos = 792, kBos = 793, kSize = 794;
inline constexpr TokenId note_on(int track, int pitch) { return kNoteOn + 128 * track + pitch; }
inline constexpr TokenId note_off(int track, int pitch) { return kNoteOff + 128 * track + pitch; }
// time_shift(beats, tick): beats 0 → tick 1…11, beats 1 → tick 0…11, beats 2 → tick 0.
inline constexpr TokenId time_shift(int beats, int tick) {
  return beats == 0 ? kShift0 + tick - 1 : beats == 1 ? kShift1 + tick : kShift2;
}
}  // namespace event_ids

// The trio of `score` on the 12-ticks-per-beat grid, exactly what decode(encode(score)) returns.
music::Score quantize_for_events(const music::Score& score, const EventOptions& options = {},
                                 EncodeReport* report = nullptr);

// The paper's post-processing for a continuation: each decoded trio track takes the program (and drum
// flag) of the prompt's corresponding track under the trio mapping, and every note the mean velocity of
// that prompt track (rounded). Tracks the prompt lacks keep their defaults.
void apply_prompt_instruments(music::Score& decoded_trio, const music::Score& prompt);

class EventTokenizer final : public Tokenizer {
 public:
  explicit EventTokenizer(EventOptions options = {});

  std::string scheme() const override { return "event"; }
  const Vocabulary& vocab() const override;
  const EventOptions& options() const { return options_; }
  nlohmann::json config() const override;

  std::vector<TokenId> encode(const music::Score& score, EncodeReport* report = nullptr) const override;
  music::Score decode(std::span<const TokenId> tokens, DecodeReport* report = nullptr) const override;

  music::Score quantize(const music::Score& score, EncodeReport* report = nullptr) const override {
    return quantize_for_events(score, options_, report);
  }
  int ticks_per_beat() const override { return event_ids::kTicksPerBeat; }
  TokenId bos() const override { return event_ids::kBos; }
  TokenId eos() const override { return event_ids::kEos; }
  TokenId pad() const override { return event_ids::kEos; }  // the paper pads with eos
  std::vector<int> bar_of_each_token(std::span<const TokenId> tokens) const override;
  std::vector<music::Tick> tick_of_each_token(std::span<const TokenId> tokens) const override;
  std::optional<std::pair<int, int>> note_started_by(TokenId token) const override;
  std::unique_ptr<Grammar> grammar() const override;

 private:
  EventOptions options_;
};

}  // namespace spe::tokens
