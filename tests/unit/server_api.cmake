if(NOT TARGET larafw-server)
  return()
endif()
# The REST API's front door (cmocka): tokens file, roles, Host/Origin, Content-Type, JSON
# bodies through jansson (srv_api_req.c, srv_token.c).
add_executable(test-srv-api ${CMAKE_CURRENT_LIST_DIR}/test_srv_api.c)
target_link_libraries(test-srv-api PRIVATE lfwsrv PkgConfig::CMOCKA)
add_test(NAME unit-server-api COMMAND test-srv-api)
