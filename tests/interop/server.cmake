if(NOT TARGET larafw-server)
  return()
endif()
# larafw-server against libcoap's coap-client (a fake LwM2M device, plain and DTLS-PSK) and
# curl (package Range, path traversal, REST API). Both come from Debian (libcoap3-bin, curl);
# when one is missing the test reports itself skipped with the reason, never passes.
find_program(LARAFW_PYTHON3 python3)
find_program(LARAFW_COAP_CLIENT NAMES coap-client-openssl coap-client-notls coap-client)
find_program(LARAFW_CURL curl)
if(NOT LARAFW_PYTHON3)
  return()
endif()
if(LARAFW_COAP_CLIENT AND LARAFW_CURL)
  add_test(NAME interop-server-coap-client
           COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/server_coap.py)
  set_tests_properties(interop-server-coap-client PROPERTIES
    TIMEOUT 120
    ENVIRONMENT "LARAFW_SERVER=$<TARGET_FILE:larafw-server>;COAP_CLIENT=${LARAFW_COAP_CLIENT};CURL=${LARAFW_CURL}")
else()
  add_test(NAME interop-server-coap-client
           COMMAND sh -c "echo 'coap-client (Debian libcoap3-bin) or curl is missing: run scripts/bootstrap'; exit 77")
  set_tests_properties(interop-server-coap-client PROPERTIES SKIP_RETURN_CODE 77)
endif()
