#include "model/keyed_noise.hpp"

#include <cmath>
#include <numbers>

namespace spe::model {

namespace {

template <typename T>
void fill(std::uint64_t key, T* out, std::int64_t count) {
  constexpr double two_pi = 2.0 * std::numbers::pi;
  constexpr double inv53 = 1.0 / 9007199254740992.0;  // 2^-53
  for (std::int64_t i = 0; i < count; i += 2) {
    // Element pair i/2 uses two counter values, so any pair can be computed independently.
    const std::uint64_t counter = static_cast<std::uint64_t>(i / 2) * 2;
    const double u1 = (static_cast<double>(splitmix64(key + counter) >> 11) + 1.0) * inv53;  // (0, 1]
    const double u2 = static_cast<double>(splitmix64(key + counter + 1) >> 11) * inv53;      // [0, 1)
    const double r = std::sqrt(-2.0 * std::log(u1));
    out[i] = static_cast<T>(r * std::cos(two_pi * u2));
    if (i + 1 < count) out[i + 1] = static_cast<T>(r * std::sin(two_pi * u2));
  }
}

}  // namespace

void keyed_normals(std::uint64_t key, double* out, std::int64_t count) { fill(key, out, count); }
void keyed_normals(std::uint64_t key, float* out, std::int64_t count) { fill(key, out, count); }

}  // namespace spe::model
