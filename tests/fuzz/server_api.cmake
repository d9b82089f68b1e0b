if(NOT TARGET larafw-server)
  return()
endif()
# larafw-server's REST request path: admission (Host, Origin, token, role, Content-Type) and
# the JSON body (jansson); corpus in tests/fuzz/corpus/server_api/ (see server_api.c).
larafw_fuzz_target(server_api ${CMAKE_CURRENT_LIST_DIR}/server_api.c lfwsrv-parse)
