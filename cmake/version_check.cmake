# The version is written in CMakeLists.txt (project(dmboot VERSION ...)) and
# repeated where other tools need it; every copy must agree:
#   pyproject.toml               [project] version = "X.Y.Z"   (pip, the wheel)
#   dmboot-X.Y.Z-R.rockspec      its name, version = "X.Y.Z-R", tag = "vX.Y.Z"
#   core/include/dmboot/common.h #define DMBOOT_VERSION_STRING "X.Y.Z"
#                                (dmboot_version(), dmboot --version)
# Included by CMakeLists.txt, so a mismatch stops the configure step; also a
# script for CTest (version.check, and version.check_refuses with a wrong
# version):
#   cmake -DDMBOOT_SOURCE_DIR=DIR -DDMBOOT_VERSION=X.Y.Z -P cmake/version_check.cmake
# A file that is absent (a tree cut down for one package) is not checked.
# docs/release.md says how to change the version.

function(dmboot_version_check src version)
  set(problems "")

  if(EXISTS ${src}/pyproject.toml)
    file(STRINGS ${src}/pyproject.toml _lines REGEX "^version *= *\"")
    list(LENGTH _lines _n)
    if(NOT _n EQUAL 1 OR NOT _lines MATCHES "^version *= *\"${version}\"$")
      list(APPEND problems "pyproject.toml: version is '${_lines}', not \"${version}\"")
    endif()
  endif()

  file(GLOB _rocks RELATIVE ${src} ${src}/*.rockspec)
  if(_rocks)
    list(LENGTH _rocks _n)
    if(NOT _n EQUAL 1)
      list(APPEND problems "more than one rockspec: ${_rocks}")
    endif()
    foreach(_rock IN LISTS _rocks)
      string(REGEX MATCH "^dmboot-([0-9.]+)-([0-9]+)\\.rockspec$" _m "${_rock}")
      if(NOT _m OR NOT CMAKE_MATCH_1 STREQUAL version)
        list(APPEND problems "${_rock}: the name is not dmboot-${version}-<revision>.rockspec")
        continue()
      endif()
      set(_rev ${CMAKE_MATCH_2})
      file(READ ${src}/${_rock} _text)
      if(NOT _text MATCHES "\nversion = \"${version}-${_rev}\"")
        list(APPEND problems "${_rock}: no line version = \"${version}-${_rev}\"")
      endif()
      if(NOT _text MATCHES "tag = \"v${version}\"")
        list(APPEND problems "${_rock}: no source tag = \"v${version}\"")
      endif()
    endforeach()
  endif()

  set(_h ${src}/core/include/dmboot/common.h)
  if(EXISTS ${_h})
    file(STRINGS ${_h} _def REGEX "^#define DMBOOT_VERSION_STRING ")
    if(NOT _def STREQUAL "#define DMBOOT_VERSION_STRING \"${version}\"")
      list(APPEND problems "core/include/dmboot/common.h: '${_def}', not \"${version}\"")
    endif()
  endif()

  if(problems)
    list(JOIN problems "\n  " _text)
    message(FATAL_ERROR "dmboot: the version is ${version} (CMakeLists.txt) but:\n  ${_text}\n"
                        "(docs/release.md: every copy of the version changes together)")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  dmboot_version_check("${DMBOOT_SOURCE_DIR}" "${DMBOOT_VERSION}")
  message(STATUS "dmboot ${DMBOOT_VERSION}: pyproject.toml, the rockspec and common.h agree")
else()
  dmboot_version_check("${PROJECT_SOURCE_DIR}" "${PROJECT_VERSION}")
endif()
