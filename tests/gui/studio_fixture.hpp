#pragma once
// The window as a user meets it, with the real engine and the bundled models: shared by the GUI tests that
// generate (studio_engine_test, insight_test).
#include <QSize>
#include <QString>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>

#include "generation_controller.hpp"
#include "gui_test_support.hpp"
#include "main_window.hpp"
#include "prompt_panel.hpp"
#include "studio_catalog.hpp"

namespace spe::test {

inline std::shared_ptr<studio::StudioCatalog> bundled_catalog() {
  generate::ModelRoots roots;
  roots.bundled = {source_dir() / "resources" / "models"};
  roots.user = std::filesystem::temp_directory_path() / "spe-studio-test-no-user-models";
  return std::make_shared<studio::StudioCatalog>(roots);
}

inline QString prompt_path() {
  return QString::fromStdString((source_dir() / "resources" / "prompts" / "pop909_001.mid").string());
}

inline bool wait_idle(ui::MainWindow& w, int timeout_ms = 120000) {
  return process_events_until([&] { return w.generationController() && !w.generationController()->isRunning(); },
                              timeout_ms);
}

// Shown, with the bundled models (the default one loaded) and the POP909 prompt open with its first
// `prompt_bars` bars as the prompt.
inline void open_studio(ui::MainWindow& window, int prompt_bars, QSize size = {1200, 800}) {
  window.resize(size);
  window.show();
  window.setModelCatalog(bundled_catalog());
  REQUIRE(window.generationController() != nullptr);  // the default model loaded
  REQUIRE(window.openFile(prompt_path()));
  window.promptPanel()->setPromptBars(prompt_bars);
}

}  // namespace spe::test
