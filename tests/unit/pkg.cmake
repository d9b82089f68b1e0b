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
