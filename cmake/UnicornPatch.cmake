# Applies our patches to unicorn's source tree, each once: a patch that is
# already in (a build dir made before the patch list grew) is left alone,
# one that neither applies nor is already in fails the build.
# Run as: cmake -DPATCH=<patch program> -DPATCH_DIR=<dir> -DPATCHES=<a,b>
# -P UnicornPatch.cmake from the source tree (a comma list: ExternalProject
# would split a ;-list into arguments).
string(REPLACE "," ";" _patches "${PATCHES}")
foreach(name ${_patches})
  set(p "${PATCH_DIR}/${name}")
  execute_process(COMMAND ${PATCH} -p1 -R --dry-run -s -f -i "${p}" RESULT_VARIABLE applied OUTPUT_QUIET ERROR_QUIET)
  if(applied EQUAL 0)
    message(STATUS "unicorn: ${p} is already applied")
    continue()
  endif()
  execute_process(COMMAND ${PATCH} -p1 --forward -s -i "${p}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "unicorn: ${p} does not apply to this unicorn source")
  endif()
endforeach()
