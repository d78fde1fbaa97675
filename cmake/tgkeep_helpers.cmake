# tgkeep_unit_test(NAME SOURCES... LIBS...): a GoogleTest binary labelled `unit` (no I/O).
# Tests sit beside the code they test; the label says what a test needs to run.
function(tgkeep_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;LIBS" ${ARGN})
  if(NOT TGKEEP_TESTS)
    return()
  endif()
  if(NOT T_LABEL)
    set(T_LABEL unit)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  # The tests' own sources (GoogleTest's templates, mostly) build at -O0 with line tables only:
  # less than half the compile time of -O2 -g (measured), and all a test binary needs. The code
  # under test comes from the libraries, built with the project's flags.
  if(NOT CMAKE_BUILD_TYPE STREQUAL "Debug")
    target_compile_options(${name} PRIVATE -O0 -g1)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS ${T_LABEL} TIMEOUT 120)
endfunction()
