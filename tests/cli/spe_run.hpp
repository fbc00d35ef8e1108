#pragma once
// Runs the built `spe` with arguments and captures its exit status and its stdout + stderr.
#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include "test_paths.hpp"

namespace spe::test {

struct SpeRun {
  int status = -1;     // exit status, -1 when the process did not exit normally
  std::string output;  // stdout and stderr
};

inline SpeRun run_spe_cli(const std::string& arguments) {
  const std::string command = spe_cli().string() + " " + arguments + " 2>&1";
  SpeRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe)) run.output += buffer.data();
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline std::string last_nonempty_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

}  // namespace spe::test
