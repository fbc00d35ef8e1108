// `spe`: the headless face of SPE Studio — the same engine the GUI uses.
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>

#include "command.hpp"
#include "generate/allocator.hpp"

namespace spe::cli {

std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace spe::cli

int main(int argc, char** argv) {
  // `spe eval` runs long multi-threaded forward passes, often on shared machines. There, libgomp's default
  // spin-waiting at every parallel region made a 2-thread evaluation 20–40× slower (a 4-song POP909 eval:
  // 117 s instead of 3.4 s, docs/results/eval-speed.md). The wait policy is read when libgomp loads,
  // before main, so `eval` re-executes itself once with OMP_WAIT_POLICY=PASSIVE unless the caller chose
  // a policy (OMP_WAIT_POLICY=ACTIVE keeps spinning). `attention` too: re-running a 1000-token take and
  // its probe with --threads 2 on a loaded 2-core machine took 40 s spinning, 4 s passive
  // (docs/results/attention.md).
  const bool passive = argc > 1 && (std::strcmp(argv[1], "eval") == 0 || std::strcmp(argv[1], "attention") == 0);
  if (passive && std::getenv("OMP_WAIT_POLICY") == nullptr && ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0)
    ::execv("/proc/self/exe", argv);  // returns only on failure: then carry on as we are
  spe::generate::keep_freed_blocks_for_reuse();
  CLI::App app{"spe — Performer + Stochastic Positional Encoding music engine (SPE Studio " SPE_VERSION ")"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spe ") + SPE_VERSION);
  for (const auto& setup : spe::cli::command_registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" that exit 0; real usage errors exit 2.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::cerr << "spe: " << e.what() << "\n";
    return 2;
  }
  // Every command has written and closed its files by now: skip LibTorch's static destructors, which
  // cost ≈ 0.1 s at exit (docs/results/bench-cpu.md run G), after flushing what is buffered.
  std::cout.flush();
  std::fflush(nullptr);
  std::_Exit(0);
}
