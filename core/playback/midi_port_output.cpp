#include "playback/midi_port_output.hpp"

#include <RtMidi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <utility>

namespace spe::playback {

// Errors RtMidi reports after construction land here (through its error callback) instead of being
// thrown or printed.
struct ErrorSink {
  std::mutex mutex;
  std::string message;  // first error since the last take()
  void put(const std::string& text) {
    std::lock_guard lock(mutex);
    if (message.empty()) message = text.empty() ? "unknown RtMidi error" : text;
  }
  std::string take() {
    std::lock_guard lock(mutex);
    return std::exchange(message, {});
  }
};

struct MidiPortOutput::State {
  std::unique_ptr<ErrorSink> sink = std::make_unique<ErrorSink>();
  std::unique_ptr<RtMidiOut> client;
  RtMidi::Api api = RtMidi::UNSPECIFIED;
  std::string port;
  bool is_virtual = false;
  // failed() state
  mutable std::string failure;
  mutable std::chrono::steady_clock::time_point next_check{};
};

namespace {

void on_rtmidi_error(RtMidiError::Type /*type*/, const std::string& text, void* data) {
  static_cast<ErrorSink*>(data)->put(text);
}

std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  return text;
}

std::string api_label(RtMidi::Api api) {
  switch (api) {
    case RtMidi::LINUX_ALSA: return "ALSA";
    case RtMidi::UNIX_JACK: return "JACK";
    default: return RtMidi::getApiDisplayName(api);
  }
}

bool compiled(RtMidi::Api api) {
  std::vector<RtMidi::Api> apis;
  RtMidi::getCompiledApi(apis);
  return std::find(apis.begin(), apis.end(), api) != apis.end();
}

// A client of `api` that answered a port query without error, or nullptr + `why`.
std::unique_ptr<MidiPortOutput::State> connect(RtMidi::Api api, std::string* why) {
  auto state = std::make_unique<MidiPortOutput::State>();
  state->api = api;
  if (!compiled(api)) {
    *why = api_label(api) + ": not compiled into RtMidi";
    return nullptr;
  }
  try {
    // The JACK backend reports a missing server as a warning here (printed, as the callback cannot be set
    // yet) and again, to the callback, on the port query below.
    state->client = std::make_unique<RtMidiOut>(api, "SPE Studio");
    state->client->setErrorCallback(on_rtmidi_error, state->sink.get());
    state->client->getPortCount();
  } catch (const RtMidiError& e) {
    *why = api_label(api) + ": " + one_line(e.getMessage());
    return nullptr;
  } catch (const std::exception& e) {
    *why = api_label(api) + ": " + one_line(e.what());
    return nullptr;
  }
  if (std::string error = state->sink->take(); !error.empty()) {
    *why = api_label(api) + ": " + one_line(error);
    return nullptr;
  }
  return state;
}

std::unique_ptr<MidiPortOutput::State> connect_any(const std::string& api_choice, std::string* error) {
  std::string choice = api_choice;
  if (choice.empty())
    if (const char* env = std::getenv("SPE_MIDI_API")) choice = env;
  std::vector<RtMidi::Api> tries;
  if (choice.empty()) {
    tries = {RtMidi::LINUX_ALSA, RtMidi::UNIX_JACK};
  } else if (choice == "alsa" || choice == "ALSA") {
    tries = {RtMidi::LINUX_ALSA};
  } else if (choice == "jack" || choice == "JACK") {
    tries = {RtMidi::UNIX_JACK};
  } else {
    if (error) *error = "unknown MIDI backend '" + choice + "' (use alsa or jack)";
    return nullptr;
  }
  std::string reasons;
  for (auto api : tries) {
    std::string why;
    if (auto state = connect(api, &why)) return state;
    reasons += (reasons.empty() ? "" : "; ") + why;
  }
  if (error) *error = "no MIDI backend available (" + reasons + ")";
  return nullptr;
}

// Port names, or nullopt-like empty + error from the sink.
std::vector<std::string> port_names(MidiPortOutput::State& state, std::string* error) {
  std::vector<std::string> names;
  try {
    const unsigned n = state.client->getPortCount();
    for (unsigned i = 0; i < n; ++i) names.push_back(state.client->getPortName(i));
  } catch (const RtMidiError& e) {
    if (error) *error = one_line(e.getMessage());
  }
  if (std::string e = state.sink->take(); !e.empty() && error) *error = one_line(e);
  return names;
}

template <class T>
std::unique_ptr<T> fail_with(std::string* error, const std::string& why) {
  if (error) *error = why;
  return nullptr;
}

// Opens a port on the connected client; the state on success, else nullptr and "<what>: <why>" in `error`.
// A real port must also report itself open (a virtual one has no such state in RtMidi).
std::unique_ptr<MidiPortOutput::State> open_on(std::unique_ptr<MidiPortOutput::State> state, const std::string& what,
                                               const std::function<void(RtMidiOut&)>& open, std::string* error) {
  try {
    open(*state->client);
  } catch (const RtMidiError& e) {
    return fail_with<MidiPortOutput::State>(error, what + ": " + one_line(e.getMessage()));
  }
  const std::string e = state->sink->take();
  if (!e.empty() || (!state->is_virtual && !state->client->isPortOpen()))
    return fail_with<MidiPortOutput::State>(error, what + ": " + (e.empty() ? "not opened" : one_line(e)));
  return state;
}

}  // namespace

MidiPortOutput::MidiPortOutput(std::unique_ptr<State> state) : state_(std::move(state)) {}

MidiPortOutput::~MidiPortOutput() {
  if (!state_ || !state_->client) return;
  try {
    if (state_->failure.empty()) all_notes_off();
    state_->client->closePort();
  } catch (...) {
  }
}

std::vector<std::string> MidiPortOutput::list_ports(std::string* error, const std::string& api) {
  auto state = connect_any(api, error);
  if (!state) return {};
  std::string why;
  auto names = port_names(*state, &why);
  if (!why.empty() && error) *error = api_label(state->api) + ": " + why;
  return names;
}

std::unique_ptr<MidiPortOutput> MidiPortOutput::open_port(const std::string& name, std::string* error,
                                                          const std::string& api) {
  auto fail = [error](const std::string& why) { return fail_with<MidiPortOutput>(error, why); };
  auto state = connect_any(api, error);
  if (!state) return nullptr;
  std::string why;
  const auto names = port_names(*state, &why);
  if (!why.empty()) return fail("cannot list MIDI ports (" + api_label(state->api) + "): " + why);
  int index = -1;
  for (std::size_t i = 0; i < names.size() && index < 0; ++i)
    if (names[i] == name) index = static_cast<int>(i);
  if (index < 0 && !name.empty()) {
    int matches = 0;
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i].rfind(name, 0) == 0) {
        index = static_cast<int>(i);
        ++matches;
      }
    if (matches != 1) index = -1;
  }
  if (index < 0) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return fail("no MIDI output port named '" + name + "' (" + api_label(state->api) + " ports: " +
                (list.empty() ? "none" : list) + ")");
  }
  state->port = names[index];
  state = open_on(std::move(state), "cannot open MIDI port '" + names[index] + "'",
                  [index](RtMidiOut& client) { client.openPort(static_cast<unsigned>(index), "SPE Studio out"); }, error);
  return state ? std::unique_ptr<MidiPortOutput>(new MidiPortOutput(std::move(state))) : nullptr;
}

std::unique_ptr<MidiPortOutput> MidiPortOutput::open_virtual(const std::string& name, std::string* error,
                                                             const std::string& api) {
  auto state = connect_any(api, error);
  if (!state) return nullptr;
  state->port = name;
  state->is_virtual = true;
  state = open_on(std::move(state), "cannot create virtual MIDI port '" + name + "'",
                  [&name](RtMidiOut& client) { client.openVirtualPort(name); }, error);
  return state ? std::unique_ptr<MidiPortOutput>(new MidiPortOutput(std::move(state))) : nullptr;
}

void MidiPortOutput::send(const MidiEvent& event) {
  unsigned char bytes[3] = {event.status, event.data1, event.data2};
  const std::size_t size = (event.kind() == 0xC0 || event.kind() == 0xD0) ? 2 : 3;
  try {
    state_->client->sendMessage(bytes, size);
  } catch (const RtMidiError& e) {
    state_->sink->put(e.getMessage());
  }
}

void MidiPortOutput::all_notes_off() {
  for (const auto& e : all_notes_off_events()) send(e);
}

std::string MidiPortOutput::name() const {
  return std::string(state_->is_virtual ? "virtual MIDI port " : "MIDI port ") + state_->port + " (" +
         api_label(state_->api) + ")";
}

std::string MidiPortOutput::api_name() const { return api_label(state_->api); }

bool MidiPortOutput::failed(std::string* why) const {
  auto& s = *state_;
  if (s.failure.empty()) {
    if (std::string e = s.sink->take(); !e.empty()) s.failure = name() + ": " + one_line(e);
  }
  if (s.failure.empty() && !s.is_virtual) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= s.next_check) {
      s.next_check = now + std::chrono::milliseconds(500);
      std::string list_error;
      const auto names = port_names(s, &list_error);
      if (!list_error.empty())
        s.failure = name() + ": " + list_error;
      else if (std::find(names.begin(), names.end(), s.port) == names.end())
        s.failure = name() + " has disappeared";
    }
  }
  if (!s.failure.empty() && why) *why = s.failure;
  return !s.failure.empty();
}

}  // namespace spe::playback
