# Fuzz target of the simulator's XMODEM receiver; its corpus runs as a test (cmake/LarafwFuzz.cmake).
larafw_fuzz_target(sim_xmodem ${PROJECT_SOURCE_DIR}/tests/fuzz/sim_xmodem.c)
target_sources(fuzz-sim_xmodem PRIVATE ${PROJECT_SOURCE_DIR}/sim/update/sim_xmodem.c)
target_include_directories(fuzz-sim_xmodem PRIVATE ${PROJECT_SOURCE_DIR}/sim/update)
