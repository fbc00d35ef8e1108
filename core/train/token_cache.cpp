#include "train/token_cache.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "io/atomic_file.hpp"
#include "midi/midi_files.hpp"
#include "train/song_split.hpp"

namespace fs = std::filesystem;

namespace spe::train {

namespace {

constexpr char kMagic[8] = {'S', 'P', 'E', 'T', 'O', 'K', '1', '\n'};

std::string relative_id(const fs::path& file, const fs::path& root) {
  return fs::relative(file, root).generic_string();
}

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}
void put_string(std::string& out, const std::string& s) {
  put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

struct Reader {
  const std::string& bytes;
  const std::string& name;
  std::size_t pos = 0;
  void need(std::size_t n) {
    if (bytes.size() - pos < n) throw std::runtime_error(name + ": token cache is truncated");
  }
  template <class T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes.data() + pos, sizeof value);
    pos += sizeof value;
    return value;
  }
  std::string get_string() {
    const auto n = get<std::uint32_t>();
    need(n);
    std::string s = bytes.substr(pos, n);
    pos += n;
    return s;
  }
};

}  // namespace

std::size_t TokenCorpus::token_count() const {
  std::size_t n = 0;
  for (const auto& s : songs) n += s.tokens.size();
  return n;
}

std::uint64_t corpus_cache_key(const std::string& tokenizer_json, const fs::path& root,
                               const std::vector<fs::path>& files) {
  // The encoder's own version: bump it whenever midi_encoder changes what it feeds the tokenizer.
  static const std::string kEncoderVersion = "midi_encoder v2: chords auto\n";
  std::uint64_t h = fnv1a64(kEncoderVersion + tokenizer_json);
  for (const auto& f : files) {
    h = fnv1a64(relative_id(f, root) + '\0', h);
    std::error_code ec;
    const auto size = static_cast<std::uint64_t>(fs::file_size(f, ec));
    const auto mtime = static_cast<std::int64_t>(fs::last_write_time(f, ec).time_since_epoch().count());
    h = fnv1a64(&size, sizeof size, h);
    h = fnv1a64(&mtime, sizeof mtime, h);
  }
  return h;
}

fs::path default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "spe-studio" / "tokens";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "spe-studio" / "tokens";
  return {};
}

fs::path cache_file_for(const fs::path& cache_dir, std::uint64_t key) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  return cache_dir / ("tokens-" + std::string(hex) + ".spetok");
}

std::string serialize_corpus(const TokenCorpus& corpus) {
  std::string out(kMagic, sizeof kMagic);
  put<std::uint64_t>(out, corpus.key);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(corpus.songs.size()));
  for (const auto& s : corpus.songs) {
    put_string(out, s.path);
    put<std::uint64_t>(out, s.tokens.size());
    out.append(reinterpret_cast<const char*>(s.tokens.data()), s.tokens.size() * sizeof(std::int32_t));
  }
  put<std::uint32_t>(out, static_cast<std::uint32_t>(corpus.skipped.size()));
  for (const auto& s : corpus.skipped) {
    put_string(out, s.path);
    put_string(out, s.reason);
  }
  return out;
}

TokenCorpus deserialize_corpus(const std::string& bytes, const std::string& name) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw std::runtime_error(name + ": not an SPE token cache");
  Reader r{bytes, name, sizeof kMagic};
  TokenCorpus corpus;
  corpus.key = r.get<std::uint64_t>();
  const auto n_songs = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < n_songs; ++i) {
    CorpusSong song;
    song.path = r.get_string();
    const auto n = r.get<std::uint64_t>();
    if (n > (bytes.size() - r.pos) / sizeof(std::int32_t)) throw std::runtime_error(name + ": token cache is truncated");
    song.tokens.resize(n);
    std::memcpy(song.tokens.data(), bytes.data() + r.pos, n * sizeof(std::int32_t));
    r.pos += n * sizeof(std::int32_t);
    corpus.songs.push_back(std::move(song));
  }
  const auto n_skipped = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < n_skipped; ++i) {
    SkippedFile s;
    s.path = r.get_string();
    s.reason = r.get_string();
    corpus.skipped.push_back(std::move(s));
  }
  if (r.pos != bytes.size()) throw std::runtime_error(name + ": trailing bytes in token cache");
  return corpus;
}

TokenCorpus load_or_build_corpus(const fs::path& data_dir, const std::string& tokenizer_json, const EncodeFn& encode,
                                 const CorpusOptions& options) {
  auto files = midi::list_midi_files(data_dir);
  if (files.empty()) throw std::runtime_error(data_dir.string() + ": no .mid/.midi files found");
  if (options.max_files > 0 && files.size() > options.max_files) files.resize(options.max_files);
  const std::uint64_t key = corpus_cache_key(tokenizer_json, data_dir, files);
  fs::path cache_file;
  if (!options.cache_dir.empty()) {
    cache_file = cache_file_for(options.cache_dir, key);
    if (fs::is_regular_file(cache_file)) {
      std::ifstream in(cache_file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        TokenCorpus corpus = deserialize_corpus(bytes, cache_file.string());
        if (corpus.key == key) {
          corpus.from_cache = true;
          return corpus;
        }
      } catch (const std::exception&) {
        // A damaged cache is rebuilt rather than trusted.
      }
    }
  }

  // Encode in parallel: each worker takes the next file index; results land in per-file slots.
  std::vector<TokenSeq> tokens(files.size());
  std::vector<std::string> errors(files.size());
  std::vector<char> failed(files.size(), 0);
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> stopped{false};
  auto work = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      if (options.should_stop && options.should_stop()) {
        stopped = true;
        failed[i] = 2;  // not reached
        continue;
      }
      try {
        tokens[i] = encode(files[i]);
        if (tokens[i].empty()) throw std::runtime_error(files[i].string() + ": no tokens (empty song)");
      } catch (const std::exception& e) {
        failed[i] = 1;
        errors[i] = e.what();
      }
      const std::size_t d = ++done;
      if (options.on_progress) options.on_progress(d, files.size());
    }
  };
  const int n_threads = std::clamp(options.threads, 1, 64);
  std::vector<std::thread> pool;
  for (int t = 1; t < n_threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();

  TokenCorpus corpus;
  corpus.key = key;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string id = relative_id(files[i], data_dir);
    if (failed[i] == 2) continue;
    if (failed[i])
      corpus.skipped.push_back({id, errors[i]});
    else
      corpus.songs.push_back({id, std::move(tokens[i])});
  }
  if (!cache_file.empty() && !stopped) {
    fs::create_directories(options.cache_dir);
    io::write_file_atomically(cache_file, serialize_corpus(corpus));
  }
  return corpus;
}

}  // namespace spe::train
