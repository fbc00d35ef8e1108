#pragma once
// A private JACK server for tests: `jackd --no-realtime -n <unique name> -d dummy` (no sound card needed),
// selected for this process through JACK_DEFAULT_SERVER and killed when the object goes.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "playback/midi_port_output.hpp"

extern char** environ;

namespace spe::test {

inline std::string find_jackd() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
    const std::filesystem::path p = std::filesystem::path(dir) / "jackd";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

class JackServer {
 public:
  // Starts the server and waits (up to 10 s) until a JACK MIDI client can connect. ok() tells.
  JackServer() {
    const std::string jackd = find_jackd();
    if (jackd.empty()) return;
    name_ = "spe-test-" + std::to_string(::getpid());
    ::setenv("JACK_DEFAULT_SERVER", name_.c_str(), 1);
    ::setenv("JACK_NO_START_SERVER", "1", 1);
    std::string args[] = {jackd, "--no-realtime", "-n", name_, "-d", "dummy", "-r", "48000", "-p", "128"};
    char* argv[std::size(args) + 1];
    for (std::size_t i = 0; i < std::size(args); ++i) argv[i] = args[i].data();
    argv[std::size(args)] = nullptr;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int rc = ::posix_spawn(&pid_, jackd.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      pid_ = -1;
      return;
    }
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < end) {
      std::string error;
      playback::MidiPortOutput::list_ports(&error, "jack");
      if (error.empty()) {
        ok_ = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  ~JackServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    ::unsetenv("JACK_DEFAULT_SERVER");
  }
  JackServer(const JackServer&) = delete;
  JackServer& operator=(const JackServer&) = delete;

  bool available() const { return pid_ > 0 || !find_jackd().empty(); }
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }

 private:
  pid_t pid_ = -1;
  bool ok_ = false;
  std::string name_;
};

}  // namespace spe::test
