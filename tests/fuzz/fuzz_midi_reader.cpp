// libFuzzer entry point: any bytes must either parse or throw midi::MidiError — never crash, hang,
// leak or trip a sanitizer. What parses must also survive the Score conversion, the dumper, and a
// write → read round trip that reproduces the same events (checked: a mismatch aborts).
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <span>

#include "midi/dump.hpp"
#include "midi/smf.hpp"
#include "music/chords.hpp"
#include "music/quantize.hpp"
#include "music/score_midi.hpp"
#include "music/tempo_map.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace spe;
  midi::File file;
  try {
    file = midi::parse(std::span<const std::uint8_t>(data, size), "fuzz.mid");
  } catch (const midi::MidiError&) {
    return 0;
  }
  (void)midi::dump(file);
  for (const bool sustain : {false, true}) {
    music::ReadOptions options;
    options.apply_sustain = sustain;
    const music::Score score = music::score_from_midi(file, options);
    for (const auto& track : score.tracks)
      for (const auto& n : track.notes)
        if (n.end <= n.start || n.pitch < 0 || n.pitch > 127 || n.velocity < 1 || n.velocity > 127) std::abort();
    const music::TempoMap map(score);
    const music::Tick end = score.end_tick();
    (void)map.seconds_at(end);
    (void)map.bars_at(end);
    if (!sustain && end / score.ticks_per_beat < 2000) {  // keep each input fast
      (void)music::recognise_chords(score);
      (void)music::snap_to_grid(score, std::max(1, score.ticks_per_beat / 4));
    }
  }
  // Writing can refuse what cannot be written (e.g. delta times beyond 2^28 after conversions);
  // what it writes must read back as the same events.
  try {
    const auto bytes = midi::serialize(file);
    const midi::File again = midi::parse(bytes, "again.mid");
    midi::File expected = file;
    expected.smpte = false;
    if (expected.format == 0 && expected.tracks.size() != 1) expected.format = 1;
    if (again != expected) std::abort();
  } catch (const midi::MidiError&) {
  }
  return 0;
}
