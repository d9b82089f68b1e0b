if(NOT TARGET lfwpkg)
  return()
endif()
# Package header/verify/apply fuzzer; corpus in tests/fuzz/corpus/pkg_header/.
larafw_fuzz_target(pkg_header ${CMAKE_CURRENT_LIST_DIR}/pkg_header.c lfwpkg)
