#pragma once
// ATen + Catch for the io tests. LibTorch's logging (glog, or c10's own when built without it) defines an
// aborting CHECK macro; the tests must get Catch's CHECK whatever order headers come in, so ATen is
// included first and its CHECK removed before Catch defines its own (as tests/common/torch_catch.hpp does
// for <torch/torch.h>, without the cost of the full torch header).
#include <ATen/ATen.h>
#undef CHECK
#include <catch2/catch.hpp>
