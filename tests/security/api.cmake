if(NOT TARGET larafw-server)
  return()
endif()
# Issue 10, the HTTP side of larafw-server: one attack per item, each succeeded before the fix
# (test_api_*.py, helpers in apisec.py; curl and Python's standard library).
#   auth      item 5   no token / wrong role / tokens file / quick-tour admin token
#   csrf      item 6   cross-site POST (Host, Origin, text/plain)
#   listeners item 7   API apart from downloads, HTTPS for both
#   packages  item 11  FIFO, %00, If-Range after replacement, 5 000 idle connections
#   startup   item 13  --http 0.0.0.0 without --public-url, NoSec and plain-API warnings
find_program(LARAFW_PYTHON3 python3)
find_program(LARAFW_CURL curl)
foreach(t auth csrf listeners packages startup)
  if(LARAFW_PYTHON3 AND LARAFW_CURL AND TARGET larafw-pkg)
    add_test(NAME security-api-${t}
             COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_api_${t}.py)
    set_tests_properties(security-api-${t} PROPERTIES
      TIMEOUT 180
      ENVIRONMENT "LARAFW_SERVER=$<TARGET_FILE:larafw-server>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;CURL=${LARAFW_CURL}")
  else()
    add_test(NAME security-api-${t}
             COMMAND sh -c "echo 'python3, curl or larafw-pkg is missing: run scripts/bootstrap'; exit 77")
    set_tests_properties(security-api-${t} PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endforeach()
