# Installing and documenting: `cmake --install` + programs built against the installed
# liblarafw, --help against the man pages, bash completion (python3 stdlib only).
# The Debian packages are tested by `make deb-check` (scripts/deb-check), not here: too slow.
find_package(Python3 COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND OR NOT TARGET larafw-cli OR NOT TARGET larafw-sim
   OR NOT TARGET larafw-pkg OR NOT TARGET larafw-server)
  return()
endif()
set(larafw_pkg_env
  "LARAFW=$<TARGET_FILE:larafw-cli>"
  "LARAFW_SIM=$<TARGET_FILE:larafw-sim>"
  "LARAFW_PKG=$<TARGET_FILE:larafw-pkg>"
  "LARAFW_SERVER=$<TARGET_FILE:larafw-server>"
  "LARAFW_MAN_DIR=${PROJECT_SOURCE_DIR}/docs/man"
  "LARAFW_COMPLETION_DIR=${PROJECT_SOURCE_DIR}/completion/bash"
  "PYTHONPATH=${CMAKE_CURRENT_LIST_DIR}"
  "PYTHONDONTWRITEBYTECODE=1")
foreach(t help_man completion server_config)
  add_test(NAME packaging-${t}
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.py)
  set_tests_properties(packaging-${t} PROPERTIES ENVIRONMENT "${larafw_pkg_env}"
                       TIMEOUT 120 LABELS packaging)
endforeach()

# cmake/install.cmake (included after the rooms) makes liblarafw from the core and the port.
if(TARGET larafw AND TARGET larafw_posix)
  find_program(SCDOC scdoc)
  if(SCDOC)
    set(larafw_man_built 1)
  else()
    set(larafw_man_built 0)
  endif()
  add_test(NAME packaging-install
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/test_install.py)
  set_tests_properties(packaging-install PROPERTIES
    ENVIRONMENT "LARAFW_BUILD_DIR=${PROJECT_BINARY_DIR};LARAFW_SOURCE_DIR=${PROJECT_SOURCE_DIR};LARAFW_MAN_BUILT=${larafw_man_built};CC=${CMAKE_C_COMPILER};PYTHONDONTWRITEBYTECODE=1"
    TIMEOUT 300 LABELS packaging)
endif()
