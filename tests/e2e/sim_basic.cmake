# larafw-sim platform end-to-end tests (Python 3, standard library only; tests/e2e/simharness.py).
if(NOT TARGET larafw-sim)
  return()
endif()
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3 OR NOT TARGET larafw-pkg)
  return()
endif()

add_test(NAME e2e-sim-basic
         COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_sim_basic.py)
set_tests_properties(e2e-sim-basic PROPERTIES
  TIMEOUT 300
  ENVIRONMENT "LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;ASAN_OPTIONS=detect_leaks=1")

# Secrets: --psk-key-file (private file, key never echoed), report redaction of near-miss
# password commands, 0600 state and report files (test_sim_secrets.py).
add_test(NAME e2e-sim-secrets
         COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_sim_secrets.py)
set_tests_properties(e2e-sim-secrets PROPERTIES
  TIMEOUT 180
  ENVIRONMENT "LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;ASAN_OPTIONS=detect_leaks=1")
