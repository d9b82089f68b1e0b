# larafw_fuzz_target(NAME SOURCE LIBS...)
# A libFuzzer target `fuzz-NAME` whose seed corpus lives in tests/fuzz/corpus/NAME/.
# With LARAFW_FUZZ=ON (clang) it is linked with -fsanitize=fuzzer and joins `fuzz-all`.
# Otherwise it is linked with tests/fuzz/driver.c and its corpus runs as a CTest test.
if(NOT TARGET fuzz-all)
  add_custom_target(fuzz-all)
endif()

function(larafw_fuzz_target name source)
  set(corpus ${PROJECT_SOURCE_DIR}/tests/fuzz/corpus/${name})
  if(LARAFW_FUZZ)
    add_executable(fuzz-${name} ${source})
    target_compile_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz-${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz-${name} PRIVATE ${ARGN})
    set_target_properties(fuzz-${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
    add_dependencies(fuzz-all fuzz-${name})
  else()
    add_executable(fuzz-${name} ${source} ${PROJECT_SOURCE_DIR}/tests/fuzz/driver.c)
    target_link_libraries(fuzz-${name} PRIVATE ${ARGN})
    add_test(NAME fuzz-corpus-${name} COMMAND fuzz-${name} ${corpus})
  endif()
endfunction()
