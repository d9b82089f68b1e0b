# Unit tests of the simulator's firmware-update engine (sim/update/sim_xmodem.c is pure: it is
# compiled into the test directly, so the test does not need the rest of the simulator).
add_executable(test-sim-xmodem
  ${PROJECT_SOURCE_DIR}/tests/unit/test_sim_xmodem.c
  ${PROJECT_SOURCE_DIR}/sim/update/sim_xmodem.c)
target_include_directories(test-sim-xmodem PRIVATE ${PROJECT_SOURCE_DIR}/sim/update)
target_link_libraries(test-sim-xmodem PRIVATE PkgConfig::CMOCKA)
add_test(NAME unit-sim-xmodem COMMAND test-sim-xmodem)
