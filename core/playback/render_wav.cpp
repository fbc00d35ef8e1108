#include "playback/render_wav.hpp"

#include <fluidsynth.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "playback/fluid_log.hpp"
#include "playback/fluidsynth_output.hpp"
#include "playback/schedule.hpp"
#include "playback/soundfont.hpp"

namespace spe::playback {
namespace {

namespace fs = std::filesystem;

constexpr int kBlock = 64;  // FluidSynth's internal block (FLUID_BUFSIZE); also audio.period-size here

struct Fluid {
  fluid_settings_t* settings = nullptr;
  fluid_synth_t* synth = nullptr;
  fluid_file_renderer_t* renderer = nullptr;
  // Closing the renderer finishes the WAV header; it must go before the synth.
  void close_renderer() {
    if (renderer) delete_fluid_file_renderer(renderer);
    renderer = nullptr;
  }
  ~Fluid() {
    close_renderer();
    if (synth) delete_fluid_synth(synth);
    if (settings) delete_fluid_settings(settings);
  }
};

struct TempFile {
  fs::path path;
  bool keep = false;
  ~TempFile() {
    if (!keep) {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
  }
};

[[noreturn]] void fail(const fs::path& out, const std::string& why) {
  throw std::runtime_error("cannot render " + out.string() + ": " + why);
}

}  // namespace

void render_wav(const music::Score& score, const fs::path& out, const RenderOptions& options,
                const std::function<bool(double)>& progress) {
  if (options.sample_rate < 8000 || options.sample_rate > 192000)
    fail(out, "sample rate " + std::to_string(options.sample_rate) + " outside 8000..192000");
  std::string soundfont = options.soundfont;
  if (soundfont.empty()) {
    soundfont = find_soundfont("");
    if (soundfont.empty()) throw std::runtime_error(missing_soundfont_message());
  }
  detail::install_fluid_log();
  detail::clear_fluid_error();

  const fs::path folder = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::string temp_name = ".";  // appended, not `"." + …`: GCC 12 warns falsely (-Wrestrict)
  temp_name.append(out.filename().string()).append(".tmp-").append(std::to_string(::getpid()));
  TempFile temp{folder / temp_name};

  Fluid fluid;
  fluid.settings = new_fluid_settings();
  if (!fluid.settings) fail(out, "FluidSynth cannot create settings");
  fluid_settings_setnum(fluid.settings, "synth.sample-rate", options.sample_rate);
  fluid_settings_setnum(fluid.settings, "synth.gain", std::clamp(options.gain, 0.0, 10.0));
  fluid_settings_setstr(fluid.settings, "audio.file.name", temp.path.c_str());
  fluid_settings_setstr(fluid.settings, "audio.file.type", "wav");
  fluid_settings_setstr(fluid.settings, "audio.file.format", "s16");
  fluid_settings_setstr(fluid.settings, "player.timing-source", "sample");
  fluid_settings_setint(fluid.settings, "audio.period-size", kBlock);
  fluid_settings_setint(fluid.settings, "synth.lock-memory", 0);
  fluid.synth = new_fluid_synth(fluid.settings);
  if (!fluid.synth) fail(out, "FluidSynth cannot create a synthesizer: " + detail::last_fluid_error());
  if (fluid_synth_sfload(fluid.synth, soundfont.c_str(), 1) == FLUID_FAILED)
    fail(out, "FluidSynth cannot load soundfont " + soundfont);
  fluid.renderer = new_fluid_file_renderer(fluid.synth);
  if (!fluid.renderer) {
    const std::string why = detail::last_fluid_error();
    fail(out, "cannot write " + temp.path.string() + (why.empty() ? "" : ": " + why));
  }

  const std::vector<MidiEvent> events = schedule_events(score);
  const double sr = options.sample_rate;
  const double total_seconds = score_duration_seconds(score) + std::max(0.0, options.tail_seconds);
  const auto total_blocks = static_cast<std::int64_t>(std::ceil(total_seconds * sr / kBlock));
  std::size_t next = 0;
  const std::int64_t report_every = std::max<std::int64_t>(1, total_blocks / 200);
  if (progress && !progress(0.0)) return;
  for (std::int64_t b = 0; b < total_blocks; ++b) {
    // Events whose sample time is nearer to this block's start than to the next one's go in before it.
    const double start = static_cast<double>(b * kBlock);
    while (next < events.size() && events[next].seconds * sr < start + kBlock / 2.0)
      send_to_synth(fluid.synth, events[next++]);
    if (fluid_file_renderer_process_block(fluid.renderer) != FLUID_OK)
      fail(out, "FluidSynth failed writing " + temp.path.string() + ": " + detail::last_fluid_error());
    if (progress && (b + 1) % report_every == 0 && !progress(static_cast<double>(b + 1) / total_blocks)) return;
  }
  fluid.close_renderer();
  std::error_code ec;
  fs::rename(temp.path, out, ec);
  if (ec) fail(out, ec.message());
  temp.keep = true;
  if (progress) progress(1.0);
}

}  // namespace spe::playback
