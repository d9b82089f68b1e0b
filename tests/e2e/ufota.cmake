# uFOTA, module side (tests/e2e/test_ufota*.py): larafw-sim's LwM2M client against a LwM2M
# server stand-in and an HTTP package server, both written in Python in the tests themselves.
if(NOT TARGET larafw-sim)
  return()
endif()
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3 OR NOT TARGET larafw-pkg)
  return()
endif()

file(GLOB LARAFW_UFOTA_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/test_ufota*.py)
foreach(test ${LARAFW_UFOTA_TESTS})
  get_filename_component(name ${test} NAME_WE)
  add_test(NAME e2e-sim-${name} COMMAND ${LARAFW_PYTHON3} ${test})
  set_tests_properties(e2e-sim-${name} PROPERTIES
    TIMEOUT 180
    ENVIRONMENT "LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;ASAN_OPTIONS=detect_leaks=1")
endforeach()
