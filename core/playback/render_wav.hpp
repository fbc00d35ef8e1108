#pragma once
// Offline rendering of a Score to a WAV file through FluidSynth's file renderer (16-bit stereo PCM).
// Events come from schedule_events and are handed to the synth by sample count, at the boundary of
// FluidSynth's 64-sample processing block nearest to their time (≤ 0.73 ms at 44.1 kHz, no drift).

#include <filesystem>
#include <functional>
#include <string>

#include "music/score.hpp"

namespace spe::playback {

struct RenderOptions {
  std::string soundfont;      // "" = find_soundfont(""); a named file that does not load is an error
  int sample_rate = 44100;    // 8000..192000
  double gain = 0.8;          // synth.gain (FluidSynth's default 0.2 is ≈ −41 dBFS)
  double tail_seconds = 2.0;  // rendered after the score's end, for releases and reverb
};

// Writes `out` atomically (a temporary file in the same folder, renamed at the end). Throws
// std::runtime_error with a one-line message naming the file (or missing_soundfont_message()).
// `progress(fraction in [0, 1])` is called now and then; returning false cancels: the temporary file is
// removed, `out` is left as it was, and render_wav returns normally (false is the caller's own answer).
void render_wav(const music::Score& score, const std::filesystem::path& out, const RenderOptions& options,
                const std::function<bool(double fraction)>& progress = {});

}  // namespace spe::playback
