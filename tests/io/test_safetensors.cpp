// safetensors: bit-exact round trips in every dtype, the on-disk layout, and rejection of every kind of
// corrupt file with a message naming the file and the tensor.
#include "aten_catch.hpp"
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/safetensors.hpp"
#include "io/safetensors_torch.hpp"
#include "safetensors_fixture.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace spe::io;

namespace {

bool same_bits(const at::Tensor& a, const at::Tensor& b) {
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  const auto ca = a.contiguous(), cb = b.contiguous();
  // An empty tensor may have no storage: memcmp with a null pointer is undefined even for 0 bytes.
  return ca.nbytes() == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), ca.nbytes()) == 0;
}

// Every 16-bit pattern once: covers all F16/BF16 values incl. NaN payloads, infinities, subnormals, -0.
at::Tensor all_16bit_patterns(c10::ScalarType type) {
  return at::arange(-32768, 32768, at::kInt).to(at::kShort).view(type).reshape({256, 256});
}

// Random 32/64-bit patterns plus the float specials that a value-based comparison would get wrong.
at::Tensor random_f32_bits() {
  at::manual_seed(7);
  auto bits = at::randint(INT32_MIN, INT32_MAX, {1000}, at::kLong).to(at::kInt).view(at::kFloat);
  auto specials = at::tensor({0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e-45f, -1e-45f, 3.4028235e38f, 1.0f / 3.0f});
  return at::cat({bits, specials}).reshape({-1, 1});
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::uint64_t header_length(const std::string& bytes) {
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | std::uint8_t(bytes[std::size_t(i)]);
  return n;
}

}  // namespace

TEST_CASE("safetensors round trip is bit-exact in every dtype") {
  const auto dir = spe::test::scratch_dir("io_safetensors_roundtrip");
  at::manual_seed(1);
  NamedTensors tensors = {
      {"f32.bits", random_f32_bits()},
      {"f16.all", all_16bit_patterns(at::kHalf)},
      {"bf16.all", all_16bit_patterns(at::kBFloat16)},
      {"f64.randn", at::randn({3, 4, 5}, at::kDouble)},
      {"i64", at::tensor({INT64_MIN, std::int64_t(-1), std::int64_t(0), INT64_MAX})},
      {"i32", at::randint(INT32_MIN, INT32_MAX, {7}, at::kLong).to(at::kInt)},
      {"i16", at::arange(-5, 5, at::kShort)},
      {"i8", at::arange(-128, 128, at::kInt).to(at::kChar)},
      {"u8", at::arange(0, 256, at::kInt).to(at::kByte).reshape({16, 16})},
      {"bool", at::tensor({1, 0, 1}).to(at::kBool)},
      {"scalar", at::tensor(2.5f).reshape({})},
      {"empty", at::empty({0, 3}, at::kFloat)},
      {"transposed", at::randn({4, 6}).t()},  // non-contiguous input must be written in logical order
  };
  const auto path = dir / "all.safetensors";
  write_safetensors(path, tensors, {}, {{"purpose", "test"}, {"empty", ""}});

  std::map<std::string, std::string> metadata;
  const auto loaded = read_safetensors(path, {}, &metadata);
  CHECK(metadata == std::map<std::string, std::string>{{"purpose", "test"}, {"empty", ""}});
  REQUIRE(loaded.size() == tensors.size());
  for (const auto& [name, original] : tensors) {
    INFO(name);
    const auto it = std::find_if(loaded.begin(), loaded.end(), [&](const auto& p) { return p.first == name; });
    REQUIRE(it != loaded.end());
    CHECK(same_bits(it->second, original));
  }
  // Loaded tensors are sorted by name and own their memory (usable after the file is gone).
  CHECK(std::is_sorted(loaded.begin(), loaded.end(), [](const auto& a, const auto& b) { return a.first < b.first; }));
  fs::remove(path);
  CHECK(loaded.front().second.defined());
  REQUIRE(loaded.front().first == "bf16.all");
  CHECK(same_bits(loaded.front().second, tensors[2].second));
}

TEST_CASE("safetensors file layout follows the format") {
  const auto dir = spe::test::scratch_dir("io_safetensors_layout");
  const auto path = dir / "layout.safetensors";
  write_safetensors(path, NamedTensors{{"zeta", at::ones({3}, at::kHalf)}, {"alpha", at::zeros({2, 2})},
                                       {"mid", at::arange(5, at::kLong)}});
  const std::string bytes = read_file(path);
  const auto n = header_length(bytes);
  CHECK((8 + n) % 8 == 0);  // data buffer 8-byte aligned
  const std::string header = bytes.substr(8, n);
  CHECK(header.find_last_not_of(' ') < header.size());
  const auto json = nlohmann::json::parse(header);
  CHECK(json["alpha"]["dtype"] == "F32");
  CHECK(json["alpha"]["shape"] == nlohmann::json::array({2, 2}));
  // Data laid out in name order, contiguously.
  CHECK(json["alpha"]["data_offsets"] == nlohmann::json::array({0, 16}));
  CHECK(json["mid"]["data_offsets"] == nlohmann::json::array({16, 56}));
  CHECK(json["zeta"]["data_offsets"] == nlohmann::json::array({56, 62}));
  CHECK(bytes.size() == 8 + n + 62);
  CHECK_FALSE(json.contains("__metadata__"));

  const auto file = SafetensorsFile::open(path);
  REQUIRE(file.find("mid") != nullptr);
  CHECK(file.find("mid")->dtype == DType::I64);
  CHECK(file.find("nope") == nullptr);
}

TEST_CASE("safetensors dtype conversion on save and on load") {
  const auto dir = spe::test::scratch_dir("io_safetensors_convert");
  at::manual_seed(3);
  const auto weights = at::randn({64, 32});
  const auto ids = at::arange(10, at::kLong);
  const auto path = dir / "bf16.safetensors";
  write_safetensors(path, NamedTensors{{"w", weights}, {"ids", ids}}, TensorWriteOptions{DType::BF16});

  const auto file = SafetensorsFile::open(path);
  CHECK(file.find("w")->dtype == DType::BF16);
  CHECK(file.find("ids")->dtype == DType::I64);  // integers are never converted

  const auto stored = read_safetensors(path);
  CHECK(same_bits(stored[1].second, weights.to(at::kBFloat16)));  // round-to-nearest-even, as torch does
  const auto widened = read_safetensors(path, TensorReadOptions{c10::Device(c10::kCPU), at::kFloat});
  CHECK(same_bits(widened[1].second, weights.to(at::kBFloat16).to(at::kFloat)));
  CHECK(same_bits(widened[0].second, ids));
  // BF16 keeps 8 significant bits: relative error ≤ 2^-8 of the value.
  CHECK(((widened[1].second - weights).abs() <= weights.abs() * (1.0 / 256) + 1e-30).all().item<bool>());

  const auto f16_path = dir / "f16.safetensors";
  write_safetensors(f16_path, NamedTensors{{"w", weights}}, TensorWriteOptions{DType::F16});
  const auto f16 = read_safetensors(f16_path, TensorReadOptions{c10::Device(c10::kCPU), at::kFloat});
  CHECK(same_bits(f16[0].second, weights.to(at::kHalf).to(at::kFloat)));

  CHECK_THROWS_WITH(write_safetensors(dir / "x.safetensors", NamedTensors{{"w", weights}}, TensorWriteOptions{DType::I32}),
                    Catch::Contains("x.safetensors") && Catch::Contains("I32"));
}

TEST_CASE("safetensors writer refuses inconsistent input") {
  const auto dir = spe::test::scratch_dir("io_safetensors_write_errors");
  const auto path = dir / "bad.safetensors";
  CHECK_THROWS_WITH(write_safetensors(path, NamedTensors{{"a", at::ones({2})}, {"a", at::ones({3})}}),
                    Catch::Contains("'a'") && Catch::Contains("twice"));
  CHECK_THROWS_WITH(write_safetensors(path, NamedTensors{{"__metadata__", at::ones({2})}}), Catch::Contains("reserved"));
  CHECK_THROWS_WITH(write_safetensors(path, NamedTensors{{"c", at::ones({2}, at::kComplexFloat)}}),
                    Catch::Contains("'c'"));
  std::byte raw[6] = {};
  CHECK_THROWS_WITH(write_safetensors(path, std::vector<TensorBytes>{{"w", DType::F32, {2}, raw}}),
                    Catch::Contains("'w'") && Catch::Contains("6 bytes"));
  CHECK_FALSE(fs::exists(path));
  // A failed write leaves no temporary files behind.
  CHECK(fs::is_empty(dir));
}

TEST_CASE("safetensors reader rejects corrupt files with a message naming file and tensor") {
  const auto dir = spe::test::scratch_dir("io_safetensors_corrupt");
  const auto path = dir / "corrupt.safetensors";
  const std::string eight(8, '\x01');
  auto open_error = [&]() -> std::string {
    try {
      SafetensorsFile::open(path);
    } catch (const FormatError& e) {
      return e.what();
    }
    return "(no error)";
  };
  using spe::test::write_raw_safetensors;

  SECTION("valid hand-made file opens (the fixture itself is right)") {
    write_raw_safetensors(path, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", eight);
    CHECK(SafetensorsFile::open(path).tensors().size() == 1);
  }
  SECTION("file shorter than the length field") {
    std::ofstream(path, std::ios::binary) << "abc";
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("truncated"));
  }
  SECTION("truncated data buffer") {
    write_safetensors(path, NamedTensors{{"first", at::ones({4})}, {"second", at::ones({4})}});
    fs::resize_file(path, fs::file_size(path) - 3);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("'second'") &&
                                 Catch::Contains("outside the data buffer"));
  }
  SECTION("header length larger than the file") {
    write_raw_safetensors(path, R"({})", "", 1000000);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("header length 1000000 exceeds"));
  }
  SECTION("header is not JSON") {
    write_raw_safetensors(path, R"({"a": {"dtype": "F32", )", eight);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("not valid JSON"));
  }
  SECTION("header is JSON but not an object") {
    write_raw_safetensors(path, R"([1, 2])", "");
    CHECK_THAT(open_error(), Catch::Contains("not a JSON object"));
  }
  SECTION("tensor range outside the buffer") {
    write_raw_safetensors(path, R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("tensor 'w'") &&
                                 Catch::Contains("outside the data buffer of 8 bytes"));
  }
  SECTION("overlapping ranges") {
    write_raw_safetensors(path,
                          R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                          R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                          std::string(12, '\0'));
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("tensor 'b'") &&
                                 Catch::Contains("overlap tensor 'a'"));
  }
  SECTION("dtype x shape disagrees with the byte range") {
    write_raw_safetensors(path, R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("tensor 'w'") &&
                                 Catch::Contains("needs 12 bytes") && Catch::Contains("hold 8"));
  }
  SECTION("unknown dtype") {
    write_raw_safetensors(path, R"({"w":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("tensor 'w'") &&
                                 Catch::Contains("unknown dtype 'F8_E4M3'"));
  }
  SECTION("duplicate tensor name") {
    write_raw_safetensors(path,
                          R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                          eight);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("tensor 'w'") &&
                                 Catch::Contains("more than once"));
  }
  SECTION("gap between tensors") {
    write_raw_safetensors(path,
                          R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                          std::string(12, '\0'));
    CHECK_THAT(open_error(), Catch::Contains("tensor 'b'") && Catch::Contains("4 unused bytes") &&
                                 Catch::Contains("after tensor 'a'"));
  }
  SECTION("unused bytes after the last tensor") {
    write_raw_safetensors(path, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("4 unused bytes at the end") &&
                                 Catch::Contains("'a'"));
  }
  SECTION("negative or fractional numbers") {
    write_raw_safetensors(path, R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains("tensor 'w'") && Catch::Contains("shape"));
    write_raw_safetensors(path, R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains("tensor 'w'") && Catch::Contains("data_offsets"));
  }
  SECTION("shape whose byte size overflows 64 bits") {
    write_raw_safetensors(path,
                          R"({"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains("tensor 'w'") && Catch::Contains("overflows"));
  }
  SECTION("missing fields and bad metadata") {
    write_raw_safetensors(path, R"({"w":{"shape":[2],"data_offsets":[0,8]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains("tensor 'w'") && Catch::Contains("'dtype'"));
    write_raw_safetensors(path, R"({"w":{"dtype":"F32","shape":[2]}})", eight);
    CHECK_THAT(open_error(), Catch::Contains("tensor 'w'") && Catch::Contains("'data_offsets'"));
    write_raw_safetensors(path, R"({"__metadata__":{"k":3}})", "");
    CHECK_THAT(open_error(), Catch::Contains("__metadata__") && Catch::Contains("'k'"));
  }
  SECTION("a hostile tensor name cannot break the message into several lines") {
    write_raw_safetensors(path, R"({"evil\nname":{"dtype":"X","shape":[2],"data_offsets":[0,8]}})", eight);
    const auto message = open_error();
    CHECK_THAT(message, Catch::Contains("tensor 'evil?name'") && Catch::Contains("unknown dtype 'X'"));
    CHECK(message.find('\n') == std::string::npos);
  }
  SECTION("bool bytes other than 0/1 read as true") {
    write_raw_safetensors(path, R"({"b":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}})", std::string("\x00\x01\x02\xff", 4));
    const auto t = read_safetensors(path)[0].second;
    CHECK(t.scalar_type() == at::kBool);
    CHECK(t.to(at::kInt).sum().item<int>() == 3);
  }
  SECTION("missing file") {
    CHECK_THAT(open_error(), Catch::Contains(path.string()) && Catch::Contains("cannot open"));
  }
}

TEST_CASE("safetensors accepts files without tensors and zero-sized tensors") {
  const auto dir = spe::test::scratch_dir("io_safetensors_empty");
  const auto path = dir / "empty.safetensors";
  write_safetensors(path, NamedTensors{});
  CHECK(SafetensorsFile::open(path).tensors().empty());
  spe::test::write_raw_safetensors(path,
                                   R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                                   R"("b":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},)"
                                   R"("c":{"dtype":"I64","shape":[0,5],"data_offsets":[8,8]}})",
                                   std::string(8, '\x05'));
  const auto tensors = read_safetensors(path);
  REQUIRE(tensors.size() == 3);
  CHECK(tensors[0].second.numel() == 0);
  CHECK(tensors[1].second.sum().item<int64_t>() == 40);
  CHECK(tensors[2].second.sizes() == at::IntArrayRef({0, 5}));
}

// A file that shrinks after it was opened (another process rewriting it in place) must give a precise error.
// A memory-mapped reader gets SIGBUS here (the tensor spans pages past the new end of file) — a crash
// instead of a message — or silently reads zeros within the last page.
TEST_CASE("safetensors reader reports a file truncated after opening instead of crashing") {
  const auto dir = spe::test::scratch_dir("io_safetensors_shrunk");
  const auto path = dir / "shrunk.safetensors";
  at::manual_seed(5);
  const auto first = at::randn({4});
  const auto second = at::randn({64, 1024});  // 256 KiB: many pages
  write_safetensors(path, NamedTensors{{"first", first}, {"second", second}});
  const auto file = SafetensorsFile::open(path);
  const TensorInfo* info = file.find("second");
  REQUIRE(info != nullptr);
  const auto header_bytes = fs::file_size(path) - info->end;
  fs::resize_file(path, header_bytes + info->begin + 100);  // keeps 'first' and 100 bytes of 'second'

  CHECK(same_bits(read_tensor(file, *file.find("first")), first));
  std::string message = "(no error)";
  try {
    read_tensor(file, *info);
  } catch (const FormatError& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Contains(path.string()) && Catch::Contains("tensor 'second'") &&
                          Catch::Contains(std::to_string(info->byte_size() - 100) + " bytes short") &&
                          Catch::Contains("changed after it was opened"));
}

TEST_CASE("safetensors reader refuses a tensor description that is not of this file") {
  const auto dir = spe::test::scratch_dir("io_safetensors_foreign_info");
  const auto path = dir / "small.safetensors";
  write_safetensors(path, NamedTensors{{"w", at::ones({2})}});
  const auto file = SafetensorsFile::open(path);
  TensorInfo foreign = *file.find("w");
  foreign.name = "big";
  foreign.shape = {1 << 20};
  foreign.end = foreign.begin + (4u << 20);  // far beyond the 8-byte buffer: must not read past it
  CHECK_THROWS_AS(read_tensor(file, foreign), std::invalid_argument);
  CHECK_THROWS_WITH(read_tensor(file, foreign), Catch::Contains(path.string()) && Catch::Contains("'big'") &&
                                                    Catch::Contains("not a tensor of this file"));
  foreign.name = "w";  // right name, wrong range
  CHECK_THROWS_WITH(read_tensor(file, foreign), Catch::Contains("'w' is not a tensor of this file"));
  CHECK_THROWS_WITH(file.read_bytes(foreign, {}), Catch::Contains("'w'") && Catch::Contains("not inside"));
  std::vector<std::byte> wrong_size(3);
  CHECK_THROWS_AS(file.read_bytes(*file.find("w"), wrong_size), std::invalid_argument);
  std::vector<std::byte> right(8);
  file.read_bytes(*file.find("w"), right);
  float values[2];
  std::memcpy(values, right.data(), 8);
  CHECK(values[0] == 1.0f);
  CHECK(values[1] == 1.0f);
}
