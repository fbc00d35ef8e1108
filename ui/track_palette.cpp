#include "track_palette.hpp"

#include <algorithm>
#include <array>

namespace spe::ui {

const PianoRollColors& piano_roll_colors() {
  static const PianoRollColors colors;
  return colors;
}

QColor track_color(int index, bool is_drum) {
  if (is_drum) return piano_roll_colors().drums;
  // Hues chosen to stay apart from each other, from the neutral drums and from the amber training marker
  // and red playhead.
  static const std::array<QColor, 10> palette = {
      QColor(0x4f, 0xc3, 0xf7),  // sky blue
      QColor(0x81, 0xc7, 0x84),  // green
      QColor(0xba, 0x68, 0xc8),  // purple
      QColor(0xf0, 0x62, 0x92),  // pink
      QColor(0x4d, 0xb6, 0xac),  // teal
      QColor(0xd4, 0xe1, 0x57),  // lime
      QColor(0x79, 0x86, 0xcb),  // indigo
      QColor(0xff, 0x8a, 0x65),  // coral
      QColor(0x4d, 0xd0, 0xe1),  // cyan
      QColor(0xa1, 0x88, 0x7f),  // brown
  };
  const std::size_t n = palette.size();
  return palette[static_cast<std::size_t>(std::max(0, index)) % n];
}

namespace {
QColor mix(const QColor& a, const QColor& b, double t) {
  auto lerp = [t](int x, int y) { return static_cast<int>(x + (y - x) * t + 0.5); };
  return QColor(lerp(a.red(), b.red()), lerp(a.green(), b.green()), lerp(a.blue(), b.blue()));
}
}  // namespace

QColor note_fill_color(const QColor& track, int velocity, bool from_prompt) {
  // Soft notes keep 45 % of the brightness, fortissimo the full colour: loudness reads at a glance
  // without any note vanishing into the background.
  const double t = std::clamp(velocity, 1, 127) / 127.0;
  QColor shaded = mix(track.darker(220), track, 0.25 + 0.75 * t);
  if (from_prompt) shaded = mix(shaded, piano_roll_colors().white_key_row, 0.55);
  return shaded;
}

QColor note_outline_color(const QColor& track, bool from_prompt) {
  return from_prompt ? track : track.darker(250);
}

}  // namespace spe::ui
