#include <atomic>
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "test_paths.hpp"
#include "train/token_cache.hpp"

namespace fs = std::filesystem;
using namespace spe::train;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// Stand-in encoder: one token per byte; files starting with "BAD" are unreadable.
struct CountingEncoder {
  std::atomic<int> calls{0};
  TokenSeq operator()(const fs::path& p) {
    ++calls;
    std::ifstream in(p, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (s.rfind("BAD", 0) == 0) throw std::runtime_error(p.string() + ": not a MIDI file");
    return TokenSeq(s.begin(), s.end());
  }
};

fs::path make_corpus(const std::string& name) {
  fs::path dir = spe::test::scratch_dir(name);
  write(dir / "a.mid", "abc");
  write(dir / "sub/b.MIDI", "hello");
  write(dir / "sub/deeper/c.mid", "BAD header");
  write(dir / "notes.txt", "ignored");
  return dir;
}

}  // namespace

TEST_CASE("corpus is built recursively, unreadable files listed, then reused from the cache") {
  fs::path data = make_corpus("cache_build/data");
  fs::path cache = spe::test::scratch_dir("cache_build/cache");
  CountingEncoder enc;
  EncodeFn fn = [&](const fs::path& p) { return enc(p); };
  std::atomic<std::size_t> last_done{0};
  CorpusOptions opt{.cache_dir = cache, .threads = 2, .on_progress = [&](std::size_t d, std::size_t) { last_done = std::max<std::size_t>(last_done, d); }};

  TokenCorpus first = load_or_build_corpus(data, R"({"scheme":"remi"})", fn, opt);
  CHECK_FALSE(first.from_cache);
  CHECK(enc.calls == 3);
  CHECK(last_done == 3);
  REQUIRE(first.songs.size() == 2);
  CHECK(first.songs[0].path == "a.mid");
  CHECK(first.songs[0].tokens == TokenSeq{'a', 'b', 'c'});
  CHECK(first.songs[1].path == "sub/b.MIDI");
  REQUIRE(first.skipped.size() == 1);
  CHECK(first.skipped[0].path == "sub/deeper/c.mid");
  CHECK(first.skipped[0].reason.find("not a MIDI file") != std::string::npos);
  CHECK(fs::exists(cache_file_for(cache, first.key)));

  TokenCorpus second = load_or_build_corpus(data, R"({"scheme":"remi"})", fn, opt);
  CHECK(second.from_cache);
  CHECK(enc.calls == 3);  // nothing re-encoded
  CHECK(second.songs[1].tokens == first.songs[1].tokens);
  CHECK(second.skipped.size() == 1);
}

TEST_CASE("cache is invalidated by a tokenizer change, an edited file or a new file") {
  fs::path data = make_corpus("cache_invalidate/data");
  fs::path cache = spe::test::scratch_dir("cache_invalidate/cache");
  CountingEncoder enc;
  EncodeFn fn = [&](const fs::path& p) { return enc(p); };
  CorpusOptions opt{.cache_dir = cache, .threads = 1, .on_progress = {}};
  auto base = load_or_build_corpus(data, "{\"v\":1}", fn, opt);
  CHECK(enc.calls == 3);

  auto other_tok = load_or_build_corpus(data, "{\"v\":2}", fn, opt);
  CHECK_FALSE(other_tok.from_cache);
  CHECK(other_tok.key != base.key);
  CHECK(enc.calls == 6);

  write(data / "a.mid", "abcd");  // size (and mtime) change
  auto edited = load_or_build_corpus(data, "{\"v\":1}", fn, opt);
  CHECK_FALSE(edited.from_cache);
  CHECK(edited.songs[0].tokens.size() == 4);

  write(data / "z.mid", "zz");
  auto added = load_or_build_corpus(data, "{\"v\":1}", fn, opt);
  CHECK_FALSE(added.from_cache);
  CHECK(added.songs.size() == 3);
}

TEST_CASE("a damaged cache file is rebuilt, and serialisation round-trips") {
  fs::path data = make_corpus("cache_damaged/data");
  fs::path cache = spe::test::scratch_dir("cache_damaged/cache");
  CountingEncoder enc;
  EncodeFn fn = [&](const fs::path& p) { return enc(p); };
  CorpusOptions opt{.cache_dir = cache, .threads = 2, .on_progress = {}};
  auto c = load_or_build_corpus(data, "{}", fn, opt);
  std::string bytes = serialize_corpus(c);
  auto back = deserialize_corpus(bytes, "x");
  CHECK(back.songs.size() == c.songs.size());
  CHECK(back.skipped[0].reason == c.skipped[0].reason);
  CHECK_THROWS_WITH(deserialize_corpus(bytes.substr(0, bytes.size() - 3), "x.spetok"),
                    Catch::Contains("x.spetok") && Catch::Contains("truncated"));

  std::ofstream(cache_file_for(cache, c.key), std::ios::binary) << bytes.substr(0, 20);
  auto rebuilt = load_or_build_corpus(data, "{}", fn, opt);
  CHECK_FALSE(rebuilt.from_cache);
  CHECK(enc.calls == 6);
}

TEST_CASE("missing or empty data folders are clear errors") {
  EncodeFn fn = [](const fs::path&) { return TokenSeq{1}; };
  CHECK_THROWS_WITH(load_or_build_corpus("/nonexistent/folder", "{}", fn), Catch::Contains("not a folder"));
  fs::path empty = spe::test::scratch_dir("cache_empty");
  CHECK_THROWS_WITH(load_or_build_corpus(empty, "{}", fn), Catch::Contains("no .mid/.midi files"));
}
