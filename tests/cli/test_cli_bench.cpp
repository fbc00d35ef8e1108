// `spe bench` end to end: the JSON line's fields and their consistency, and the errors. No timing is
// asserted (the machine is shared); only that times are positive and ordered as statistics must be.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "spe_run.hpp"

using spe::test::last_nonempty_line;
using spe::test::run_spe_cli;

TEST_CASE("spe bench --json reports per-position statistics for the small preset") {
  for (const std::string impl : {"plan", "step"}) {
    for (const std::string pe : {"sine", "conv", "ape"}) {
      INFO("impl " << impl << ", pe " << pe);
      const auto run = run_spe_cli("bench --config small --pe " + pe + " --impl " + impl +
                                   " --positions 0,300 --steps 16 --warmup 1 --threads 1 --json");
      INFO(run.output.substr(0, 400));
      REQUIRE(run.status == 0);
      const auto json = nlohmann::json::parse(last_nonempty_line(run.output));
      CHECK(json.at("config") == "small");
      CHECK(json.at("impl") == impl);
      CHECK(json.at("device") == "cpu");
      CHECK(json.at("dtype") == "f32");
      CHECK(json.at("threads") == 1);
      CHECK(json.at("batch") == 1);
      CHECK(json.at("steps") == 16);
      CHECK(json.at("parameters").get<std::int64_t>() > 0);
      for (const char* position : {"0", "300"}) {
        const double median = json.at("ms_per_token").at(position).get<double>();
        const auto& s = json.at("ms_per_token_stats").at(position);
        CHECK(median > 0.0);
        CHECK(s.at("median").get<double>() == median);
        CHECK(s.at("min").get<double>() <= s.at("p10").get<double>());
        CHECK(s.at("p10").get<double>() <= median);
        CHECK(median <= s.at("p90").get<double>());
        CHECK(s.at("p90").get<double>() <= s.at("max").get<double>());
        CHECK(json.at("rss_mb_at").at(position).get<double>() > 0.0);
        CHECK(json.at("cpu_ms_per_token").at(position).get<double>() > 0.0);
      }
      CHECK(json.at("rss_mb").get<double>() >= json.at("rss_mb_at").at("300").get<double>());
    }
  }
}

TEST_CASE("spe bench counts the parameters of the paper's pop architecture", "[integration]") {
  // 24 layers of (4·512² + 2·512·2048 weights + biases + 2 norms) + embedding + head + sine SPE + gates.
  const auto run = run_spe_cli("bench --config pop --pe sine --positions 5 --steps 16 --warmup 0 --json");
  REQUIRE(run.status == 0);
  const auto json = nlohmann::json::parse(last_nonempty_line(run.output));
  const std::int64_t d = 512, ff = 2048, v = 333, layers = 24;
  const std::int64_t per_layer = 4 * (d * d + d) + (d * ff + ff) + (ff * d + d) + 4 * d + 8 * 64;  // + gate (H, D)
  const std::int64_t expected = layers * per_layer + v * d + (d * v + v) + 3 * 8 * 64 * 5;
  CHECK(json.at("parameters").get<std::int64_t>() == expected);
}

TEST_CASE("spe bench --dtype bf16 runs the plan with BF16 weights and only the plan") {
  const auto run = run_spe_cli("bench --config small --dtype bf16 --positions 7 --steps 16 --warmup 1 --json");
  INFO(run.output.substr(0, 400));
  REQUIRE(run.status == 0);
  const auto json = nlohmann::json::parse(last_nonempty_line(run.output));
  CHECK(json.at("dtype") == "bf16");
  CHECK(json.at("ms_per_token").at("7").get<double>() > 0.0);
  const auto step = run_spe_cli("bench --config small --dtype bf16 --impl step --positions 7");
  CHECK(step.status == 2);
  CHECK(step.output.find("--impl plan") != std::string::npos);
}

TEST_CASE("spe bench --trace writes a Chrome trace whose ops include the weight products") {
  const auto trace = spe::test::scratch_dir("bench_trace") / "trace.json";
  const auto run = run_spe_cli("bench --config small --positions 3 --steps 16 --warmup 1 --trace " + trace.string());
  REQUIRE(run.status == 0);
  std::ifstream in(trace);
  REQUIRE(in.good());
  const auto json = nlohmann::json::parse(in);
  const auto& events = json.is_array() ? json : json.at("traceEvents");
  int addmv = 0;
  for (const auto& event : events)
    if (event.value("name", "") == "aten::addmv") ++addmv;
  // 16 steps × (4 layers × 4 products + the head) = 272 addmv calls.
  CHECK(addmv == 16 * (4 * 4 + 1));
}

TEST_CASE("spe bench text output and bad input") {
  const auto text = run_spe_cli("bench --config small --positions 10 --steps 16 --warmup 0");
  CHECK(text.status == 0);
  CHECK(text.output.find("median ms") != std::string::npos);
  const auto few = run_spe_cli("bench --config small --steps 4");
  CHECK(few.status == 2);
  CHECK(few.output.find("at least 16") != std::string::npos);
  const auto bad_pe = run_spe_cli("bench --config small --pe rope --positions 1");
  CHECK(bad_pe.status == 2);
  CHECK(bad_pe.output.rfind("spe: ", 0) == 0);
  CHECK(bad_pe.output.find("rope") != std::string::npos);
  CHECK(run_spe_cli("bench --config huge").status == 2);
  CHECK(run_spe_cli("bench --config small --positions -3").status == 2);
  CHECK(run_spe_cli("bench --config small --device tpu").status == 2);
}

TEST_CASE("spe bench --device cuda says clearly when there is no GPU") {
  const auto run = run_spe_cli("bench --config small --device cuda --positions 1 --steps 16 --json");
  if (run.status == 0) {
    // A CUDA build on a GPU machine: the run must report the device.
    const auto json = nlohmann::json::parse(last_nonempty_line(run.output));
    CHECK(json.at("device") == "cuda");
  } else {
    CHECK(run.status == 2);
    CHECK(run.output.find("CUDA") != std::string::npos);
  }
}
