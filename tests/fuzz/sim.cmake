# Fuzz target of the simulator's AT parser and interpreter; corpus in tests/fuzz/corpus/sim_at/.
if(NOT TARGET lfwsim)
  return()
endif()
larafw_fuzz_target(sim_at ${CMAKE_CURRENT_LIST_DIR}/sim_at.c lfwsim)
if(LARAFW_FUZZ)
  # coverage feedback from the whole interpreter, not only from the target's own file
  foreach(t lfwsim ${LFWSIM_LAYERS})
    target_compile_options(${t} PRIVATE -fsanitize=fuzzer-no-link)
  endforeach()
endif()
