#include "playback/player.hpp"

#include <algorithm>
#include <cmath>

namespace spe::playback {
namespace {

constexpr double kEpsilon = 1e-9;
// How often the clock thread asks the output whether it failed, at the latest.
constexpr auto kFailureCheck = std::chrono::milliseconds(100);

std::size_t first_after(const std::vector<MidiEvent>& events, double seconds) {
  return static_cast<std::size_t>(
      std::upper_bound(events.begin(), events.end(), seconds,
                       [](double s, const MidiEvent& e) { return s < e.seconds; }) -
      events.begin());
}

}  // namespace

Player::Player() : thread_([this] { run(); }) {}

Player::~Player() {
  {
    std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  panic_locked();
}

void Player::set_callbacks(Callbacks callbacks) {
  std::lock_guard lock(mutex_);
  callbacks_ = std::move(callbacks);
}

void Player::set_output(std::shared_ptr<Output> output) {
  {
    std::lock_guard lock(mutex_);
    if (output_) output_->all_notes_off();
    output_ = std::move(output);
    resend_programs_ = true;
  }
  wake_.notify_all();
}

std::shared_ptr<Output> Player::output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

void Player::set_score(const music::Score& score, bool complete) {
  std::vector<MidiEvent> events = schedule_events(score);  // outside the lock: may take a while
  const double duration = score_duration_seconds(score);
  {
    std::lock_guard lock(mutex_);
    const std::size_t old_next = next_;
    const std::size_t new_next = first_after(events, handled_until_);
    const bool same_past =
        old_next == new_next && std::equal(events.begin(), events.begin() + new_next, events_.begin());
    events_ = std::move(events);
    duration_ = duration;
    complete_ = complete;
    next_ = new_next;
    if (!same_past) {
      panic_locked();
      resend_programs_ = true;
    }
  }
  wake_.notify_all();
}

void Player::play() {
  {
    std::lock_guard lock(mutex_);
    if (state_ == State::Playing) return;
    state_ = State::Playing;
    starved_ = false;
    reanchor_locked(position_, Clock::now());
  }
  wake_.notify_all();
}

void Player::pause() {
  std::lock_guard lock(mutex_);
  if (state_ != State::Playing) return;
  position_ = position_locked(Clock::now());
  state_ = State::Paused;
  starved_ = false;
  panic_locked();
}

void Player::stop() {
  {
    std::lock_guard lock(mutex_);
    state_ = State::Stopped;
    position_ = 0.0;
    next_ = 0;
    handled_until_ = -1.0;
    starved_ = false;
    resend_programs_ = false;  // they are the first events
    panic_locked();
  }
  wake_.notify_all();
}

void Player::seek(double seconds) {
  {
    std::lock_guard lock(mutex_);
    seconds = std::clamp(std::isfinite(seconds) ? seconds : 0.0, 0.0, std::max(0.0, duration_));
    position_ = seconds;
    starved_ = false;
    if (state_ == State::Playing) reanchor_locked(seconds, Clock::now());
    handled_until_ = seconds - kEpsilon;  // events at `seconds` are still to come
    next_ = first_after(events_, handled_until_);
    resend_programs_ = true;
    panic_locked();
  }
  wake_.notify_all();
}

void Player::set_loop(double begin, double end) {
  if (!(std::isfinite(begin) && std::isfinite(end) && begin >= 0.0 && end > begin)) return;
  {
    std::lock_guard lock(mutex_);
    loop_ = std::make_pair(begin, end);
  }
  wake_.notify_all();
}

void Player::clear_loop() {
  {
    std::lock_guard lock(mutex_);
    loop_.reset();
  }
  wake_.notify_all();
}

std::optional<std::pair<double, double>> Player::loop() const {
  std::lock_guard lock(mutex_);
  return loop_;
}

double Player::position() const {
  std::lock_guard lock(mutex_);
  return position_locked(Clock::now());
}

double Player::duration() const {
  std::lock_guard lock(mutex_);
  return duration_;
}

Player::State Player::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool Player::waiting_for_more() const {
  std::lock_guard lock(mutex_);
  return state_ == State::Playing && starved_;
}

double Player::position_locked(Clock::time_point now) const {
  if (state_ != State::Playing || starved_) return position_;
  return position_ + std::chrono::duration<double>(now - anchor_).count();
}

void Player::reanchor_locked(double seconds, Clock::time_point now) {
  position_ = seconds;
  anchor_ = now;
}

double Player::wrap_point_locked() const {
  // A complete score that ends inside the loop wraps at its end.
  if (complete_ && duration_ < loop_->second && duration_ > loop_->first) return duration_;
  return loop_->second;
}

void Player::panic_locked() {
  if (output_) output_->all_notes_off();
}

void Player::send_programs_locked() {
  resend_programs_ = false;
  if (!output_) return;
  for (std::size_t i = 0; i < next_ && i < events_.size(); ++i)
    if (events_[i].kind() == 0xC0) output_->send(events_[i]);
}

void Player::run() {
  std::unique_lock lock(mutex_);
  while (!quit_) {
    if (state_ != State::Playing) {
      wake_.wait(lock);
      continue;
    }
    auto now = Clock::now();
    // A failed output stops playback.
    if (std::string why; output_ && output_->failed(&why)) {
      state_ = State::Stopped;
      position_ = 0.0;
      next_ = 0;
      handled_until_ = -1.0;
      starved_ = false;
      panic_locked();
      auto on_error = callbacks_.on_error;
      lock.unlock();
      if (on_error) on_error(why);
      lock.lock();
      continue;
    }
    if (starved_) {
      if (next_ < events_.size() || duration_ > position_ + kEpsilon) {
        starved_ = false;  // more music arrived: go on from where the playhead waited
        reanchor_locked(position_, now);
      } else if (!complete_) {
        wake_.wait_for(lock, kFailureCheck);
        continue;
      } else {
        starved_ = false;  // completed with nothing more: finish below
        reanchor_locked(position_, now);
      }
    }
    if (resend_programs_) send_programs_locked();

    double pos = position_locked(now);
    // Loop wrap.
    if (loop_) {
      const double wrap_at = wrap_point_locked();
      if (pos >= wrap_at) {
        while (next_ < events_.size() && events_[next_].seconds < wrap_at) {
          if (output_) output_->send(events_[next_]);
          ++next_;
        }
        panic_locked();
        const double length = wrap_at - loop_->first;
        const double into = std::fmod(pos - wrap_at, length);
        reanchor_locked(loop_->first + into, now);
        handled_until_ = loop_->first - kEpsilon;
        next_ = first_after(events_, handled_until_);
        send_programs_locked();
        pos = position_;
      }
    }
    // Everything due.
    while (next_ < events_.size() && events_[next_].seconds <= pos) {
      if (output_) output_->send(events_[next_]);
      ++next_;
    }
    handled_until_ = std::max(handled_until_, pos);

    const bool at_end = next_ >= events_.size() && pos >= duration_;
    if (at_end && !loop_) {
      if (!complete_) {
        starved_ = true;
        position_ = std::max(duration_, 0.0);
        continue;
      }
      state_ = State::Stopped;
      position_ = 0.0;
      next_ = 0;
      handled_until_ = -1.0;
      panic_locked();
      auto on_finished = callbacks_.on_finished;
      lock.unlock();
      if (on_finished) on_finished();
      lock.lock();
      continue;
    }
    // Sleep until the next thing to do.
    double target = next_ < events_.size() ? events_[next_].seconds : (loop_ ? wrap_point_locked() : duration_);
    if (loop_) target = std::min(target, wrap_point_locked());
    target = std::max(target, pos);
    const auto deadline =
        anchor_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(target - position_));
    wake_.wait_until(lock, std::min(deadline, now + kFailureCheck));
  }
}

}  // namespace spe::playback
