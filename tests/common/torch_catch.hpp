#pragma once
// LibTorch pulls in glog, whose CHECK macro aborts the process; tests need Catch's CHECK. Include this
// header instead of <catch2/catch.hpp> and <torch/torch.h> in test files that use LibTorch.
#include <torch/torch.h>
#undef CHECK
#include <catch2/catch.hpp>
