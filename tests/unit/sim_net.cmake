# Unit tests of the simulator's FTP/HTTP FOTA side without a network (cmocka): redaction, URLs,
# error codes, MD5, the resume record, the configuration commands in process.
if(NOT TARGET lfwsim)
  return()
endif()

add_executable(test-sim-net ${CMAKE_CURRENT_LIST_DIR}/test_sim_net.c
               ${CMAKE_CURRENT_LIST_DIR}/sim_fixture.c)
target_link_libraries(test-sim-net PRIVATE lfwsim PkgConfig::CMOCKA)
add_test(NAME unit-sim-net COMMAND test-sim-net)
