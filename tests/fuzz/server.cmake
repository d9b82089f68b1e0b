if(NOT TARGET larafw-server)
  return()
endif()
# larafw-server parsers (TLV through the shared codec in src/lwm2m, link format, registration
# query, Range, JSON); corpus in tests/fuzz/corpus/server_lwm2m/ (first byte selects the
# parser, see server_lwm2m.c).
if(LARAFW_FUZZ)
  larafw_fuzz_target(server_lwm2m ${CMAKE_CURRENT_LIST_DIR}/server_lwm2m.c lfwsrv-parse
                     lfwlwm2m-fuzz)
else()
  larafw_fuzz_target(server_lwm2m ${CMAKE_CURRENT_LIST_DIR}/server_lwm2m.c lfwsrv-parse lfwlwm2m)
endif()
