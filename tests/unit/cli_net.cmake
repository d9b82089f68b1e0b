# Unit tests of the network parts of `larafw` (src/cli/options_net.c, fota_state.c) and of
# the AT log's redaction of what `larafw fota` sends and reads (cmocka).
if(NOT TARGET larafw_cli_lib)
  return()
endif()
add_executable(test_cli_net ${CMAKE_CURRENT_LIST_DIR}/test_cli_net.c)
target_link_libraries(test_cli_net PRIVATE larafw_cli_lib PkgConfig::CMOCKA)
add_test(NAME unit-cli_net COMMAND test_cli_net)
