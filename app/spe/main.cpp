// `spe`: the headless face of SPE Studio — the same engine the GUI uses.
#include <cstdio>
#include <exception>
#include <iostream>
#include <unistd.h>

#include "command.hpp"

namespace spe::cli {

std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

}  // namespace spe::cli

int main(int argc, char** argv) {
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
  return 0;
}
