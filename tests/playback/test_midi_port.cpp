// MidiPortOutput over RtMidi: one-line errors and no crash without a server; with a private dummy JACK
// server, the virtual port "SPE Studio" delivers a take to a connected RtMidiIn client on time, a port that
// vanishes is reported; FluidSynth plays through the same server.
#include <catch2/catch.hpp>

#include <RtMidi.h>
#include <fcntl.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "jack_server.hpp"
#include "music/tempo_map.hpp"
#include "playback/fluidsynth_output.hpp"
#include "playback/midi_port_output.hpp"
#include "playback/player.hpp"
#include "playback/soundfont.hpp"

using namespace spe;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using playback::MidiPortOutput;

namespace {

bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == std::string::npos; }

struct Inbox {
  std::mutex mutex;
  std::vector<std::pair<Clock::time_point, std::vector<unsigned char>>> messages;
};

void on_message(double /*delta*/, std::vector<unsigned char>* message, void* data) {
  auto* inbox = static_cast<Inbox*>(data);
  std::lock_guard lock(inbox->mutex);
  inbox->messages.emplace_back(Clock::now(), *message);
}

void ignore_error(RtMidiError::Type, const std::string&, void*) {}

}  // namespace

TEST_CASE("MIDI ports without a server or sound card: one-line errors, no crash") {
  ::unsetenv("JACK_DEFAULT_SERVER");
  ::setenv("JACK_NO_START_SERVER", "1", 1);
  std::string error;
  auto port = MidiPortOutput::open_port("No Such Synth", &error);
  CHECK(port == nullptr);
  INFO(error);
  CHECK(one_line(error));
  CHECK((error.find("No Such Synth") != std::string::npos || error.find("no MIDI backend") != std::string::npos));
  error.clear();
  MidiPortOutput::list_ports(&error);  // an empty list is fine; an error must be one line
  if (!error.empty()) CHECK(one_line(error));
  error.clear();
  auto bad_api = MidiPortOutput::open_virtual("SPE Studio", &error, "coreaudio");
  CHECK(bad_api == nullptr);
  CHECK(one_line(error));
}

TEST_CASE("MIDI: the virtual port plays a take to a JACK client on time", "[integration]") {
  test::JackServer server;
  if (!server.available()) {
    WARN("SKIPPED: jackd not installed (apt install jackd1)");
    return;
  }
  REQUIRE(server.ok());

  std::string error;
  std::shared_ptr<MidiPortOutput> out = MidiPortOutput::open_virtual("SPE Studio", &error, "jack");
  INFO(error);
  REQUIRE(out != nullptr);
  CHECK(out->api_name() == "JACK");
  CHECK(out->name().find("SPE Studio") != std::string::npos);

  RtMidiIn in(RtMidi::UNIX_JACK, "spe-test-listener");
  in.setErrorCallback(ignore_error, nullptr);
  int index = -1;
  for (unsigned i = 0; i < in.getPortCount(); ++i)
    if (in.getPortName(i).find("SPE Studio") != std::string::npos) index = static_cast<int>(i);
  REQUIRE(index >= 0);
  Inbox inbox;
  in.setCallback(on_message, &inbox);
  in.openPort(static_cast<unsigned>(index), "in");
  std::this_thread::sleep_for(100ms);  // let the connection settle

  // A take: 8 notes, 120 BPM then 90 BPM from tick 960.
  music::Score score;
  score.tempos = {{0, 120.0}, {960, 90.0}};
  music::Track t;
  t.program = 0;
  for (int i = 0; i < 8; ++i) t.notes.push_back({i * 240, i * 240 + 120, 60 + i, 90});
  score.tracks.push_back(t);
  const music::TempoMap map(score);
  const auto schedule = playback::schedule_events(score);

  playback::Player player;
  std::promise<void> done;
  player.set_callbacks({[&] { done.set_value(); }, {}});
  player.set_output(out);
  player.set_score(score);
  {
    std::lock_guard lock(inbox.mutex);
    inbox.messages.clear();
  }
  player.play();
  REQUIRE(done.get_future().wait_for(10s) == std::future_status::ready);
  std::this_thread::sleep_for(100ms);

  std::vector<std::pair<Clock::time_point, std::vector<unsigned char>>> notes;
  {
    std::lock_guard lock(inbox.mutex);
    for (const auto& m : inbox.messages)
      if (m.second.size() == 3 && ((m.second[0] & 0xF0) == 0x90 || (m.second[0] & 0xF0) == 0x80))
        notes.push_back(m);
  }
  std::vector<playback::MidiEvent> expected;
  for (const auto& e : schedule)
    if (e.kind() == 0x90 || e.kind() == 0x80) expected.push_back(e);
  REQUIRE(notes.size() == expected.size());
  // Onsets relative to the first one (the JACK period, 128 frames = 2.7 ms, adds a constant latency).
  const auto first = notes.front().first;
  double worst = 0;
  for (std::size_t i = 0; i < notes.size(); ++i) {
    CHECK(notes[i].second[0] == expected[i].status);
    CHECK(notes[i].second[1] == expected[i].data1);
    const double arrived = std::chrono::duration<double>(notes[i].first - first).count();
    const double want = expected[i].seconds - expected.front().seconds;
    worst = std::max(worst, std::abs(arrived - want));
    CHECK(std::abs(arrived - want) <= 0.010);
  }
  // And the note-ons' times are the tempo map's.
  for (std::size_t i = 0; i < 8; ++i) CHECK(expected[2 * i].seconds == Approx(map.seconds_at(i * 240)));
  WARN("JACK: worst onset deviation " << worst * 1000 << " ms over " << notes.size() << " messages");
  in.closePort();
}

TEST_CASE("MIDI: a port that disappears makes the output fail and the Player stop", "[integration]") {
  test::JackServer server;
  if (!server.available()) {
    WARN("SKIPPED: jackd not installed (apt install jackd1)");
    return;
  }
  REQUIRE(server.ok());
  auto sink = std::make_unique<RtMidiIn>(RtMidi::UNIX_JACK, "spe-test-sink");
  sink->setErrorCallback(ignore_error, nullptr);
  sink->openVirtualPort("synth in");
  std::this_thread::sleep_for(100ms);

  std::string error;
  std::vector<std::string> ports = MidiPortOutput::list_ports(&error, "jack");
  INFO(error);
  std::string target;
  for (const auto& p : ports)
    if (p.find("spe-test-sink") != std::string::npos) target = p;
  REQUIRE(!target.empty());

  std::string missing;
  CHECK(MidiPortOutput::open_port("spe-test-nothing:here", &missing, "jack") == nullptr);
  CHECK(one_line(missing));
  CHECK(missing.find("spe-test-sink") != std::string::npos);  // the error lists what there is

  std::shared_ptr<MidiPortOutput> out = MidiPortOutput::open_port(target, &error, "jack");
  REQUIRE(out != nullptr);
  CHECK_FALSE(out->failed(nullptr));

  music::Score score;
  music::Track t;
  for (int i = 0; i < 40; ++i) t.notes.push_back({i * 240, i * 240 + 120, 60, 90});  // 10 s
  score.tracks.push_back(t);
  playback::Player player;
  std::promise<std::string> failure;
  player.set_callbacks({{}, [&](const std::string& why) { failure.set_value(why); }});
  player.set_output(out);
  player.set_score(score);
  player.play();
  std::this_thread::sleep_for(300ms);
  sink.reset();  // the synth quits
  auto future = failure.get_future();
  REQUIRE(future.wait_for(3s) == std::future_status::ready);
  const std::string why = future.get();
  CHECK(one_line(why));
  CHECK(why.find("spe-test-sink") != std::string::npos);
  CHECK(player.state() == playback::Player::State::Stopped);
}

TEST_CASE("FluidSynth: live output through JACK, a missing driver or soundfont is a one-line error",
          "[integration]") {
  const std::string sf = playback::find_soundfont("");
  if (sf.empty()) {
    WARN("SKIPPED: " << playback::missing_soundfont_message());
    return;
  }
  std::string error;
  CHECK(playback::FluidSynthOutput::create(sf, &error, "no-such-driver") == nullptr);
  CHECK(one_line(error));
  CHECK(playback::FluidSynthOutput::create("/nonexistent/x.sf2", &error) == nullptr);
  CHECK(one_line(error));
  CHECK(error.find("/nonexistent/x.sf2") != std::string::npos);

  test::JackServer server;
  if (!server.available()) {
    WARN("SKIPPED: jackd not installed (apt install jackd1)");
    return;
  }
  REQUIRE(server.ok());
  auto synth = playback::FluidSynthOutput::create(sf, &error, "jack");
  INFO(error);
  REQUIRE(synth != nullptr);
  CHECK(synth->audio_driver() == "jack");
  synth->send({0.0, 0x90, 60, 100});
  std::this_thread::sleep_for(100ms);
  synth->all_notes_off();
}
