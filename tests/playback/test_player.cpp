// The Player's clock thread on a capturing Output: order and timing of events, transport (pause, seek,
// stop send all-notes-off), loop wrap, streaming scores that grow while playing, output failure.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "capture_output.hpp"
#include "playback/player.hpp"

using namespace spe;
using namespace std::chrono_literals;
using playback::Player;
using Clock = std::chrono::steady_clock;

namespace {

// 120 BPM, 480 ticks per beat: a note every 0.1 s (96 ticks), each 0.05 s long, `count` notes.
music::Score ticking(int count, int first_pitch = 60) {
  music::Score score;
  music::Track t;
  t.program = 4;
  for (int i = 0; i < count; ++i) t.notes.push_back({i * 96, i * 96 + 48, first_pitch + i % 24, 80});
  score.tracks.push_back(t);
  return score;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > end) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

TEST_CASE("Player: events arrive in schedule order, each within 10 ms of its time", "[integration]") {
  auto out = std::make_shared<test::CaptureOutput>();
  Player player;
  player.set_output(out);
  const music::Score score = ticking(12);
  const auto schedule = playback::schedule_events(score);
  player.set_score(score);
  std::promise<void> finished;
  player.set_callbacks({[&] { finished.set_value(); }, {}});
  out->clear();
  const auto start = Clock::now();
  player.play();
  REQUIRE(finished.get_future().wait_for(5s) == std::future_status::ready);
  CHECK(player.state() == Player::State::Stopped);
  CHECK(player.position() == 0.0);
  const auto received = out->received();
  REQUIRE(received.size() == schedule.size());
  double worst = 0;
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    CHECK(received[i].event == schedule[i]);  // same order, same bytes (seconds is copied through)
    const double late = seconds_between(start, received[i].at) - schedule[i].seconds;
    worst = std::max(worst, std::abs(late));
    CHECK(late > -0.001);  // never early
    CHECK(late < 0.010);
  }
  WARN("worst onset deviation " << worst * 1000 << " ms over " << schedule.size() << " events");
  CHECK(out->panics() >= 1);  // all-notes-off at the end
}

TEST_CASE("Player: pause keeps the position, seek and stop move it, each sends all-notes-off", "[integration]") {
  auto out = std::make_shared<test::CaptureOutput>();
  Player player;
  player.set_output(out);
  player.set_score(ticking(30));  // 3 s
  CHECK(player.duration() == Approx(2.9 + 0.05));
  player.play();
  std::this_thread::sleep_for(300ms);
  int panics = out->panics();
  player.pause();
  CHECK(out->panics() == panics + 1);
  CHECK(player.state() == Player::State::Paused);
  const double at = player.position();
  CHECK(at == Approx(0.3).margin(0.05));
  const auto sent = out->received().size();
  std::this_thread::sleep_for(200ms);
  CHECK(out->received().size() == sent);  // nothing while paused
  CHECK(player.position() == at);

  panics = out->panics();
  player.seek(2.0);
  CHECK(out->panics() == panics + 1);
  CHECK(player.position() == Approx(2.0));
  out->clear();
  const auto resumed = Clock::now();
  player.play();
  std::this_thread::sleep_for(250ms);
  const auto received = out->received();
  REQUIRE(!received.empty());
  // The program change is sent again after a seek, then the note at 2.0 s goes out at once.
  CHECK(received[0].event.kind() == 0xC0);
  bool found = false;
  for (const auto& r : received)
    if (r.event.kind() == 0x90) {
      CHECK(r.event.seconds >= 2.0 - 1e-9);
      if (!found) CHECK(seconds_between(resumed, r.at) < 0.010);
      found = true;
    }
  CHECK(found);

  panics = out->panics();
  player.stop();
  CHECK(out->panics() == panics + 1);
  CHECK(player.state() == Player::State::Stopped);
  CHECK(player.position() == 0.0);
}

TEST_CASE("Player: a loop wraps back to its start with all-notes-off", "[integration]") {
  auto out = std::make_shared<test::CaptureOutput>();
  Player player;
  player.set_output(out);
  player.set_score(ticking(30));
  player.set_loop(0.2, 0.5);
  player.seek(0.2);
  out->clear();
  player.play();
  std::this_thread::sleep_for(1000ms);
  const double pos = player.position();
  player.stop();
  CHECK(pos >= 0.2);
  CHECK(pos < 0.5);
  const auto notes = out->notes();
  int ons_at_02 = 0;
  for (const auto& e : notes) {
    CHECK(e.seconds < 0.5);
    CHECK(e.seconds >= 0.2 - 1e-9);
    if (e.kind() == 0x90 && std::abs(e.seconds - 0.2) < 1e-9) ++ons_at_02;
  }
  CHECK(ons_at_02 >= 3);  // 1 s of a 0.3 s loop: played at least 3 times
  CHECK(out->panics() >= 3 + 1);
}

TEST_CASE("Player: a growing score waits at its end and goes on when more arrives", "[integration]") {
  auto out = std::make_shared<test::CaptureOutput>();
  Player player;
  player.set_output(out);
  std::atomic<bool> finished{false};
  player.set_callbacks({[&] { finished = true; }, {}});
  const music::Score first = ticking(4);  // notes up to 0.35 s
  player.set_score(first, /*complete=*/false);
  player.play();
  std::this_thread::sleep_for(600ms);
  CHECK(player.state() == Player::State::Playing);
  CHECK(player.waiting_for_more());
  CHECK(player.position() == Approx(playback::score_duration_seconds(first)));
  CHECK_FALSE(finished);

  // The generation went on: the score now has 8 notes. Playback resumes where it waited, without replaying.
  out->clear();
  const auto resumed = Clock::now();
  const music::Score longer = ticking(8);
  player.set_score(longer, /*complete=*/true);
  REQUIRE(wait_until([&] { return finished.load(); }, 3000ms));
  const auto received = out->received();
  std::vector<double> ons;
  for (const auto& r : received)
    if (r.event.kind() == 0x90) {
      ons.push_back(r.event.seconds);
      // The waiting position 0.35 s is "now": each later note comes (its time − 0.35 s) after resuming.
      const double expected = r.event.seconds - playback::score_duration_seconds(first);
      CHECK(seconds_between(resumed, r.at) == Approx(expected).margin(0.010));
    }
  REQUIRE(ons.size() == 4);
  CHECK(ons.front() == Approx(0.4));
  CHECK(player.state() == Player::State::Stopped);
}

TEST_CASE("Player: changing the output silences the old one, a failed output stops with a message", "[integration]") {
  auto first = std::make_shared<test::CaptureOutput>();
  auto second = std::make_shared<test::CaptureOutput>();
  Player player;
  std::promise<std::string> error;
  player.set_callbacks({{}, [&](const std::string& why) { error.set_value(why); }});
  player.set_output(first);
  player.set_score(ticking(30));
  player.play();
  std::this_thread::sleep_for(150ms);
  const int panics = first->panics();
  player.set_output(second);
  CHECK(first->panics() == panics + 1);
  std::this_thread::sleep_for(150ms);
  const auto received = second->received();
  REQUIRE(!received.empty());
  CHECK(received[0].event.kind() == 0xC0);  // the new output gets the program first

  second->fail_after(static_cast<long>(received.size()) + 3);
  auto future = error.get_future();
  REQUIRE(future.wait_for(2s) == std::future_status::ready);
  CHECK(future.get() == "capture: device unplugged");
  CHECK(player.state() == Player::State::Stopped);
}

TEST_CASE("Player: destruction sends all-notes-off") {
  auto out = std::make_shared<test::CaptureOutput>();
  {
    Player player;
    player.set_output(out);
    player.set_score(ticking(30));
    player.play();
    std::this_thread::sleep_for(50ms);
  }
  CHECK(out->panics() >= 1);
  const auto n = out->received().size();
  std::this_thread::sleep_for(100ms);
  CHECK(out->received().size() == n);
}
