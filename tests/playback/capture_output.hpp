#pragma once
// An Output that records what the Player sends and when (a test double for the device, not for the Player).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "playback/output.hpp"

namespace spe::test {

class CaptureOutput : public playback::Output {
 public:
  using Clock = std::chrono::steady_clock;
  struct Received {
    Clock::time_point at;
    playback::MidiEvent event;
  };

  void send(const playback::MidiEvent& e) override {
    std::lock_guard lock(mutex_);
    received_.push_back({Clock::now(), e});
  }
  void all_notes_off() override {
    std::lock_guard lock(mutex_);
    ++panics_;
    panic_marks_.push_back(received_.size());
  }
  std::string name() const override { return "capture"; }
  bool failed(std::string* why) const override {
    std::lock_guard lock(mutex_);
    if (fail_after_ >= 0 && static_cast<long>(received_.size()) >= fail_after_) {
      if (why) *why = "capture: device unplugged";
      return true;
    }
    return false;
  }

  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<playback::MidiEvent> notes() const {  // note-ons and note-offs only
    std::lock_guard lock(mutex_);
    std::vector<playback::MidiEvent> out;
    for (const auto& r : received_)
      if (r.event.kind() == 0x80 || r.event.kind() == 0x90) out.push_back(r.event);
    return out;
  }
  int panics() const {
    std::lock_guard lock(mutex_);
    return panics_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    received_.clear();
    panics_ = 0;
    panic_marks_.clear();
  }
  void fail_after(long sends) {
    std::lock_guard lock(mutex_);
    fail_after_ = sends;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::vector<std::size_t> panic_marks_;
  int panics_ = 0;
  long fail_after_ = -1;
};

}  // namespace spe::test
