#pragma once
// The per-position SPE code work of a recurrent step as plain loops over F32 buffers: at one position the
// tensors are small (H·D rows of R realisations), so LibTorch's per-op cost and temporaries (a 2K-times
// larger product before its reduction) outweigh the arithmetic. Plain pointers, no LibTorch.

#include <cstddef>

namespace spe::model::cpu {

// sineSPE at one position: out[i, :] = Σ_j basis[i, j] · noise[i, j, :] for i < rows (H·D), j < terms (2K:
// cos and sin of each sine, interleaved), R columns; the sum runs over j in order. basis (rows, terms),
// noise (rows, terms, R), out (rows, R), all contiguous.
void project_sine_codes(const float* basis, const float* noise, float* out, std::size_t rows, std::size_t terms,
                        std::size_t columns);

// The gate of gated SPE: out[i, :] = noise_term[i, :] + code[i, :] · scale[i] for i < rows (H·D), R columns
// (noise_term = sqrt(g)·ε, scale = sqrt(1 − g)). All contiguous; out may not alias the inputs.
void mix_gated_codes(const float* noise_term, const float* code, const float* scale, float* out, std::size_t rows,
                     std::size_t columns);

}  // namespace spe::model::cpu
