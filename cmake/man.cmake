# Man pages: docs/man/NAME.SECTION.scd is the one source of NAME(SECTION); scdoc (Debian
# package scdoc) turns it into build/man/NAME.SECTION at build time, and it is installed into
# share/man/manSECTION. Without scdoc the pages are skipped with a note (the --help test still
# reads the .scd sources).
find_program(SCDOC scdoc)
file(GLOB LARAFW_MAN_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/*.scd)
if(NOT SCDOC)
  message(STATUS "scdoc not found: man pages are not built (scripts/bootstrap installs it)")
  return()
endif()
set(larafw_man_pages "")
foreach(src ${LARAFW_MAN_SOURCES})
  get_filename_component(page ${src} NAME_WLE)        # larafw.1
  string(REGEX MATCH "[0-9]$" section ${page})
  set(out ${PROJECT_BINARY_DIR}/man/${page})
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND sh -c "\"$1\" < \"$2\" > \"$3\"" scdoc ${SCDOC} ${src} ${out}
    DEPENDS ${src}
    COMMENT "scdoc ${page}"
    VERBATIM)
  list(APPEND larafw_man_pages ${out})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT programs)
endforeach()
add_custom_target(man ALL DEPENDS ${larafw_man_pages})
