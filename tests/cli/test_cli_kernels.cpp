// `spe kernels` end to end: the built binary, its exit codes and its JSON last line.
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "spe_run.hpp"

using spe::test::last_nonempty_line;
using spe::test::ProgramRun;
using spe::test::run_spe_cli;

TEST_CASE("spe kernels --json ends with the templates and the Monte-Carlo error") {
  const ProgramRun run = run_spe_cli(
      "kernels --config small --pe sine --ungated --realizations 1024 --max-lag 32 --seed 4 --json");
  INFO(run.output.substr(0, 500));
  REQUIRE(run.status == 0);
  const auto json = nlohmann::json::parse(last_nonempty_line(run.output));
  CHECK(json.at("pe") == "sine_spe");
  CHECK(json.at("realizations") == 1024);
  CHECK(json.at("gated") == false);
  // Sine K=5: error ≈ 2.5/sqrt(R) (SPE.md §6.1).
  const double error = json.at("rel_error").get<double>();
  CHECK(error * std::sqrt(1024.0) > 1.0);
  CHECK(error * std::sqrt(1024.0) < 3.5);
  REQUIRE(json.at("prescribed").size() == 4);          // heads
  REQUIRE(json.at("prescribed")[0].size() == 64);      // dims
  CHECK(json.at("prescribed")[0][0].size() == 33);     // lags 0…32
  CHECK(json.at("estimated")[3][63].size() == 33);

  // Same seed, same output; another seed, another estimate of the same prescribed kernel.
  CHECK(run_spe_cli(
            "kernels --config small --pe sine --ungated --realizations 1024 --max-lag 32 --seed 4 --json")
            .output == run.output);
  const auto other = nlohmann::json::parse(last_nonempty_line(
      run_spe_cli(
          "kernels --config small --pe sine --ungated --realizations 1024 --max-lag 32 --seed 5 --json")
          .output));
  CHECK(other.at("prescribed") == json.at("prescribed"));
  CHECK(other.at("rel_error") != json.at("rel_error"));
}

TEST_CASE("spe kernels shows the conv kernel vanishing beyond the filter and the gated kernel tending to the gate") {
  const ProgramRun run =
      run_spe_cli("kernels --config small --pe conv --realizations 256 --max-lag 140 --json");
  REQUIRE(run.status == 0);
  const auto json = nlohmann::json::parse(last_nonempty_line(run.output));
  CHECK(json.at("pe") == "conv_spe");
  CHECK(json.at("gated") == true);
  CHECK(json.at("realizations") == 256);
  // Lags ≥ 128 (the filter length): (1−g)·0 + g — identical for every lag beyond the support.
  const auto& p = json.at("prescribed")[1][5];
  CHECK(p[128].get<double>() == p[140].get<double>());
  CHECK(p[128].get<double>() > 0.0);
  CHECK(p[128].get<double>() < 1.0);
  CHECK(p[0].get<double>() != p[128].get<double>());
}

TEST_CASE("spe kernels text output and bad input") {
  const ProgramRun text = run_spe_cli("kernels --config small --pe sine --max-lag 8");
  CHECK(text.status == 0);
  CHECK(text.output.find("relative Frobenius error") != std::string::npos);
  const ProgramRun bad_pe = run_spe_cli("kernels --config small --pe rope");
  CHECK(bad_pe.status == 2);
  CHECK(bad_pe.output.rfind("spe: ", 0) == 0);
  CHECK(bad_pe.output.find("rope") != std::string::npos);
  const ProgramRun ape = run_spe_cli("kernels --config small --pe ape");
  CHECK(ape.status == 2);
  CHECK(ape.output.find("sine or conv") != std::string::npos);
  const ProgramRun bad_config = run_spe_cli("kernels --config huge --pe sine");
  CHECK(bad_config.status == 2);
  const ProgramRun bad_r = run_spe_cli("kernels --config small --pe sine --realizations 0");
  CHECK(bad_r.status == 2);
}
