#define USE_C10D_GLOO 1  // the Debian headers guard the Gloo process group behind this macro
#include "train/data_parallel.hpp"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace spe::train {

struct DataParallelGroup::Impl {
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

DataParallelGroup::DataParallelGroup(const std::filesystem::path& store, int rank, int world_size)
    : impl_(std::make_unique<Impl>()), rank_(rank), world_size_(world_size) {
  if (world_size < 1 || rank < 0 || rank >= world_size)
    throw std::invalid_argument("rank " + std::to_string(rank) + " is outside world size " + std::to_string(world_size));
  try {
    auto file_store = c10::make_intrusive<c10d::FileStore>(store.string(), world_size);
    auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::minutes(5));
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(file_store, rank, world_size, options);
  } catch (const std::exception& e) {
    std::string what = e.what();
    throw std::runtime_error(store.string() + ": cannot join the process group: " + what.substr(0, what.find('\n')));
  }
}

DataParallelGroup::~DataParallelGroup() = default;

void DataParallelGroup::sum(const std::vector<at::Tensor>& tensors) {
  if (world_size_ == 1 || tensors.empty()) return;
  std::vector<at::Tensor> flat_parts;
  for (const auto& t : tensors) flat_parts.push_back(t.reshape({-1}));
  std::vector<at::Tensor> buffer{torch::cat(flat_parts)};
  impl_->group->allreduce(buffer)->wait();
  std::int64_t offset = 0;
  for (const auto& t : tensors) {
    t.copy_(buffer[0].slice(0, offset, offset + t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

void DataParallelGroup::sum_gradients(const std::vector<at::Tensor>& parameters) {
  std::vector<at::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  sum(grads);
}

void DataParallelGroup::broadcast_from_rank0(const std::vector<at::Tensor>& tensors) {
  if (world_size_ == 1) return;
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    std::vector<at::Tensor> one{t.detach().contiguous()};
    impl_->group->broadcast(one)->wait();
    t.detach().copy_(one[0]);
  }
}

double DataParallelGroup::sum(double value) {
  if (world_size_ == 1) return value;
  std::vector<at::Tensor> one{torch::full({1}, value, torch::kFloat64)};
  impl_->group->allreduce(one)->wait();
  return one[0].item<double>();
}

void DataParallelGroup::barrier() {
  if (world_size_ > 1) impl_->group->barrier()->wait();
}

}  // namespace spe::train
