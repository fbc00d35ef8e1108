# Shared target settings for the project's own code.
function(spe_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(SPE_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# spe_core_library(NAME [TORCH] DEPS ...): one library per core concern, sources = *.cpp in the folder.
# Torch is opt-in so that MIDI / score / tokens code builds fast and without LibTorch headers.
function(spe_core_library name)
  cmake_parse_arguments(ARG "TORCH" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT sources)  # a concern whose code has not landed yet is header-only
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR}/core)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/core)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  if(ARG_TORCH)
    target_link_libraries(${name} PUBLIC torch)
  endif()
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  spe_target_defaults(${name})
endfunction()

# spe_test(NAME SOURCES... DEPS ...): a Catch2 executable whose test cases are registered with CTest.
# Labels come from Catch tags: [integration], [slow], [gpu], [gui]; everything else is `unit`.
function(spe_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE spe_test_main ${ARG_DEPS})
  spe_target_defaults(${name})
  catch_discover_tests(${name} TEST_SPEC "~[integration]~[slow]~[gpu]~[gui]" PROPERTIES LABELS unit
                       DISCOVERY_TIMEOUT 60 EXTRA_ARGS -w NoTests)
  catch_discover_tests(${name} TEST_SPEC "[integration]~[slow]~[gpu]" PROPERTIES LABELS integration
                       DISCOVERY_TIMEOUT 60 EXTRA_ARGS -w NoTests)
  catch_discover_tests(${name} TEST_SPEC "[slow]~[gpu]" PROPERTIES LABELS slow DISCOVERY_TIMEOUT 60 EXTRA_ARGS -w NoTests)
  catch_discover_tests(${name} TEST_SPEC "[gui]~[integration]~[slow]" PROPERTIES LABELS gui DISCOVERY_TIMEOUT 60 EXTRA_ARGS -w NoTests)
  catch_discover_tests(${name} TEST_SPEC "[gpu]" PROPERTIES LABELS gpu DISCOVERY_TIMEOUT 60 EXTRA_ARGS -w NoTests)
endfunction()
