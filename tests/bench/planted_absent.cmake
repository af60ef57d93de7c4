# A normal build's decoder library holds no planted-bug or rule-mutant code:
# no canary or mutant symbol and none of the names their tables or switches
# use.
# Run: cmake -DLIB=libetwhf.a -DNM=nm -P planted_absent.cmake
if(NOT EXISTS "${LIB}")
  message(FATAL_ERROR "no library at '${LIB}'")
endif()
execute_process(COMMAND ${NM} -A "${LIB}" OUTPUT_VARIABLE syms RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${LIB}: ${err}")
endif()
if(NOT syms MATCHES "etwhf_decoder_new")
  message(FATAL_ERROR "${NM} lists no etwhf_decoder_new in ${LIB}: not the decoder library?")
endif()
# Only symbol names are matched (" T name"): nm -A puts the library's path,
# which may hold any word, on every line.
if(syms MATCHES " [A-Za-z] [^\n]*(planted|mutant)")
  string(REGEX MATCHALL "[^\n]* [A-Za-z] [^\n]*(planted|mutant)[^\n]*" hits "${syms}")
  message(FATAL_ERROR "planted-bug or mutant symbols in a normal build:\n${hits}")
endif()
file(STRINGS "${LIB}" strs REGEX "ETWHF_PLANTED|ETWHF_MUTANT|perfinfo_pmc_unchecked|stride_after_damage|filler_error")
if(strs)
  message(FATAL_ERROR "planted-bug strings in a normal build: ${strs}")
endif()
message(STATUS "no planted-bug code in ${LIB}")
