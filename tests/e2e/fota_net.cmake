# FOTA over FTP and HTTP(S), module side (tests/e2e/test_fota_net.py): larafw-sim against
# vsftpd and nginx started by the test on 127.0.0.1 (scripts/bootstrap installs them).
if(NOT TARGET larafw-sim)
  return()
endif()
find_program(LARAFW_PYTHON3 python3)
if(NOT LARAFW_PYTHON3 OR NOT TARGET larafw-pkg)
  return()
endif()

add_test(NAME e2e-sim-fota_net
         COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_fota_net.py)
set_tests_properties(e2e-sim-fota_net PROPERTIES
  TIMEOUT 240
  ENVIRONMENT "LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;ASAN_OPTIONS=detect_leaks=1")
