#pragma once
// Running programs from tests: the built `spe` (run_spe_cli), any other program (run_program), or a
// shell command line (run_command), capturing the exit status and the output. Header-only and free of
// Catch and torch, so every test executable can use it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>

#include "test_paths.hpp"

namespace spe::test {

struct ProgramRun {
  int status = -1;     // exit status; -1 when the command could not be started or did not exit normally
  std::string output;  // stdout (binary-safe), and stderr too unless RunOptions::separate_stderr
  std::string error;   // stderr, when RunOptions::separate_stderr
};

struct RunOptions {
  std::string env = {};          // assignments put before the program, e.g. "QT_QPA_PLATFORM=offscreen"
  bool separate_stderr = false;  // stderr into ProgramRun::error instead of ProgramRun::output
};

// Single-quoted for the shell; embedded single quotes survive. (Built by appending: GCC 12 warns falsely,
// -Wrestrict, on "'" + std::string.)
inline std::string shell_quote(const std::string& text) {
  std::string out(1, '\'');
  for (char c : text) {
    if (c == '\'')
      out.append("'\\''");
    else
      out.push_back(c);
  }
  out.push_back('\'');
  return out;
}
inline std::string shell_quote(const std::filesystem::path& path) {
  return shell_quote(path.string());
}

// Runs `command` with /bin/sh and captures its stdout; stderr goes wherever `command` sends it.
inline ProgramRun run_command(const std::string& command) {
  ProgramRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    run.output = "popen failed for: " + command;
    return run;
  }
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  run.status = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Runs `program` (quoted here) with `arguments` (passed to the shell as written: quote paths in them).
inline ProgramRun run_program(const std::filesystem::path& program, const std::string& arguments,
                              const RunOptions& options = {}) {
  std::string command = options.env.empty() ? std::string() : options.env + " ";
  command.append(shell_quote(program)).append(" ").append(arguments);
  if (!options.separate_stderr) return run_command(command + " 2>&1");
  // Unique per process and call: ctest runs the test cases of one executable in parallel processes, and a
  // test may run programs from several threads.
  static std::atomic<int> calls{0};
  const std::filesystem::path err_file =
      binary_dir() / "test-scratch" /
      ("run-stderr-" + std::to_string(::getpid()) + "-" + std::to_string(calls++));
  std::filesystem::create_directories(err_file.parent_path());
  ProgramRun run = run_command(command + " 2>" + shell_quote(err_file));
  {
    std::ifstream in(err_file, std::ios::binary);
    run.error.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ignored;
  std::filesystem::remove(err_file, ignored);
  return run;
}

// Starts `command` with /bin/sh (exec'd, so the signal reaches the program itself), waits until `ready()`
// holds or `wait_at_most` has passed, sends it `signal` and returns its exit status (-1 when it could not be
// started or did not exit normally, as after SIGKILL). For the tests of what a stopped job leaves behind.
template <class Ready>
inline int signal_when(const std::string& command, Ready ready, std::chrono::milliseconds wait_at_most,
                       int signal = SIGTERM) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const std::string line = "exec " + command;
    ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + wait_at_most;
  while (!ready() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ::kill(pid, signal);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// Runs the built `spe` with `arguments`.
inline ProgramRun run_spe_cli(const std::string& arguments, const RunOptions& options = {}) {
  return run_program(spe_cli(), arguments, options);
}

inline std::string last_nonempty_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

}  // namespace spe::test
