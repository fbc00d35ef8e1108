#pragma once
// Internal: FluidSynth logs to stderr by default. Once installed, errors are kept (per thread) so that
// playback can turn them into one-line messages; warnings and info are dropped.

#include <string>

namespace spe::playback::detail {

void install_fluid_log();                 // idempotent, thread-safe
void clear_fluid_error();                 // forget this thread's last error
std::string last_fluid_error();           // this thread's last FluidSynth error ("" if none)

}  // namespace spe::playback::detail
