if(NOT TARGET lfwpkg)
  return()
endif()
# Package header/verify/apply fuzzer; corpus in tests/fuzz/corpus/pkg_header/.
# In fuzz builds it links the coverage-instrumented copy of the library (src/pkg/).
if(TARGET lfwpkg-fuzz)
  larafw_fuzz_target(pkg_header ${CMAKE_CURRENT_LIST_DIR}/pkg_header.c lfwpkg-fuzz)
else()
  larafw_fuzz_target(pkg_header ${CMAKE_CURRENT_LIST_DIR}/pkg_header.c lfwpkg)
endif()
