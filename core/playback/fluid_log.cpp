#include "playback/fluid_log.hpp"

#include <fluidsynth.h>

#include <mutex>

namespace spe::playback::detail {
namespace {

thread_local std::string last_error;

void keep_error(int /*level*/, const char* message, void* /*data*/) {
  if (message) last_error = message;
}

void drop(int, const char*, void*) {}

}  // namespace

void install_fluid_log() {
  static std::once_flag once;
  std::call_once(once, [] {
    fluid_set_log_function(FLUID_PANIC, keep_error, nullptr);
    fluid_set_log_function(FLUID_ERR, keep_error, nullptr);
    fluid_set_log_function(FLUID_WARN, drop, nullptr);
    fluid_set_log_function(FLUID_INFO, drop, nullptr);
    fluid_set_log_function(FLUID_DBG, drop, nullptr);
  });
}

void clear_fluid_error() { last_error.clear(); }

std::string last_fluid_error() { return last_error; }

}  // namespace spe::playback::detail
