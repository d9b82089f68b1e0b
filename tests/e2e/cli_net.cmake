# End-to-end tests of `larafw fota http|ftp` (test_cli_fota.py: larafw-sim downloading from
# vsftpd and nginx started by the test) and `larafw ufota`/`larafw lwm2m` (test_cli_ufota.py:
# larafw-server drives the simulated module's LwM2M client while larafw watches).
# The command's target is larafw-cli (its file is named larafw).
if(NOT TARGET larafw-cli OR NOT TARGET larafw-sim)
  return()
endif()
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3 OR NOT TARGET larafw-pkg)
  return()
endif()

set(LARAFW_CLI_NET_ENV
  "LARAFW=$<TARGET_FILE:larafw-cli>;LARAFW_CLI=$<TARGET_FILE:larafw-cli>;LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;PYTHONPATH=${CMAKE_CURRENT_LIST_DIR};PYTHONDONTWRITEBYTECODE=1")
add_test(NAME e2e-cli-fota COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_cli_fota.py)
set_tests_properties(e2e-cli-fota PROPERTIES ENVIRONMENT "${LARAFW_CLI_NET_ENV}" TIMEOUT 240
                     LABELS e2e)
if(TARGET larafw-server AND EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_cli_ufota.py)
  add_test(NAME e2e-cli-ufota
           COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_cli_ufota.py)
  set_tests_properties(e2e-cli-ufota PROPERTIES
    ENVIRONMENT "${LARAFW_CLI_NET_ENV};LARAFW_SERVER=$<TARGET_FILE:larafw-server>"
    TIMEOUT 240 LABELS e2e)
endif()
