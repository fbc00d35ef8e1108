#pragma once
// Subcommands of the `spe` CLI register themselves here (one file per subcommand), so adding a command
// never touches main.cpp. A command signals bad input by throwing spe::cli::UsageError or any
// std::exception: main prints "spe: <message>" on one line and exits with status 2.

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace spe::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `setup` adds the subcommand (and its callback) to the root app.
using CommandSetup = std::function<void(CLI::App& root)>;

std::vector<CommandSetup>& command_registry();

struct RegisterCommand {
  explicit RegisterCommand(CommandSetup setup) { command_registry().push_back(std::move(setup)); }
};

// True when stdout is a terminal (progress bars are shown only then).
bool stdout_is_terminal();

}  // namespace spe::cli
