# FOAT interop of larafw-sim with lrzsz sx (tests/interop/sx_foat.py).
if(NOT TARGET larafw-sim)
  return()
endif()
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3 OR NOT TARGET larafw-pkg)
  return()
endif()
add_test(NAME interop-sim-sx-foat
         COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/sx_foat.py)
set_tests_properties(interop-sim-sx-foat PROPERTIES
  TIMEOUT 180
  SKIP_RETURN_CODE 77
  ENVIRONMENT "LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;ASAN_OPTIONS=detect_leaks=1")
