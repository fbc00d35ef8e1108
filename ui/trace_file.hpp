#pragma once
// A take's TokenTrace as JSON, kept beside its MIDI in the autosaved session, so a restored take still
// shows its attention and entropy curves. Validated on reading: every per-token array has one entry per
// token and the scores one per generated token; anything else is refused with a one-line reason.

#include <QByteArray>
#include <QString>
#include <memory>

#include "generation_engine.hpp"

namespace spe::ui {

QByteArray trace_to_json(const TokenTrace& trace);
std::shared_ptr<const TokenTrace> trace_from_json(const QByteArray& json, QString* error);

}  // namespace spe::ui
