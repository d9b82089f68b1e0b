if(NOT TARGET lfwpkg)
  return()
endif()
# lfwpkg unit tests (cmocka) and the larafw-pkg end-to-end shell test.
foreach(name test_pkg test_pkg_apply)
  string(REPLACE "_" "-" target ${name})
  add_executable(${target} ${CMAKE_CURRENT_LIST_DIR}/${name}.c
                           ${CMAKE_CURRENT_LIST_DIR}/pkg_test_util.c)
  target_link_libraries(${target} PRIVATE lfwpkg PkgConfig::CMOCKA)
  add_test(NAME unit-${target} COMMAND ${target})
endforeach()
if(TARGET larafw-pkg)
  add_test(NAME pkg-cli COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/pkg_cli.sh $<TARGET_FILE:larafw-pkg>)
endif()
# The same commands under forced short reads/writes and EINTR (Linux, glibc).
if(TARGET larafw-pkg AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  add_library(pkg-io-shim SHARED ${CMAKE_CURRENT_LIST_DIR}/pkg_io_shim.c)
  target_link_libraries(pkg-io-shim PRIVATE ${CMAKE_DL_LIBS})
  add_test(NAME pkg-cli-io-shim
           COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/pkg_io_shim.sh $<TARGET_FILE:larafw-pkg>
                   $<TARGET_FILE:pkg-io-shim>)
endif()
