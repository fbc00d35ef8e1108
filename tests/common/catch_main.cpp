// Catch's main lives alone in this file: it is expensive to compile and never changes.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
