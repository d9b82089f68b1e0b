if(NOT TARGET lfwsrv-parse)
  return()
endif()
# larafw-server's Block1 reassembly (server/srv_block1.c, capped bodies, bounded slots) against
# any sequence of blocks; corpus in tests/fuzz/corpus/server_block1/ (record format in
# server_block1.c). The corpus runs as a CTest test in the sanitizer build.
larafw_fuzz_target(server_block1 ${CMAKE_CURRENT_LIST_DIR}/server_block1.c lfwsrv-parse)
