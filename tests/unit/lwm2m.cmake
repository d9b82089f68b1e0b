# Unit tests (cmocka) of the OMA-TLV codec shared by larafw-server and larafw-sim (src/lwm2m).
if(NOT TARGET lfwlwm2m)
  return()
endif()
add_executable(test-lwm2m-tlv ${CMAKE_CURRENT_LIST_DIR}/test_lwm2m_tlv.c)
target_link_libraries(test-lwm2m-tlv PRIVATE lfwlwm2m PkgConfig::CMOCKA)
add_test(NAME unit-lwm2m-tlv COMMAND test-lwm2m-tlv)
