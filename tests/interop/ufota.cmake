# Interop: libcoap's coap-client (libcoap3-bin) against larafw-sim's LwM2M client — reads,
# writes and executes object 5 directly, block-wise both ways, DTLS-PSK, and the LwM2M 1.0
# conformance cases (Discover, partial Write, formats, observe across a reset) (lwm2m_coap_client.py).
if(NOT TARGET larafw-sim)
  return()
endif()
find_program(LARAFW_PYTHON3 python3)
find_program(LARAFW_COAP_CLIENT coap-client-notls)
if(NOT LARAFW_PYTHON3 OR NOT TARGET larafw-pkg OR NOT LARAFW_COAP_CLIENT)
  return()
endif()
add_test(NAME interop-ufota-coap-client
         COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/lwm2m_coap_client.py)
set_tests_properties(interop-ufota-coap-client PROPERTIES
  TIMEOUT 120
  ENVIRONMENT "LARAFW_SIM=$<TARGET_FILE:larafw-sim>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;ASAN_OPTIONS=detect_leaks=1")
