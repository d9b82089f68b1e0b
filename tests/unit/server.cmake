if(NOT TARGET larafw-server)
  return()
endif()
# larafw-server unit tests (cmocka): parsers/encoders (link format, registration query,
# Range, JSON, PSK file, OMA table) and the SQLite store.
add_executable(test-srv-codec ${CMAKE_CURRENT_LIST_DIR}/test_srv_codec.c)
target_link_libraries(test-srv-codec PRIVATE lfwsrv PkgConfig::CMOCKA)
add_test(NAME unit-server-codec COMMAND test-srv-codec)
add_executable(test-srv-store ${CMAKE_CURRENT_LIST_DIR}/test_srv_store.c)
target_link_libraries(test-srv-store PRIVATE lfwsrv PkgConfig::CMOCKA)
add_test(NAME unit-server-store COMMAND test-srv-store)
