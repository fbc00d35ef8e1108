#include "music/score.hpp"

#include <algorithm>

namespace spe::music {

Tick Score::end_tick() const {
  Tick end = 0;
  for (const auto& track : tracks)
    for (const auto& note : track.notes) end = std::max(end, note.end);
  for (const auto& t : tempos) end = std::max(end, t.tick);
  for (const auto& t : time_signatures) end = std::max(end, t.tick);
  for (const auto& m : markers) end = std::max(end, m.tick);
  for (const auto& c : chords) end = std::max(end, c.tick);
  return end;
}

std::size_t Score::note_count() const {
  std::size_t n = 0;
  for (const auto& track : tracks) n += track.notes.size();
  return n;
}

}  // namespace spe::music
