#pragma once
// The app's GenerationEngine: core/generate's Model + GenerationSession behind the GUI's torch-free
// seam. One loaded model per engine; the sessions of the newest takes stay alive (kLiveSessions) so a
// re-roll from a bar rewinds to that bar's snapshot instead of recomputing the prefix. No torch, no Qt.

#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "generation_engine.hpp"

namespace spe::generate {
class Model;
}

namespace spe::studio {

inline constexpr std::size_t kLiveSessions = 8;

struct EngineSettings {
  std::string device = "cpu";  // cpu | cuda | cuda:N
  int threads = 0;             // compute threads (0: LibTorch's default)
};

class StudioEngine : public ui::GenerationEngine {
 public:
  // Loads the model folder; throws std::runtime_error with one line naming the folder and the problem.
  static std::shared_ptr<StudioEngine> load(const std::filesystem::path& dir, const EngineSettings& settings = {});
  ~StudioEngine() override;

  std::string name() const override;
  ui::ModelDescription description() const override { return description_; }
  ui::GenerationRequest defaults() const override;
  std::string device() const override;
  ui::GenerationOutcome generate(const ui::GenerationRequest& request, const ui::GenerationSink& sink) override;
  ui::AttentionMap attention(const ui::TokenTrace& trace, int layer, int head, std::int64_t begin,
                             std::int64_t end) const override;
  // Re-loads the model folder (its own weights, so it runs beside generate()) and evaluates like `spe eval`.
  ui::EvaluationCurve evaluate(const ui::EvaluationRequest& request, const std::function<void(double)>& progress,
                               const std::function<bool()>& cancelled) const override;
  ui::PositionalTemplates positionalTemplates(int layer, std::int64_t max_lag) const override;

  // Sessions currently kept alive (newest first): for tests and the status bar.
  std::size_t liveSessions() const;
  bool isAlive(const std::string& session) const;
  // Rewinds of the last generate(): true when a re-roll reused a live session's snapshot.
  bool lastRerollRewound() const { return last_reroll_rewound_; }

 private:
  StudioEngine() = default;
  struct Live;
  std::shared_ptr<const generate::Model> model_;
  ui::ModelDescription description_;
  mutable std::mutex mutex_;
  std::list<std::unique_ptr<Live>> live_;  // newest first
  int next_session_ = 1;
  bool last_reroll_rewound_ = false;
};

}  // namespace spe::studio
