#pragma once
// A folder of MIDI files turned into token sequences once, cached on disk and reused. The cache key
// hashes the tokenizer JSON (config + vocabulary) and every file's relative path, size and mtime, so
// changing the tokenizer or any file rebuilds it. Unreadable files are listed, not fatal.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace spe::train {

using TokenSeq = std::vector<std::int32_t>;

// Encodes one file; throws std::exception (one-line message) for unreadable or unusable files.
using EncodeFn = std::function<TokenSeq(const std::filesystem::path&)>;

struct CorpusSong {
  std::string path;  // relative to the data folder, '/'-separated (the song's id for the split)
  TokenSeq tokens;
};

struct SkippedFile {
  std::string path;
  std::string reason;
};

struct TokenCorpus {
  std::vector<CorpusSong> songs;    // sorted by path
  std::vector<SkippedFile> skipped;  // sorted by path
  std::uint64_t key = 0;
  bool from_cache = false;
  std::size_t token_count() const;
};

struct CorpusOptions {
  std::filesystem::path cache_dir;  // empty: no caching
  int threads = 2;
  std::function<void(std::size_t done, std::size_t total)> on_progress;  // called from worker threads
  std::size_t max_files = 0;  // > 0: only the first max_files files (in sorted order) of the folder
  // Polled by the workers before each file (any thread); true stops encoding: the corpus returned is then
  // incomplete (the files not reached are neither songs nor skipped) and is not cached.
  std::function<bool()> should_stop;
};

std::uint64_t corpus_cache_key(const std::string& tokenizer_json, const std::filesystem::path& root,
                               const std::vector<std::filesystem::path>& files);

// $XDG_CACHE_HOME/spe-studio/tokens, else ~/.cache/spe-studio/tokens, else empty (no caching).
std::filesystem::path default_cache_dir();

// Cache file for a key: <cache_dir>/tokens-<16 hex digits>.spetok
std::filesystem::path cache_file_for(const std::filesystem::path& cache_dir, std::uint64_t key);

TokenCorpus load_or_build_corpus(const std::filesystem::path& data_dir, const std::string& tokenizer_json,
                                 const EncodeFn& encode, const CorpusOptions& options = {});

// Serialisation of a corpus (exposed for tests). read throws on a damaged file.
std::string serialize_corpus(const TokenCorpus& corpus);
TokenCorpus deserialize_corpus(const std::string& bytes, const std::string& name);

}  // namespace spe::train
