# Dependencies that come from Debian. A missing one stops configuration with
# the name of the apt package that provides it.
find_package(PkgConfig)

# Fuzz targets shipped to OSS-Fuzz run where Debian's shared libraries are
# not installed: PVFUZZ_STATIC_DEPS links capstone and libelf statically.
option(PVFUZZ_STATIC_DEPS "Link capstone and libelf statically" OFF)

function(pvfuzz_require_lib var header lib apt)
  find_path(${var}_INCLUDE_DIR ${header})
  if(PVFUZZ_STATIC_DEPS)
    find_library(${var}_LIBRARY NAMES lib${lib}.a ${lib})
  else()
    find_library(${var}_LIBRARY ${lib})
  endif()
  if(NOT ${var}_INCLUDE_DIR OR NOT ${var}_LIBRARY)
    message(FATAL_ERROR "${header} / lib${lib} not found: apt-get install ${apt}")
  endif()
  add_library(${var} UNKNOWN IMPORTED GLOBAL)
  set_target_properties(${var} PROPERTIES
    IMPORTED_LOCATION "${${var}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${${var}_INCLUDE_DIR}")
endfunction()

function(pvfuzz_require_program var name apt)
  find_program(${var} ${name})
  if(NOT ${var})
    message(FATAL_ERROR "${name} not found: apt-get install ${apt}")
  endif()
endfunction()

pvfuzz_require_lib(capstone capstone/capstone.h capstone libcapstone-dev)
# The checks assume capstone 4.0 (Debian 12 and Ubuntu 24.04: 4.0.2).
# Capstone 3 prints 32-bit branch targets differently, and 5 and later decode
# and name PowerPC instructions otherwise: the cross-checks would fail on
# correct code.
file(STRINGS "${capstone_INCLUDE_DIR}/capstone/capstone.h" _cs_lines REGEX "^#define CS_(API_MAJOR|API_MINOR|VERSION_EXTRA) ")
string(REGEX REPLACE ".*CS_API_MAJOR ([0-9]+).*" "\\1" _cs_major "${_cs_lines}")
string(REGEX REPLACE ".*CS_API_MINOR ([0-9]+).*" "\\1" _cs_minor "${_cs_lines}")
string(REGEX REPLACE ".*CS_VERSION_EXTRA ([0-9]+).*" "\\1" _cs_extra "${_cs_lines}")
if(NOT _cs_major STREQUAL "4" OR NOT _cs_minor STREQUAL "0")
  message(FATAL_ERROR "capstone ${_cs_major}.${_cs_minor} in ${capstone_INCLUDE_DIR}: pvfuzz needs capstone 4.0 "
                      "(Debian 12's and Ubuntu 24.04's libcapstone-dev, 4.0.2; OSS-Fuzz: base-builder:ubuntu-24-04)")
endif()
message(STATUS "capstone ${_cs_major}.${_cs_minor}.${_cs_extra}")
if(NOT PVFUZZ_FUZZ_ONLY)
  pvfuzz_require_lib(cmocka cmocka.h cmocka libcmocka-dev)
endif()
# ELF kernels: pvfuzz patch/diff --vmlinux and the fuzz_vmlinux target.
# Linked statically (PVFUZZ_STATIC_DEPS) libelf needs its own dependencies
# named: zlib, and zstd where elfutils was built with it (Ubuntu 24.04).
pvfuzz_require_lib(libelf gelf.h elf libelf-dev)
if(PVFUZZ_STATIC_DEPS)
  find_library(PVFUZZ_LIBZ_STATIC NAMES libz.a)
  if(NOT PVFUZZ_LIBZ_STATIC)
    message(FATAL_ERROR "libz.a not found (a static libelf needs it): apt-get install zlib1g-dev")
  endif()
  set(_elf_deps "${PVFUZZ_LIBZ_STATIC}")
  find_library(PVFUZZ_LIBZSTD_STATIC NAMES libzstd.a)
  if(PVFUZZ_LIBZSTD_STATIC)
    list(APPEND _elf_deps "${PVFUZZ_LIBZSTD_STATIC}")
  endif()
  set_target_properties(libelf PROPERTIES INTERFACE_LINK_LIBRARIES "${_elf_deps}")
endif()
pvfuzz_require_program(PPC32_AS powerpc-linux-gnu-as binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC32_NM powerpc-linux-gnu-nm binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC32_OBJCOPY powerpc-linux-gnu-objcopy binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC32_OBJDUMP powerpc-linux-gnu-objdump binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC64_AS powerpc64-linux-gnu-as binutils-powerpc64-linux-gnu)
