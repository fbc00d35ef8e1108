#include "tokens/remi_vocabulary.hpp"

#include <algorithm>
#include <stdexcept>

namespace spe::tokens {
namespace {

std::vector<int> paper_tempo_bins() {
  // The 54 bins of linspace(32, 224, 65) that occur in Pop1K7 (11 bins never occur there).
  static const std::vector<int> absent = {152, 164, 173, 179, 185, 191, 197, 203, 209, 212, 218};
  std::vector<int> bins;
  for (int bpm = 32; bpm <= 224; bpm += 3)
    if (std::find(absent.begin(), absent.end(), bpm) == absent.end()) bins.push_back(bpm);
  return bins;
}

}  // namespace

const std::array<std::string, 11>& remi_chord_qualities() {
  static const std::array<std::string, 11> q = {"+", "/o7", "7", "M", "M7", "m", "m7", "o", "o7", "sus2", "sus4"};
  return q;
}

const std::array<std::string, 12>& remi_root_names() {
  static const std::array<std::string, 12> r = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  return r;
}

RemiVocabulary::RemiVocabulary(RemiVocabKind kind) : kind_(kind) {
  const bool paper = kind == RemiVocabKind::Paper;
  if (paper) {
    tempo_bins_ = paper_tempo_bins();
    for (int v = 40; v <= 86; v += 2) velocity_bins_.push_back(v);
    min_pitch_ = 22, max_pitch_ = 107, velocity_floor_ = 40;
  } else {
    for (int bpm = 32; bpm <= 224; bpm += 3) tempo_bins_.push_back(bpm);
    for (int v = 2; v <= 126; v += 2) velocity_bins_.push_back(v);
    min_pitch_ = 21, max_pitch_ = 108, velocity_floor_ = 0;
  }

  // Names with their meaning, in natural order; the paper vocabulary is then sorted by name.
  std::vector<std::pair<std::string, RemiTokenInfo>> tokens;
  tokens.push_back({"Bar_None", {RemiKind::Bar, 0, -1}});
  for (int p = 0; p < kPositionsPerBar; ++p) tokens.push_back({"Beat_" + std::to_string(p), {RemiKind::Beat, p, -1}});
  for (int root = 0; root < 12; ++root)
    for (int q = 0; q < 11; ++q)
      tokens.push_back({"Chord_" + remi_root_names()[root] + "_" + remi_chord_qualities()[q], {RemiKind::Chord, root, q}});
  tokens.push_back({"Chord_N_N", {RemiKind::Chord, -1, -1}});
  for (int bpm : tempo_bins_) tokens.push_back({"Tempo_" + std::to_string(bpm), {RemiKind::Tempo, bpm, -1}});
  for (int p = min_pitch_; p <= max_pitch_; ++p) tokens.push_back({"Note_Pitch_" + std::to_string(p), {RemiKind::Pitch, p, -1}});
  for (int v : velocity_bins_) tokens.push_back({"Note_Velocity_" + std::to_string(v), {RemiKind::Velocity, v, -1}});
  for (int d = 0; d <= kMaxDuration; d += kTicksPerPosition)
    tokens.push_back({"Note_Duration_" + std::to_string(d), {RemiKind::Duration, d, -1}});
  tokens.push_back({"EOS_None", {RemiKind::Eos, 0, -1}});
  // Byte-wise string order = Python's sorted() on these ASCII names ('#' < '_' puts A# before A).
  if (paper) std::sort(tokens.begin(), tokens.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  tokens.push_back({"PAD_None", {RemiKind::Pad, 0, -1}});

  std::vector<std::string> names;
  for (const auto& [name, meaning] : tokens) {
    names.push_back(name);
    info_.push_back(meaning);
  }
  vocab_ = Vocabulary(std::move(names));

  tempo_.assign(tempo_bins_.size(), -1);
  velocity_.assign(velocity_bins_.size(), -1);
  pitch_.assign(static_cast<std::size_t>(max_pitch_ - min_pitch_ + 1), -1);
  duration_.assign(kMaxDuration / kTicksPerPosition + 1, -1);
  for (std::size_t i = 0; i < info_.size(); ++i) {
    const auto id = static_cast<TokenId>(i);
    const auto& t = info_[i];
    switch (t.kind) {
      case RemiKind::Bar: bar_ = id; break;
      case RemiKind::Eos: eos_ = id; break;
      case RemiKind::Pad: pad_ = id; break;
      case RemiKind::Beat: beat_[static_cast<std::size_t>(t.value)] = id; break;
      case RemiKind::Chord:
        if (t.value < 0) chord_none_ = id;
        else chord_[static_cast<std::size_t>(t.value * 11 + t.quality)] = id;
        break;
      case RemiKind::Tempo:
        tempo_[static_cast<std::size_t>(std::find(tempo_bins_.begin(), tempo_bins_.end(), t.value) - tempo_bins_.begin())] = id;
        break;
      case RemiKind::Velocity:
        velocity_[static_cast<std::size_t>(std::find(velocity_bins_.begin(), velocity_bins_.end(), t.value) - velocity_bins_.begin())] = id;
        break;
      case RemiKind::Pitch: pitch_[static_cast<std::size_t>(t.value - min_pitch_)] = id; break;
      case RemiKind::Duration: duration_[static_cast<std::size_t>(t.value / kTicksPerPosition)] = id; break;
    }
  }
}

const RemiVocabulary& remi_layout(RemiVocabKind kind) {
  static const RemiVocabulary paper(RemiVocabKind::Paper);
  static const RemiVocabulary full(RemiVocabKind::Full);
  return kind == RemiVocabKind::Paper ? paper : full;
}

TokenId RemiVocabulary::chord(int root, int quality) const {
  if (root < 0) return chord_none_;
  if (root > 11 || quality < 0 || quality > 10) throw std::out_of_range("REMI chord out of range");
  return chord_[static_cast<std::size_t>(root * 11 + quality)];
}

TokenId RemiVocabulary::tempo(int bpm) const {
  auto it = std::find(tempo_bins_.begin(), tempo_bins_.end(), bpm);
  if (it == tempo_bins_.end()) throw std::out_of_range("tempo " + std::to_string(bpm) + " is not a REMI tempo bin");
  return tempo_[static_cast<std::size_t>(it - tempo_bins_.begin())];
}

TokenId RemiVocabulary::velocity(int v) const {
  auto it = std::find(velocity_bins_.begin(), velocity_bins_.end(), v);
  if (it == velocity_bins_.end()) throw std::out_of_range("velocity " + std::to_string(v) + " is not a REMI velocity bin");
  return velocity_[static_cast<std::size_t>(it - velocity_bins_.begin())];
}

TokenId RemiVocabulary::duration(int ticks) const {
  if (ticks < 0 || ticks > kMaxDuration || ticks % kTicksPerPosition != 0)
    throw std::out_of_range("duration " + std::to_string(ticks) + " is not a REMI duration bin");
  return duration_[static_cast<std::size_t>(ticks / kTicksPerPosition)];
}

}  // namespace spe::tokens
