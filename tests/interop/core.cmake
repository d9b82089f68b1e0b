# Interop of liblarafw's XMODEM sender with lrzsz `rx` (a receiver nobody here wrote).
if(NOT TARGET larafw)
  return()
endif()

find_program(LARAFW_LRZSZ_RX NAMES rx lrzsz-rx PATHS /usr/bin)
add_executable(interop_xmodem_rx ${CMAKE_CURRENT_LIST_DIR}/xmodem_rx_interop.c)
target_link_libraries(interop_xmodem_rx PRIVATE larafw)
if(LARAFW_LRZSZ_RX)
  add_test(NAME interop-core-xmodem-rx COMMAND interop_xmodem_rx ${LARAFW_LRZSZ_RX})
else()
  add_test(NAME interop-core-xmodem-rx COMMAND interop_xmodem_rx /nonexistent/rx)
endif()
set_tests_properties(interop-core-xmodem-rx PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
