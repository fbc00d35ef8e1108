// `spe render IN.mid -o OUT.wav [--soundfont F] [--sample-rate R]`: renders a MIDI file to a 16-bit stereo
// WAV through FluidSynth (core/playback/render_wav.hpp), with a General MIDI soundfont (default: the first
// of /usr/share/sounds/sf2/default-GM.sf2, FluidR3_GM.sf2, TimGM6mb.sf2). Prints one line: the output, its
// length, notes, sample rate and soundfont. A bad input, soundfont or output prints `spe: <problem>` (naming
// the file) and exits 2. Built only with SPE_WITH_AUDIO (FluidSynth); without it there is no `render`.
#ifdef SPE_WITH_AUDIO

#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "command.hpp"
#include "music/score_midi.hpp"
#include "playback/render_wav.hpp"
#include "playback/schedule.hpp"
#include "playback/soundfont.hpp"

namespace spe::cli {

static RegisterCommand reg([](CLI::App& root) {
  auto* cmd = root.add_subcommand("render", "Render a MIDI file to WAV with FluidSynth and a General MIDI soundfont");
  struct Args {
    std::string input, output, soundfont;
    int sample_rate = 44100;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("input", args->input, "MIDI file")->required();
  cmd->add_option("-o,--output", args->output, "WAV file to write (replaced atomically)")->required();
  cmd->add_option("--soundfont", args->soundfont, "a .sf2 soundfont (default: the system's General MIDI one)");
  cmd->add_option("--sample-rate", args->sample_rate, "samples per second (default 44100)")
      ->check(CLI::Range(8000, 192000));
  cmd->callback([args] {
    const music::Score score = music::read_score(args->input);
    playback::RenderOptions options;
    options.sample_rate = args->sample_rate;
    if (!args->soundfont.empty()) {
      if (playback::find_soundfont(args->soundfont) != args->soundfont)
        throw UsageError("cannot read soundfont " + args->soundfont);
      options.soundfont = args->soundfont;
    } else {
      options.soundfont = playback::find_soundfont("");
      if (options.soundfont.empty()) throw std::runtime_error(playback::missing_soundfont_message());
    }
    playback::render_wav(score, args->output, options);
    const double music = playback::score_duration_seconds(score);
    std::ostringstream line;
    line << std::fixed << std::setprecision(1) << args->output << ": " << music + options.tail_seconds << " s ("
         << music << " s of music + " << options.tail_seconds << " s tail), " << score.note_count() << " notes, "
         << options.sample_rate << " Hz, soundfont " << options.soundfont;
    std::cout << line.str() << "\n";
  });
});

}  // namespace spe::cli

#endif  // SPE_WITH_AUDIO
