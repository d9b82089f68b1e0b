# Unit tests of the `larafw` command's parts and of the POSIX port (cmocka).
if(NOT TARGET larafw_cli_lib)
  return()
endif()

foreach(t cli_redact cli_options cli_json cli_progress cli_atlog cli_line)
  add_executable(test_${t} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
  target_link_libraries(test_${t} PRIVATE larafw_cli_lib PkgConfig::CMOCKA)
  add_test(NAME unit-${t} COMMAND test_${t})
endforeach()

if(TARGET larafw_posix)
  add_executable(test_cli_posix ${CMAKE_CURRENT_LIST_DIR}/test_cli_posix.c)
  target_link_libraries(test_cli_posix PRIVATE larafw_posix PkgConfig::CMOCKA util)
  if(TARGET larafw)
    target_compile_definitions(test_cli_posix PRIVATE LFW_HAVE_CORE)
  endif()
  add_test(NAME unit-cli_posix COMMAND test_cli_posix)
endif()

# The same port with EINTR and short transfers forced on every data system call it makes.
if(TARGET larafw_posix)
  add_executable(test_cli_posix_shim ${CMAKE_CURRENT_LIST_DIR}/test_cli_posix_shim.c)
  target_link_libraries(test_cli_posix_shim PRIVATE larafw_posix PkgConfig::CMOCKA)
  target_link_options(test_cli_posix_shim PRIVATE
                      -Wl,--wrap=write,--wrap=read,--wrap=pread)
  add_test(NAME unit-cli_posix_shim COMMAND test_cli_posix_shim)
endif()
