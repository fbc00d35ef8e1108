#pragma once
// One take as the GUI keeps it: the decoded score (prompt + continuation), the recipe that reproduces it,
// where the prompt and the model's training length end, and its place in the takes tree (re-rolls are
// children of the take they continue). Plain data: the takes panel, autosave and export share it.

#include <QString>
#include <memory>
#include <string>

#include "generation_engine.hpp"
#include "music/score.hpp"

namespace spe::ui {

struct Take {
  QString id;                      // unique in a session ("take-<n>"), stable across autosave / restore
  QString parent_id;               // the take a re-roll continues; empty for a take from the prompt
  QString name;                    // user-visible, renamable
  music::Score score;              // prompt notes flagged from_prompt
  std::string recipe;              // JSON text (generate::take_recipe + prompt path); "{}" when unknown
  music::Tick prompt_end = 0;      // where the continuation starts
  music::Tick training_end = -1;   // tick of the token at the model's training length; -1: not reached
  int reroll_bar = -1;             // re-roll: the bar (0-based) from which this take differs from its parent
  QString model_name;
  int candidate = 0;               // sibling index among the candidates of one run
  bool partial = false;            // stopped before its requested length
  std::string engine_session;      // key of the engine session that can rewind it; empty when none is alive
  std::shared_ptr<const TokenTrace> trace;  // tokens, entropy and log p; null for a take restored without one
};

}  // namespace spe::ui
