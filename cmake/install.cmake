# Install rules, CMake package config (find_package(etwhf)) and pkg-config files.
include(CMakePackageConfigHelpers)

set(_etwhf_install_targets etwhf_format etwhf)
if(TARGET etwhf_gen)
  list(APPEND _etwhf_install_targets etwhf_gen)
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
if(TARGET etwhf_cli)
  install(TARGETS etwhf_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(ETWHF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/etwhf)
install(EXPORT etwhfTargets NAMESPACE etwhf:: DESTINATION ${ETWHF_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/etwhfConfig.cmake.in
  ${PROJECT_BINARY_DIR}/etwhfConfig.cmake INSTALL_DESTINATION ${ETWHF_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/etwhfConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/etwhfConfig.cmake ${PROJECT_BINARY_DIR}/etwhfConfigVersion.cmake
  DESTINATION ${ETWHF_CMAKE_DIR})

# pkg-config: the paths are made absolute at install time, relative to the prefix.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ETWHF_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  set(ETWHF_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(ETWHF_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(ETWHF_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/etwhf.pc.in ${PROJECT_BINARY_DIR}/etwhf.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/etwhf.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
