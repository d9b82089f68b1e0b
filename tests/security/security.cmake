if(NOT TARGET larafw-server)
  return()
endif()
# Attacks on larafw-server's LwM2M side (issue 10, items 1 2 3 4 8 9 10): each test plays the
# attack with libcoap's coap-client (Debian libcoap3-bin) or a raw CoAP socket and checks the
# documented refusal (docs/server.md "Security model"). Without coap-client the tests report
# themselves skipped with the reason, never pass.
find_program(LARAFW_PYTHON3 python3)
find_program(LARAFW_COAP_CLIENT NAMES coap-client-openssl coap-client-notls coap-client)
if(NOT LARAFW_PYTHON3)
  return()
endif()
set(LARAFW_SECURITY_LWM2M
    identity   # 1, 2: PSK identity bound to its endpoint; unguessable, unlisted registration ids
    imei       # 3: IMEI checked and unique; an impostor cannot finish a job
    jobs       # 4: product/model check (409), URI written in State Idle only, phase timeouts
    block1     # 8: Block1 bodies capped (4.13), 100 000 Block1 messages keep RSS bounded
    flood      # 9: --max-devices, lifetime cap, expiry removes, rate limit that lets a NAT through
    pskfile)   # 10: PSK file read whole; group/world-readable file refused
foreach(name ${LARAFW_SECURITY_LWM2M})
  if(LARAFW_COAP_CLIENT AND TARGET larafw-pkg)
    add_test(NAME security-lwm2m-${name}
             COMMAND ${LARAFW_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.py)
    set_tests_properties(security-lwm2m-${name} PROPERTIES
      TIMEOUT 300
      ENVIRONMENT "LARAFW_SERVER=$<TARGET_FILE:larafw-server>;LARAFW_PKG=$<TARGET_FILE:larafw-pkg>;COAP_CLIENT=${LARAFW_COAP_CLIENT}")
  else()
    add_test(NAME security-lwm2m-${name}
             COMMAND sh -c "echo 'coap-client (Debian libcoap3-bin) or larafw-pkg is missing: run scripts/bootstrap'; exit 77")
    set_tests_properties(security-lwm2m-${name} PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endforeach()
