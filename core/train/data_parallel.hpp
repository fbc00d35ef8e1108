#pragma once
// Multi-process data-parallel training on one machine through LibTorch's c10d ProcessGroupGloo with a
// FileStore rendezvous (Debian's libtorch 1.13 ships both; the Gloo transport uses TCP on 127.0.0.1).
// Every process computes the gradient of its slice of the global batch; sum_gradients() adds them up so
// that each rank applies the same update the single-process run would have applied to the whole batch.

#include <ATen/core/Tensor.h>

#include <filesystem>
#include <memory>
#include <vector>

namespace spe::train {

class DataParallelGroup {
 public:
  // Blocks until all `world_size` processes have joined through the file `store` (which must not be
  // left over from an earlier run: the launcher removes it). Throws with a one-line message on failure.
  DataParallelGroup(const std::filesystem::path& store, int rank, int world_size);
  ~DataParallelGroup();

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }

  // In place: every tensor becomes the sum over ranks (one flattened all-reduce per call).
  void sum(const std::vector<at::Tensor>& tensors);
  void sum_gradients(const std::vector<at::Tensor>& parameters);
  // Copies rank 0's values into every rank's tensors (identical starting weights).
  void broadcast_from_rank0(const std::vector<at::Tensor>& tensors);
  double sum(double value);
  void barrier();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_, world_size_;
};

}  // namespace spe::train
