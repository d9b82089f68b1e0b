# libFuzzer target of liblarafw's AT channel and the answer-parsing procedures; its corpus
# runs as an ordinary test in the sanitizer build (cmake/LarafwFuzz.cmake).
if(NOT TARGET larafw)
  return()
endif()
larafw_fuzz_target(core_at ${PROJECT_SOURCE_DIR}/tests/fuzz/core_at.c larafw)
