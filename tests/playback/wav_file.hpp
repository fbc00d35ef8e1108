#pragma once
// Test-side WAV reading (16-bit PCM), written independently of the renderer, plus simple audio measures.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace spe::test {

struct Wav {
  int channels = 0;
  int sample_rate = 0;
  int bits = 0;
  std::vector<float> mono;  // channels averaged, in [-1, 1]
  double seconds() const { return sample_rate ? static_cast<double>(mono.size()) / sample_rate : 0.0; }
};

inline std::uint32_t le32(const unsigned char* p) { return p[0] | p[1] << 8 | p[2] << 16 | std::uint32_t(p[3]) << 24; }
inline std::uint16_t le16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | p[1] << 8); }

// Throws std::runtime_error when the file is not a RIFF/WAVE file with a PCM fmt chunk and a data chunk.
inline Wav read_wav(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVE", 4) != 0)
    throw std::runtime_error("not a RIFF/WAVE file");
  if (le32(b.data() + 4) + 8 != b.size()) throw std::runtime_error("RIFF size does not match the file size");
  Wav wav;
  bool have_fmt = false, have_data = false;
  std::size_t pos = 12;
  while (pos + 8 <= b.size()) {
    const std::string id(reinterpret_cast<const char*>(b.data() + pos), 4);
    const std::size_t size = le32(b.data() + pos + 4);
    const unsigned char* body = b.data() + pos + 8;
    if (pos + 8 + size > b.size()) throw std::runtime_error("chunk " + id + " runs past the end");
    if (id == "fmt ") {
      if (le16(body) != 1 && le16(body) != 0xFFFE) throw std::runtime_error("not PCM");
      wav.channels = le16(body + 2);
      wav.sample_rate = static_cast<int>(le32(body + 4));
      wav.bits = le16(body + 14);
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt || wav.bits != 16 || wav.channels < 1) throw std::runtime_error("data before fmt / not 16-bit");
      const std::size_t frames = size / (2 * wav.channels);
      wav.mono.resize(frames);
      for (std::size_t f = 0; f < frames; ++f) {
        float sum = 0;
        for (int c = 0; c < wav.channels; ++c)
          sum += static_cast<std::int16_t>(le16(body + 2 * (f * wav.channels + c))) / 32768.0f;
        wav.mono[f] = sum / wav.channels;
      }
      have_data = true;
    }
    pos += 8 + size + (size & 1);
  }
  if (!have_fmt || !have_data) throw std::runtime_error("missing fmt or data chunk");
  return wav;
}

inline double rms(const std::vector<float>& x, std::size_t begin = 0, std::size_t end = SIZE_MAX) {
  end = std::min(end, x.size());
  if (begin >= end) return 0.0;
  double sum = 0;
  for (std::size_t i = begin; i < end; ++i) sum += double(x[i]) * x[i];
  return std::sqrt(sum / (end - begin));
}

// Onsets by energy with hysteresis: RMS over 2 ms frames (1 ms hop); an onset is the first frame above
// `high` × the loudest frame after the level had fallen below `low` × the loudest frame.
inline std::vector<double> energy_onsets(const Wav& wav, double high = 0.2, double low = 0.05) {
  const std::size_t hop = wav.sample_rate / 1000, window = 2 * hop;
  std::vector<double> level;
  for (std::size_t i = 0; i + window <= wav.mono.size(); i += hop) level.push_back(rms(wav.mono, i, i + window));
  double peak = 0;
  for (double l : level) peak = std::max(peak, l);
  std::vector<double> onsets;
  bool quiet = true;
  for (std::size_t i = 0; i < level.size(); ++i) {
    if (quiet && level[i] > high * peak) {
      onsets.push_back(static_cast<double>(i * hop) / wav.sample_rate);
      quiet = false;
    } else if (!quiet && level[i] < low * peak) {
      quiet = true;
    }
  }
  return onsets;
}

}  // namespace spe::test
