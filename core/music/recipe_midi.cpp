#include "music/recipe_midi.hpp"

#include "midi/smf.hpp"
#include "music/score_midi.hpp"

namespace spe::music {

void write_score_with_recipe(const Score& score, const std::string& recipe_json, const std::filesystem::path& path) {
  midi::File file = score_to_midi(score);
  if (!recipe_json.empty()) {
    const std::string text = kRecipeTextPrefix + recipe_json;
    midi::Event ev;
    ev.tick = 0;
    ev.kind = midi::EventKind::Meta;
    ev.status = 0xFF;
    ev.meta_type = midi::meta::kText;
    ev.payload.assign(text.begin(), text.end());
    auto& events = file.tracks.at(0).events;
    events.insert(events.begin(), std::move(ev));
  }
  midi::write_file(file, path);  // atomic; errors name the file
}

std::string read_recipe_text(const std::filesystem::path& path) {
  const midi::File file = midi::read_file(path);
  const std::string prefix = kRecipeTextPrefix;
  for (const auto& track : file.tracks)
    for (const auto& ev : track.events) {
      if (ev.kind != midi::EventKind::Meta || ev.meta_type != midi::meta::kText) continue;
      const std::string text(ev.payload.begin(), ev.payload.end());
      if (text.rfind(prefix, 0) == 0) return text.substr(prefix.size());
    }
  return {};
}

}  // namespace spe::music
