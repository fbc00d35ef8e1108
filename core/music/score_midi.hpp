#pragma once
// Score <-> Standard MIDI File.

#include <filesystem>

#include "midi/smf.hpp"
#include "music/score.hpp"

namespace spe::music {

struct ReadOptions {
  bool apply_sustain = false;  // extend note ends to the release of the sustain pedal (CC64)
};

Score score_from_midi(const midi::File& file, const ReadOptions& options = {});
midi::File score_to_midi(const Score& score);

// read_score throws midi::MidiError whose message names the file; write_score is atomic.
Score read_score(const std::filesystem::path& path, const ReadOptions& options = {});
void write_score(const Score& score, const std::filesystem::path& path);

}  // namespace spe::music
