# Builds unicorn 2.1.4 from its release tarball, PowerPC targets only, as one
# static archive, with our two fixes applied: the PPC64 CPU-model index
# (spec section 9) and no pause on `or rX,rX,rX` (which ended every run at
# such a no-op on 64-bit flavors: docs/emulator.md).
#
# Result: imported target `unicorn::unicorn` (static library + include dir).
#
# PVFUZZ_UNICORN_FROM=<another build dir of this project> reuses the unicorn
# that build made instead of building it again (mutant and coverage builds:
# unicorn is not code under test and is built the same way everywhere).
include(ExternalProject)

# unicorn::unicorn: the static library LIB with its headers in INC
function(pvfuzz_import_unicorn lib inc)
  add_library(unicorn::unicorn STATIC IMPORTED GLOBAL)
  set_target_properties(unicorn::unicorn PROPERTIES IMPORTED_LOCATION "${lib}" INTERFACE_INCLUDE_DIRECTORIES "${inc}")
  find_package(Threads REQUIRED)
  target_link_libraries(unicorn::unicorn INTERFACE Threads::Threads m)
endfunction()

set(PVFUZZ_UNICORN_FROM "" CACHE PATH "a pvfuzz build dir whose unicorn to reuse (empty: build it here)")
if(PVFUZZ_UNICORN_FROM)
  set(_from_lib "${PVFUZZ_UNICORN_FROM}/unicorn/src/unicorn_ext-build/libunicorn.a")
  set(_from_inc "${PVFUZZ_UNICORN_FROM}/unicorn/src/unicorn_ext/include")
  if(NOT EXISTS "${_from_lib}" OR NOT EXISTS "${_from_inc}/unicorn/unicorn.h")
    message(FATAL_ERROR "PVFUZZ_UNICORN_FROM=${PVFUZZ_UNICORN_FROM} has no built unicorn (${_from_lib})")
  endif()
  message(STATUS "unicorn: reused from ${PVFUZZ_UNICORN_FROM}")
  pvfuzz_import_unicorn("${_from_lib}" "${_from_inc}")
  return()
endif()

set(PVFUZZ_UNICORN_SHA256
    3ba74444ccc4787854b8c844e7fe0ab752ba0a9d5205b9654c9e0973548a535c)
set(PVFUZZ_UNICORN_URL
    https://github.com/unicorn-engine/unicorn/archive/refs/tags/2.1.4.tar.gz)
set(_vendored "${PROJECT_SOURCE_DIR}/../shared/vendor/unicorn-2.1.4.tar.gz")
if(EXISTS "${_vendored}")
  get_filename_component(_vendored "${_vendored}" ABSOLUTE)
  set(_default_tarball "${_vendored}")
else()
  set(_default_tarball "${PVFUZZ_UNICORN_URL}")
endif()
set(PVFUZZ_UNICORN_TARBALL "${_default_tarball}" CACHE STRING
    "unicorn 2.1.4 release tarball: a local path or a URL (checksum verified)")
if(NOT PVFUZZ_UNICORN_TARBALL MATCHES "^[a-z]+://" AND NOT EXISTS "${PVFUZZ_UNICORN_TARBALL}")
  message(FATAL_ERROR "PVFUZZ_UNICORN_TARBALL=${PVFUZZ_UNICORN_TARBALL} does not exist")
endif()
message(STATUS "unicorn tarball: ${PVFUZZ_UNICORN_TARBALL}")

find_program(PATCH_EXECUTABLE patch)
if(NOT PATCH_EXECUTABLE)
  message(FATAL_ERROR "'patch' not found: apt-get install patch")
endif()

set(_uc_prefix "${CMAKE_BINARY_DIR}/unicorn")
set(_uc_src "${_uc_prefix}/src/unicorn_ext")
set(_uc_bin "${_uc_prefix}/src/unicorn_ext-build")
set(_uc_lib "${_uc_bin}/libunicorn.a")

# unicorn is built without sanitizers or coverage: it is a dependency, not
# code under test, and instrumenting qemu makes every run several times slower.
# Nothing of the caller's environment reaches it: OSS-Fuzz exports its
# sanitizer and coverage flags in CFLAGS, which CMake would otherwise take
# for unicorn's own (and UBSan then stops in qemu's translate.c on a shift
# that is not ours to fix). So unicorn's configure step runs with CFLAGS,
# CXXFLAGS and LDFLAGS unset and its flags given here (its build step uses
# only what configure wrote). (MSan would need an instrumented
# unicorn; project.yaml leaves MSan out for that reason.)
set(_uc_extract_opt)
if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.24)
  set(_uc_extract_opt DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
endif()
# AFL++'s compiler wrappers instrument whatever they compile: unicorn gets
# the plain clang beneath them.
set(_uc_cc "${CMAKE_C_COMPILER}")
get_filename_component(_cc_name "${CMAKE_C_COMPILER}" NAME)
if(_cc_name MATCHES "^afl-")
  find_program(_uc_plain_cc NAMES clang-14 clang)
  if(NOT _uc_plain_cc)
    message(FATAL_ERROR "building with ${_cc_name}: no clang found for unicorn")
  endif()
  set(_uc_cc "${_uc_plain_cc}")
  message(STATUS "unicorn: built with ${_uc_cc}, not the AFL++ wrapper ${_cc_name}")
endif()
ExternalProject_Add(unicorn_ext
  PREFIX "${_uc_prefix}"
  SOURCE_DIR "${_uc_src}"
  BINARY_DIR "${_uc_bin}"
  URL "${PVFUZZ_UNICORN_TARBALL}"
  URL_HASH SHA256=${PVFUZZ_UNICORN_SHA256}
  ${_uc_extract_opt}
  PATCH_COMMAND ${CMAKE_COMMAND} -DPATCH=${PATCH_EXECUTABLE}
                -DPATCH_DIR=${PROJECT_SOURCE_DIR}/third_party
                -DPATCHES=unicorn-ppc64-cpu-model.patch,unicorn-ppc64-or-pause.patch,unicorn-ppc-xer-flags.patch
                -P "${PROJECT_SOURCE_DIR}/cmake/UnicornPatch.cmake"
  CMAKE_COMMAND ${CMAKE_COMMAND} -E env --unset=CFLAGS --unset=CXXFLAGS --unset=LDFLAGS --unset=CPPFLAGS
                ${CMAKE_COMMAND}
  CMAKE_ARGS
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_C_FLAGS=
    -DCMAKE_EXE_LINKER_FLAGS=
    -DCMAKE_SHARED_LINKER_FLAGS=
    -DCMAKE_C_COMPILER=${_uc_cc}
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON
    -DUNICORN_ARCH=ppc
    -DBUILD_SHARED_LIBS=OFF
    -DUNICORN_LEGACY_STATIC_ARCHIVE=ON
    -DUNICORN_BUILD_TESTS=OFF
    -DUNICORN_INSTALL=OFF
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS "${_uc_lib}"
)

file(MAKE_DIRECTORY "${_uc_src}/include")
pvfuzz_import_unicorn("${_uc_lib}" "${_uc_src}/include")
add_dependencies(unicorn::unicorn unicorn_ext)
