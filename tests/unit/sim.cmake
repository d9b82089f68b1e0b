# Unit tests of the simulator platform (cmocka): the AT parser alone, and the AT interpreter
# in process (output captured, state in a temporary directory).
if(NOT TARGET lfwsim)
  return()
endif()

add_executable(test-sim-at ${CMAKE_CURRENT_LIST_DIR}/test_sim_at.c)
target_link_libraries(test-sim-at PRIVATE lfwsim PkgConfig::CMOCKA)
add_test(NAME unit-sim-at COMMAND test-sim-at)

add_executable(test-sim-at-dispatch ${CMAKE_CURRENT_LIST_DIR}/test_sim_at_dispatch.c
               ${CMAKE_CURRENT_LIST_DIR}/sim_fixture.c)
target_link_libraries(test-sim-at-dispatch PRIVATE lfwsim PkgConfig::CMOCKA)
add_test(NAME unit-sim-at-dispatch COMMAND test-sim-at-dispatch)

# Two modules side by side in one process (no state outside struct sim).
add_executable(test-sim-modules ${CMAKE_CURRENT_LIST_DIR}/test_sim_modules.c
               ${CMAKE_CURRENT_LIST_DIR}/sim_fixture.c)
target_link_libraries(test-sim-modules PRIVATE lfwsim PkgConfig::CMOCKA)
add_test(NAME unit-sim-modules COMMAND test-sim-modules)

# The platform's walks over a parts table, with fake parts.
add_executable(test-sim-parts ${CMAKE_CURRENT_LIST_DIR}/test_sim_parts.c)
target_link_libraries(test-sim-parts PRIVATE lfwsim PkgConfig::CMOCKA)
add_test(NAME unit-sim-parts COMMAND test-sim-parts)
