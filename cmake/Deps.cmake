# Dependencies that come from Debian. A missing one stops configuration with
# the name of the apt package that provides it.
find_package(PkgConfig)

# Fuzz targets shipped to OSS-Fuzz run where Debian's shared libraries are
# not installed: PVFUZZ_STATIC_DEPS links capstone statically.
option(PVFUZZ_STATIC_DEPS "Link capstone statically" OFF)

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
pvfuzz_require_lib(cmocka cmocka.h cmocka libcmocka-dev)
# ELF kernels (pvfuzz patch --vmlinux): the tool only, never the fuzz targets
pvfuzz_require_lib(libelf gelf.h elf libelf-dev)
pvfuzz_require_program(PPC32_AS powerpc-linux-gnu-as binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC32_NM powerpc-linux-gnu-nm binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC32_OBJCOPY powerpc-linux-gnu-objcopy binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC32_OBJDUMP powerpc-linux-gnu-objdump binutils-powerpc-linux-gnu)
pvfuzz_require_program(PPC64_AS powerpc64-linux-gnu-as binutils-powerpc64-linux-gnu)
