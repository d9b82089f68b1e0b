if(NOT TARGET larafw-server)
  return()
endif()
# larafw-server end to end with larafw-sim's LwM2M client: registration, then
# `larafw-server update` drives a delta update to the end (exit 0, AT+CGMR shows the new
# version); a broken signature ends with Update Result 5 and exit 1 (test_server_sim.py).
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3)
  return()
endif()
# Update jobs against a scripted LwM2M device (refused Write, reboot mid-download, back on
# the old version with Update Result 8, 409 for a second job): test_server_jobs.py.
if(TARGET larafw-pkg)
  add_test(NAME e2e-server-jobs COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_server_jobs.py)
  set_tests_properties(e2e-server-jobs PROPERTIES
    TIMEOUT 180
    ENVIRONMENT "LARAFW_SERVER=$<TARGET_FILE:larafw-server>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>")
endif()
if(TARGET larafw-sim AND TARGET larafw-pkg)
  add_test(NAME e2e-server-sim COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_server_sim.py)
  set_tests_properties(e2e-server-sim PROPERTIES
    TIMEOUT 240
    ENVIRONMENT "LARAFW_SERVER=$<TARGET_FILE:larafw-server>;LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>")
else()
  add_test(NAME e2e-server-sim
           COMMAND sh -c "echo 'larafw-sim or larafw-pkg is not built (LARAFW_ROOMS): the update is not verified end to end'; exit 77")
  set_tests_properties(e2e-server-sim PROPERTIES SKIP_RETURN_CODE 77)
endif()
