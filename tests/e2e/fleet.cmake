if(NOT TARGET larafw-fleet OR NOT TARGET larafw-server OR NOT TARGET larafw-pkg)
  return()
endif()
# larafw-fleet against larafw-server on 127.0.0.1 (test_fleet.py): 200 modules at 100/s all
# register (server device list and the fleet's report agree); 20 fleet modules take a uFOTA
# update through `larafw-server update`, one with a broken package fails with Update Result 5.
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3)
  return()
endif()
add_test(NAME e2e-fleet COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_fleet.py)
set_tests_properties(e2e-fleet PROPERTIES
  TIMEOUT 240
  ENVIRONMENT "LARAFW_FLEET=$<TARGET_FILE:larafw-fleet>;LARAFW_SERVER=$<TARGET_FILE:larafw-server>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>")
