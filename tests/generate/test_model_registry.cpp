// Finding models: bundled and user folders, names, the default model, unreadable folders.
#include "random_model.hpp"  // first: see its note on glog's CHECK

#include <catch2/catch.hpp>

#include <fstream>

#include "generate/model_registry.hpp"
#include "test_paths.hpp"

using namespace spe;
using namespace spe::generate;
namespace fs = std::filesystem;

namespace {

fs::path random_model_at(const fs::path& dir, const std::string& name, const std::string& scheme = "remi") {
  test::RandomModelSpec spec;
  spec.name = name;
  spec.scheme = scheme;
  spec.d_model = 16;
  spec.layers = 1;
  return test::make_random_model(dir, spec);
}

}  // namespace

TEST_CASE("models are listed bundled first, resolved by folder, folder name or model name") {
  const fs::path root = test::scratch_dir("generate-registry");
  ModelRoots roots;
  roots.bundled = {root / "bundled"};
  roots.user = root / "user";
  random_model_at(roots.bundled[0] / "pop", "Pop Piano");
  random_model_at(roots.user / "mine", "my-groove", "event");
  fs::create_directories(roots.user / "broken");
  std::ofstream(roots.user / "broken" / "model.json") << "{ not json";
  fs::create_directories(roots.user / "not-a-model");  // no model.json: ignored

  const auto models = list_models(roots);
  REQUIRE(models.size() == 3);
  CHECK(models[0].source == "bundled");
  CHECK(models[0].info.name == "Pop Piano");
  CHECK(models[0].info.scheme == "remi");
  CHECK(models[1].source == "user");
  CHECK(!models[1].error.empty());  // "broken" sorts before "mine"
  CHECK_THAT(models[1].error, Catch::Contains("broken"));
  CHECK(models[2].info.name == "my-groove");
  CHECK(models[2].info.scheme == "event");
  CHECK(!models[0].is_default);

  CHECK(resolve_model("pop", roots) == roots.bundled[0] / "pop");
  CHECK(resolve_model("Pop Piano", roots) == roots.bundled[0] / "pop");
  CHECK(resolve_model("mine", roots) == roots.user / "mine");
  CHECK(resolve_model((roots.user / "mine").string(), roots) == roots.user / "mine");
  CHECK_THROWS_WITH(resolve_model("nothing", roots), Catch::Contains("no model named 'nothing'"));
  CHECK_THROWS_WITH(resolve_model((roots.user / "not-a-model").string(), roots),
                    Catch::Contains("is not a model folder"));
  CHECK(!default_model(roots));
}

TEST_CASE("the default model: a bundled folder named default, or one whose model.json says so") {
  const fs::path root = test::scratch_dir("generate-registry-default");
  ModelRoots roots;
  roots.bundled = {root / "bundled"};
  roots.user = root / "user";
  random_model_at(roots.bundled[0] / "a", "a");
  const fs::path b = random_model_at(roots.bundled[0] / "b", "b");
  CHECK(!default_model(roots));
  // Mark b as the default in its model.json.
  nlohmann::json meta;
  std::ifstream(b / "model.json") >> meta;
  meta["default"] = true;
  std::ofstream(b / "model.json") << meta.dump(1);
  REQUIRE(default_model(roots));
  CHECK(*default_model(roots) == b);
  CHECK(list_models(roots)[1].is_default);
  // A folder named "default" wins.
  random_model_at(roots.bundled[0] / "default", "c");
  CHECK(*default_model(roots) == roots.bundled[0] / "default");
  // User models are never the bundled default.
  roots.bundled.clear();
  random_model_at(roots.user / "default", "d");
  CHECK(!default_model(roots));
}

TEST_CASE("user models live under XDG_DATA_HOME, else ~/.local/share") {
  const char* old_xdg = std::getenv("XDG_DATA_HOME");
  const std::string saved = old_xdg ? old_xdg : "";
  ::setenv("XDG_DATA_HOME", "/tmp/xdg-test", 1);
  CHECK(user_model_root() == fs::path("/tmp/xdg-test/spe-studio/models"));
  ::unsetenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  if (home) CHECK(user_model_root() == fs::path(home) / ".local/share/spe-studio/models");
  if (old_xdg) ::setenv("XDG_DATA_HOME", saved.c_str(), 1);
}

TEST_CASE("bundled roots: the compiled-in resources and the install layout next to the executable") {
  const fs::path root = test::scratch_dir("generate-registry-roots");
  fs::create_directories(root / "res" / "models");
  fs::create_directories(root / "prefix" / "share" / "spe-studio" / "models");
  fs::create_directories(root / "prefix" / "bin");
  const auto roots = bundled_model_roots(root / "res", root / "prefix" / "bin" / "spe");
  REQUIRE(roots.size() == 2);
  CHECK(fs::equivalent(roots[0], root / "res" / "models"));
  CHECK(fs::equivalent(roots[1], root / "prefix" / "share" / "spe-studio" / "models"));
  // Missing folders are dropped, duplicates kept once.
  CHECK(bundled_model_roots(root / "nowhere", {}).empty());
  CHECK(bundled_model_roots(root / "prefix" / "share" / "spe-studio", root / "prefix" / "bin" / "spe").size() == 1);
}
