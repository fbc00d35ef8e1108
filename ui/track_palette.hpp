#pragma once
// Colours of the piano roll: one distinct hue per track (drums always neutral), shaded by velocity, with
// prompt notes muted so a continuation stands out from what it continues. Dark theme.

#include <QColor>

namespace spe::ui {

struct PianoRollColors {
  QColor white_key_row{0x1f, 0x21, 0x28};
  QColor black_key_row{0x19, 0x1a, 0x20};
  QColor octave_line{0x30, 0x33, 0x3d};
  QColor beat_line{0x2b, 0x2e, 0x38};
  QColor subdivision_line{0x24, 0x26, 0x2e};
  QColor bar_line{0x45, 0x4a, 0x58};
  QColor prompt_tint{0x5c, 0x7c, 0xfa, 26};  // translucent wash over the prompt bars
  QColor training_marker{0xff, 0xc1, 0x07};
  QColor playhead{0xff, 0x52, 0x52};
  QColor ruler_background{0x26, 0x28, 0x31};
  QColor ruler_text{0xc8, 0xcc, 0xd6};
  QColor white_key{0xe6, 0xe8, 0xee};
  QColor black_key{0x2a, 0x2c, 0x34};
  QColor key_label{0x40, 0x44, 0x50};
  QColor drums{0xd7, 0xd9, 0xde};
};

const PianoRollColors& piano_roll_colors();

// The base colour of track `index` (cycles through a palette of distinct hues); drums are neutral.
QColor track_color(int index, bool is_drum);

// Fill of a note: the track colour darkened for soft notes; prompt notes are also blended toward the
// background so generated material reads as the foreground.
QColor note_fill_color(const QColor& track, int velocity, bool from_prompt);

// Outline of a note (separates adjacent notes of the same pitch).
QColor note_outline_color(const QColor& track, bool from_prompt);

}  // namespace spe::ui
