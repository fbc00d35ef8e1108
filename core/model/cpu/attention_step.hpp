#pragma once
// The two per-head contractions of a recurrent decoder step as plain loops over F32 buffers: small
// batched vector × matrix products, where LibTorch's CPU bmm dispatches once per head (thousands of ops per
// step) and its multiply + reduce materialises a temporary in the state's shape. Plain pointers, no LibTorch.

#include <cstddef>

namespace spe::model::cpu {

// out[g, b, :] = Σ_d x[g, b, d] · codes[g, d, :] for g < groups, b < batch, R columns: the SPE filter of
// queries and keys (groups = 2H). x (groups, batch, D), codes (groups, D, R), out (groups, batch, R),
// all contiguous.
void contract_codes(const float* x, const float* codes, float* out, std::size_t groups, std::size_t batch,
                    std::size_t depth, std::size_t columns);

// One step of causal linear attention for each of `heads` independent heads, on the augmented state
// S' = [S | z] (heads, F, C) with C = E + 1:  S'[f, :] += φk[f] · v'[:]  then  read[:] = Σ_f φq[f] · S'[f, :]
// (numerator and denominator of the new position), reading and writing S' once, and the attention output
// out[e] = read[e] / (read[E] + eps) for e < E. phi_q, phi_k (heads, F), v_aug = [v, 1] (heads, C), read
// (heads, C), out (heads, E). Heads are split over LibTorch's intra-op threads when there are enough of them
// to pay for a parallel region; the result does not depend on the thread count.
void linear_attention_step(float* state, const float* phi_k, const float* v_aug, const float* phi_q, float* read,
                           float* out, float eps, std::size_t heads, std::size_t features, std::size_t columns);

// The FAVOR+ exponents of `rows` feature-map inputs: out[r, f] = Σ_i x[r, i]·Ω[i, f] − (offset + half_sq_scale
// · Σ_i x[r, i]²), sums over i in order; exp() of them is φ. x (rows, depth), omega (depth, F), out (rows, F).
void favor_exponents(const float* x, const float* omega, float* out, std::size_t rows, std::size_t depth,
                     std::size_t features, float offset, float half_sq_scale);

}  // namespace spe::model::cpu
