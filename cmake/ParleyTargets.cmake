# Helpers that give every Parley target the same warnings, sanitizers and include root.
# Include paths are rooted at src/: #include "common/sip/message.hpp".

set(PARLEY_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(PARLEY_WERROR)
  list(APPEND PARLEY_WARNINGS -Werror)
endif()

set(_parley_san_flags "")
if(PARLEY_SANITIZE)
  string(REPLACE ";" "," _san "${PARLEY_SANITIZE}")
  set(_parley_san_flags -fsanitize=${_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
endif()

function(_parley_common target)
  target_compile_options(${target} PRIVATE ${PARLEY_WARNINGS} ${_parley_san_flags})
  target_link_options(${target} PRIVATE ${_parley_san_flags})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
endfunction()

# parley_library(NAME parley_sip SOURCES ... DEPS ...)  -> also defines alias parley::sip
function(parley_library)
  cmake_parse_arguments(A "" "NAME;ALIAS" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${A_NAME} STATIC ${A_SOURCES})
  _parley_common(${A_NAME})
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  if(A_ALIAS)
    add_library(${A_ALIAS} ALIAS ${A_NAME})
  endif()
  if(_parley_san_flags)
    target_link_options(${A_NAME} INTERFACE ${_parley_san_flags})
  endif()
endfunction()

function(parley_executable)
  cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SOURCES})
  _parley_common(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
endfunction()

# parley_test(NAME parley_sip_tests SOURCES ... DEPS ... [LABEL unit])
function(parley_test)
  cmake_parse_arguments(A "" "NAME;LABEL" "SOURCES;DEPS" ${ARGN})
  if(NOT PARLEY_BUILD_TESTS)
    return()
  endif()
  if(NOT A_LABEL)
    set(A_LABEL unit)
  endif()
  add_executable(${A_NAME} ${A_SOURCES})
  _parley_common(${A_NAME})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${A_NAME} PRIVATE
      PARLEY_SHARED_TESTDATA="${PARLEY_SHARED_TESTDATA}"
      PARLEY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      PARLEY_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${A_NAME} PROPERTIES LABELS ${A_LABEL} DISCOVERY_TIMEOUT 30)
endfunction()

# parley_fuzzer(NAME sip_message SOURCES ... DEPS ...)
# With PARLEY_FUZZ=ON (clang) it links libFuzzer; otherwise it links a replay main that
# runs every file of tests/fuzz/corpus/NAME as an ordinary ctest, so seeds never rot.
function(parley_fuzzer)
  cmake_parse_arguments(A "" "NAME" "SOURCES;DEPS" ${ARGN})
  set(target fuzz_${A_NAME})
  add_executable(${target} ${A_SOURCES})
  _parley_common(${target})
  target_link_libraries(${target} PRIVATE ${A_DEPS})
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${A_NAME})
  if(PARLEY_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
    if(PARLEY_BUILD_TESTS)
      add_test(NAME fuzz_replay_${A_NAME} COMMAND ${target} ${corpus})
      set_tests_properties(fuzz_replay_${A_NAME} PROPERTIES LABELS fuzz-replay)
    endif()
  endif()
endfunction()
