# complexity.cmake — runs clang-tidy with CONFIG (decoder/.clang-tidy) over
# SOURCES, one file at a time; fails when any function is over the bar or
# clang-tidy cannot check a file (no compile command, a parse error).
#
#   -DCLANG_TIDY=path -DCONFIG=file -DSOURCES=a.c;b.c
#   -DBUILD_DIR=dir      compile commands from dir/compile_commands.json
#                        (without it: `-- -std=gnu11`, for the fixture)
#   -DEXTRA=a;b          compiler arguments added to every file's command
#                        (-DETWHF_PLANTED_BUGS=1 checks the planted build)
#   -DEXPECT=f;g         self-check: pass only when function f is reported
#                        and function g is not
cmake_minimum_required(VERSION 3.20)

set(_findings "")
set(_broken "")
list(REMOVE_ITEM SOURCES "")
if(NOT SOURCES)
  message(FATAL_ERROR "no sources to check")
endif()
foreach(_src IN LISTS SOURCES)
  if(BUILD_DIR)
    # Compiler warnings are the build's business, not this check's: -Werror
    # from the build's flags must not turn a clang-only warning into a finding.
    set(_args -p ${BUILD_DIR} --extra-arg=-Wno-error --extra-arg=-Wno-unknown-warning-option)
    foreach(_x IN LISTS EXTRA)
      list(APPEND _args --extra-arg=${_x})
    endforeach()
    list(APPEND _args ${_src})
  else()
    set(_args ${_src} -- -std=gnu11 ${EXTRA})
  endif()
  execute_process(COMMAND ${CLANG_TIDY} --quiet --config-file=${CONFIG} ${_args}
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  string(REGEX MATCHALL "[^\n]*function '[^']*' has cognitive complexity of [0-9]+[^\n]*" _hits "${_out}")
  list(APPEND _findings ${_hits})
  # A file clang-tidy could not check must not pass as a clean one.
  if(NOT _rc EQUAL 0 AND NOT _hits)
    list(APPEND _broken "${_src} (exit ${_rc}):\n${_out}${_err}")
  elseif(_out MATCHES "error: " AND NOT _out MATCHES "cognitive complexity")
    list(APPEND _broken "${_src}:\n${_out}")
  elseif(_err MATCHES "Compile command not found|Error while processing")
    list(APPEND _broken "${_src}:\n${_err}")
  endif()
endforeach()

if(_broken)
  string(REPLACE ";" "\n" _msg "${_broken}")
  message(FATAL_ERROR "clang-tidy could not check every file:\n${_msg}")
endif()

if(EXPECT)
  list(GET EXPECT 0 _over)
  list(GET EXPECT 1 _at)
  string(REPLACE ";" "\n" _msg "${_findings}")
  if(NOT _msg MATCHES "function '${_over}' has cognitive complexity")
    message(FATAL_ERROR "the check did not report ${_over}, which is over the bar:\n${_msg}")
  endif()
  if(_msg MATCHES "function '${_at}' has")
    message(FATAL_ERROR "the check reported ${_at}, which is at the bar (allowed):\n${_msg}")
  endif()
  message(STATUS "the check reports ${_over} and passes ${_at}, as the threshold says")
  return()
endif()

list(LENGTH SOURCES _n)
if(_findings)
  list(REMOVE_DUPLICATES _findings) # a header's function is seen from every file that includes it
  string(REPLACE ";" "\n" _msg "${_findings}")
  message(FATAL_ERROR "functions over the cognitive-complexity bar of ${CONFIG}:\n${_msg}\n"
                      "Split them into steps named after the rules they implement.")
endif()
message(STATUS "${_n} files checked: no function over the bar of ${CONFIG}")
