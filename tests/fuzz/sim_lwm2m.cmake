# Fuzz target of the simulator's LwM2M payload parsers (TLV through the shared codec in
# src/lwm2m, JSON, text, paths); corpus in tests/fuzz/corpus/sim_lwm2m/ runs as a test
# (cmake/LarafwFuzz.cmake).
if(NOT TARGET larafw-sim)
  return()
endif()
if(LARAFW_FUZZ)
  larafw_fuzz_target(sim_lwm2m ${PROJECT_SOURCE_DIR}/tests/fuzz/sim_lwm2m.c lfwlwm2m-fuzz)
else()
  larafw_fuzz_target(sim_lwm2m ${PROJECT_SOURCE_DIR}/tests/fuzz/sim_lwm2m.c lfwlwm2m)
endif()
target_sources(fuzz-sim_lwm2m PRIVATE ${PROJECT_SOURCE_DIR}/sim/lwm2m/sim_lwm2m_data.c)
target_include_directories(fuzz-sim_lwm2m PRIVATE ${PROJECT_SOURCE_DIR}/sim/lwm2m)
