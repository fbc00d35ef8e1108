#include "tokens/chord_source.hpp"

#include <stdexcept>

#include "music/chords.hpp"
#include "music/tempo_map.hpp"

namespace spe::tokens {

ChordSource parse_chord_source(const std::string& name) {
  if (name == "auto") return ChordSource::Auto;
  if (name == "markers") return ChordSource::Markers;
  if (name == "pop909") return ChordSource::Pop909;
  if (name == "recognise" || name == "recognize") return ChordSource::Recognise;
  if (name == "none") return ChordSource::None;
  throw std::invalid_argument("unknown chord source '" + name + "' (auto, markers, pop909, recognise or none)");
}

std::string prepare_chords(music::Score& score, const std::filesystem::path& midi_path, ChordSource source) {
  const auto pop909 = midi_path.parent_path() / "chord_midi.txt";
  switch (source) {
    case ChordSource::Markers:
      return "markers";
    case ChordSource::None:
      score.chords.clear();
      return "none";
    case ChordSource::Recognise:
      score.chords = music::recognise_chords(score);
      return "recogniser";
    case ChordSource::Pop909:
      if (!std::filesystem::exists(pop909))
        throw std::runtime_error(pop909.string() + ": no POP909 chord file beside " + midi_path.filename().string());
      score.chords = music::read_pop909_chords(pop909, music::TempoMap(score));
      return "POP909 chord_midi.txt";
    case ChordSource::Auto:
      if (!score.chords.empty()) return "markers";
      if (std::filesystem::exists(pop909)) {
        score.chords = music::read_pop909_chords(pop909, music::TempoMap(score));
        return "POP909 chord_midi.txt";
      }
      score.chords = music::recognise_chords(score);
      return "recogniser";
  }
  return "none";
}

}  // namespace spe::tokens
