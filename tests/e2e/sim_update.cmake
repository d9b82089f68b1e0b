# Firmware-update engine of larafw-sim end to end over the pty (tests/e2e/test_foat*.py,
# tests/e2e/test_install*.py; Python 3 standard library, tests/e2e/simharness.py).
if(NOT TARGET larafw-sim)
  return()
endif()
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3 OR NOT TARGET larafw-pkg)
  return()
endif()

foreach(name install_codes install_power install_sweep foat)
  if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_${name}.py)
    add_test(NAME e2e-sim-${name}
             COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.py)
    set_tests_properties(e2e-sim-${name} PROPERTIES
      TIMEOUT 180
      ENVIRONMENT "LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;ASAN_OPTIONS=detect_leaks=1")
  endif()
endforeach()
