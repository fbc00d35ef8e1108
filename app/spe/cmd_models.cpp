// `spe models [--json]`: the bundled and user models this installation can generate with.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "model_paths.hpp"

namespace spe::cli {
namespace {

void list(bool as_json) {
  const auto roots = model_roots();
  const auto models = generate::list_models(roots);
  if (as_json) {
    auto out = nlohmann::json::array();
    for (const auto& m : models) {
      nlohmann::json j = m.info;
      j["source"] = m.source;
      j["default"] = m.is_default;
      if (!m.error.empty()) j["error"] = m.error;
      out.push_back(j);
    }
    std::cout << out.dump() << "\n";
    return;
  }
  if (models.empty()) {
    std::cout << "no models found; searched:";
    for (const auto& r : roots.bundled) std::cout << " " << r.string();
    std::cout << " " << roots.user.string() << "\n";
    return;
  }
  std::cout << std::left << std::setw(24) << "NAME" << std::setw(7) << "SCHEME" << std::setw(6) << "PE"
            << std::setw(7) << "GATED" << std::setw(10) << "TRAIN_LEN" << std::setw(9) << "SOURCE" << "PATH\n";
  for (const auto& m : models) {
    std::string name = m.info.name + (m.is_default ? " *" : "");
    std::cout << std::setw(24) << name;
    if (!m.error.empty()) {
      std::cout << "unreadable: " << m.error << "\n";
      continue;
    }
    std::cout << std::setw(7) << m.info.scheme << std::setw(6) << m.info.pe << std::setw(7)
              << (m.info.gated ? "yes" : "no") << std::setw(10) << m.info.train_len << std::setw(9) << m.source
              << m.info.path.string() << "\n";
  }
}

RegisterCommand reg([](CLI::App& root) {
  auto* cmd = root.add_subcommand("models", "List bundled and user models (* = default)");
  static bool as_json = false;
  cmd->add_flag("--json", as_json, "Print a JSON array (name, scheme, pe, gated, train_len, path, ...)");
  cmd->callback([] { list(as_json); });
});

}  // namespace
}  // namespace spe::cli
