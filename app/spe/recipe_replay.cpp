#include "recipe_replay.hpp"

#include <filesystem>

#include "command.hpp"
#include "generate/session.hpp"
#include "model_paths.hpp"

namespace spe::cli {

namespace fs = std::filesystem;

nlohmann::json read_take_recipe(const std::string& take_path) {
  nlohmann::json recipe;
  try {
    recipe = generate::read_recipe(take_path);
  } catch (const nlohmann::json::exception&) {
    throw UsageError(take_path + ": its recipe is not valid JSON");
  }
  if (recipe.empty() || !recipe.contains("model") || !recipe.contains("params"))
    throw UsageError(take_path + ": holds no spe-studio recipe (only takes written by spe generate or spe-studio do)");
  return recipe;
}

std::shared_ptr<const generate::Model> load_recipe_model(const nlohmann::json& recipe, const std::string& model_override,
                                                         const std::string& device, const std::string& where) {
  const auto& m = recipe.at("model");
  const fs::path model_dir =
      generate::resolve_model(model_override.empty() ? m.value("name", std::string()) : model_override, model_roots());
  // The step's weights as the take had them; a recipe from before they were recorded was made by F32.
  auto model = generate::Model::load(model_dir, {.device = device, .step_weights = recipe.value("step_weights", "f32")});
  if (m.value("weights_sha256", std::string()) != model->info().weights_sha256)
    throw UsageError(where + ": the take was made with weights " + m.value("id", std::string("?")) + ", but " +
                     model->info().id() + " is installed: it cannot be reproduced exactly");
  return model;
}

Reproduced reproduce(const nlohmann::json& recipe, const generate::Model& model, const std::string& prompt_override,
                     const std::string& where) {
  Reproduced r;
  r.params = recipe.at("params").get<generate::GenerationParams>();
  r.params.candidates = 1;
  r.params.first_candidate = recipe.value("candidate", 0);
  auto run = [&](generate::GenerationSession& session) {
    session.run();
    r.take = generate::make_take(model.tokenizer(), session.candidates().front(), 0);
    r.model_seed = session.model_seed();
  };
  if (recipe.contains("reroll")) {
    const auto& rr = recipe.at("reroll");
    if (!rr.contains("parent") || !rr.at("parent").contains("params"))
      throw UsageError(where + ": the recipe of a re-rolled take lacks its parent's recipe");
    const Reproduced parent = reproduce(rr.at("parent"), model, prompt_override, where);
    const int bar = rr.at("bar").get<int>();
    const std::uint64_t seed = rr.at("seed").get<std::uint64_t>();
    if (rr.contains("rewound_from")) {
      // The GUI rewound the parent's live session: replay the parent, rewind the same way.
      generate::GenerationSession session(model.incremental(), model.scheme(), parent.params);
      session.start(parent.prompt.tokens);
      session.run();
      auto rewound = session.rewind(0, bar, seed);
      r.params = rewound->params();
      r.prompt = parent.prompt;
      run(*rewound);
    } else {
      r.prompt = generate::prompt_from_score(model.tokenizer(), parent.take.score, bar, where);
      generate::GenerationSession session(model.incremental(), model.scheme(), r.params);
      session.start(r.prompt.tokens);
      run(session);
    }
    return r;
  }
  const std::string source = !prompt_override.empty() ? prompt_override
                                                      : recipe.at("prompt").value("source", std::string("scratch"));
  if (source == "scratch") {
    r.prompt = generate::prompt_from_scratch(model.scheme());
  } else {
    if (!fs::exists(source))
      throw UsageError(where + ": the recipe's prompt " + source + " does not exist (give it with --prompt)");
    r.prompt = generate::prompt_from_midi(model.tokenizer(), source, r.params.prompt_bars);
  }
  generate::GenerationSession session(model.incremental(), model.scheme(), r.params);
  session.start(r.prompt.tokens);
  run(session);
  return r;
}

}  // namespace spe::cli
