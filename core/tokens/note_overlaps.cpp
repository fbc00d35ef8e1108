#include "tokens/note_overlaps.hpp"

#include <algorithm>
#include <tuple>

namespace spe::tokens {

void remove_same_pitch_overlaps(std::vector<music::Note>& notes, Report& rep) {
  std::sort(notes.begin(), notes.end(), [](const music::Note& a, const music::Note& b) {
    // per pitch by onset; the longest (then loudest) first at one onset, so it is the one kept
    return std::tie(a.pitch, a.start, b.end, b.velocity) < std::tie(b.pitch, b.start, a.end, a.velocity);
  });
  std::vector<music::Note> kept;
  kept.reserve(notes.size());
  for (const auto& n : notes) {
    if (!kept.empty() && kept.back().pitch == n.pitch) {
      auto& prev = kept.back();
      if (prev.start == n.start) {
        rep.count("notes dropped: same pitch at the same onset in one part (longest kept)");
        continue;
      }
      if (prev.end > n.start) {
        prev.end = n.start;
        rep.count("notes shortened: overlapped by a later note of the same pitch");
      }
    }
    kept.push_back(n);
  }
  std::sort(kept.begin(), kept.end(), [](const music::Note& a, const music::Note& b) {
    return std::tie(a.start, a.pitch, a.end, a.velocity) < std::tie(b.start, b.pitch, b.end, b.velocity);
  });
  notes = std::move(kept);
}

}  // namespace spe::tokens
