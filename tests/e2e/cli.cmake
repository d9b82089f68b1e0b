# End-to-end tests of the `larafw` command against larafw-sim (python3 stdlib only).
# The command's target is larafw-cli (its file is named larafw; the target name larafw is the
# core library).
if(NOT TARGET larafw-sim OR NOT TARGET larafw-cli OR NOT TARGET larafw-pkg)
  return()
endif()
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
  return()
endif()

set(LARAFW_E2E_CLI_ENV "LARAFW=$<TARGET_FILE:larafw-cli>;LARAFW_CLI=$<TARGET_FILE:larafw-cli>;LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;PYTHONPATH=${CMAKE_CURRENT_LIST_DIR};PYTHONDONTWRITEBYTECODE=1")
foreach(t test_cli_update test_cli_faults test_cli_runtime)
  add_test(NAME e2e-cli-${t}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/${t}.py)
  set_tests_properties(e2e-cli-${t} PROPERTIES
    ENVIRONMENT "${LARAFW_E2E_CLI_ENV}"
    TIMEOUT 300
    LABELS e2e)
endforeach()
# The same tests with larafw and larafw-sim as an unprivileged throw-away uid (setpriv) when
# ctest runs as root; as a normal user they run as that user (cli_env.py).
add_test(NAME e2e-cli-test_cli_update-user
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_cli_update.py)
set_tests_properties(e2e-cli-test_cli_update-user PROPERTIES
  ENVIRONMENT "${LARAFW_E2E_CLI_ENV};LARAFW_E2E_USER=1"
  TIMEOUT 300
  LABELS e2e)

# `larafw ports` and `-p auto` against a fake sysfs tree (LARAFW_SYSFS_ROOT, LARAFW_DEV_DIR).
add_test(NAME e2e-cli-test_cli_ports
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_cli_ports.py)
set_tests_properties(e2e-cli-test_cli_ports PROPERTIES
  ENVIRONMENT "LARAFW=$<TARGET_FILE:larafw-cli>;LARAFW_CLI=$<TARGET_FILE:larafw-cli>;LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;PYTHONPATH=${CMAKE_CURRENT_LIST_DIR};PYTHONDONTWRITEBYTECODE=1"
  TIMEOUT 300
  LABELS e2e)
