// Every GUI test needs one QApplication, created before the first test and on the offscreen platform so
// the suite runs on headless CI. A Catch listener does this without replacing the shared Catch main.
#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>
// Listener base classes are only declared with external interfaces enabled.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>
#include <memory>

#include "studio_theme.hpp"

namespace {

class GuiApplicationListener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  void testRunStarting(const Catch::TestRunInfo& info) override {
    TestEventListenerBase::testRunStarting(info);
    qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "test_gui";
    static char* argv[] = {name, nullptr};
    app_ = std::make_unique<QApplication>(argc, argv);
    QApplication::setOrganizationName("spe-studio-tests");  // keeps QSettings away from the user's
    QApplication::setApplicationName("test_gui");
    spe::ui::apply_studio_theme(*app_);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    // Each test process gets fresh settings of its own: CTest runs test cases in parallel processes.
    settings_dir_ = std::make_unique<QTemporaryDir>();
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings_dir_->path());
  }

  void testRunEnded(const Catch::TestRunStats& stats) override {
    app_.reset();
    settings_dir_.reset();
    TestEventListenerBase::testRunEnded(stats);
  }

 private:
  std::unique_ptr<QApplication> app_;
  std::unique_ptr<QTemporaryDir> settings_dir_;
};

}  // namespace

CATCH_REGISTER_LISTENER(GuiApplicationListener)
