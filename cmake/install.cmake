# Install rules, CMake package config (find_package(etwhf)) and pkg-config files.
include(CMakePackageConfigHelpers)

set(_etwhf_install_targets etwhf_format etwhf)
if(TARGET etwhf_gen)
  list(APPEND _etwhf_install_targets etwhf_gen)
endif()
if(TARGET etwhf_check)
  list(APPEND _etwhf_install_targets etwhf_check)
endif()

install(TARGETS ${_etwhf_install_targets}
  EXPORT etwhfTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/format/include/etwhf ${PROJECT_SOURCE_DIR}/decoder/include/etwhf
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET etwhf_gen)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/gen/include/etwhf DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
if(TARGET etwhf_check)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/check/include/etwhf DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
if(TARGET etwhf_cli)
  install(TARGETS etwhf_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(ETWHF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/etwhf)
install(EXPORT etwhfTargets NAMESPACE etwhf:: DESTINATION ${ETWHF_CMAKE_DIR})
# Only a static etwhf_check carries jansson and cJSON into its consumers' links.
if(TARGET etwhf_check AND NOT BUILD_SHARED_LIBS)
  set(ETWHF_CONFIG_NEEDS_JANSSON ON)
else()
  set(ETWHF_CONFIG_NEEDS_JANSSON OFF)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/etwhfConfig.cmake.in
  ${PROJECT_BINARY_DIR}/etwhfConfig.cmake INSTALL_DESTINATION ${ETWHF_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/etwhfConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/etwhfConfig.cmake ${PROJECT_BINARY_DIR}/etwhfConfigVersion.cmake
  DESTINATION ${ETWHF_CMAKE_DIR})

# pkg-config: paths relative to the .pc file itself, so an installed tree works
# wherever it is (cmake --install --prefix DIR) and can be moved.
file(RELATIVE_PATH ETWHF_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" ETWHF_PC_TO_PREFIX "${ETWHF_PC_TO_PREFIX}")
set(ETWHF_PC_PREFIX "\${pcfiledir}/${ETWHF_PC_TO_PREFIX}")
set(ETWHF_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(ETWHF_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/etwhf.pc.in ${PROJECT_BINARY_DIR}/etwhf.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/etwhf.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(TARGET etwhf_check)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/etwhf_check.pc.in ${PROJECT_BINARY_DIR}/etwhf_check.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/etwhf_check.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()
