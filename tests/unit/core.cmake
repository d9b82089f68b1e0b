# Unit tests of liblarafw's portable core against a scripted fake port (cmocka).
if(NOT TARGET larafw)
  return()
endif()

add_library(larafw_fake_port STATIC ${CMAKE_CURRENT_LIST_DIR}/fake_port.c)
target_link_libraries(larafw_fake_port PUBLIC larafw)
target_include_directories(larafw_fake_port PUBLIC ${CMAKE_CURRENT_LIST_DIR})

foreach(t core_at core_xmodem core_proc core_tables core_fota_net core_ufota)
  add_executable(test_${t} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
  target_link_libraries(test_${t} PRIVATE larafw_fake_port larafw PkgConfig::CMOCKA)
  add_test(NAME unit-${t} COMMAND test_${t})
endforeach()

# The core on a Cortex-M4: compiles with newlib only, fits 12.5 KiB, no .data/.bss, no heap.
find_program(LARAFW_ARM_GCC arm-none-eabi-gcc)
if(LARAFW_ARM_GCC)
  add_test(NAME bench-core-size
           COMMAND ${PROJECT_SOURCE_DIR}/bench/core-size ${PROJECT_BINARY_DIR}/cortex-m4)
endif()
