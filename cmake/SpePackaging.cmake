# Install layout and Debian package (CPack DEB). Included at the end of the top-level CMakeLists.txt.
#
#   PREFIX/bin/spe, PREFIX/bin/spe-studio                        (installed by app/CMakeLists.txt)
#   PREFIX/share/spe-studio/models/<name>/...                    bundled models
#   PREFIX/share/spe-studio/prompts/...                          example prompts
#   PREFIX/share/applications/io.github.spe_studio.SpeStudio.desktop      (SPE_BUILD_GUI)
#   PREFIX/share/metainfo/io.github.spe_studio.SpeStudio.metainfo.xml     (SPE_BUILD_GUI)
#   PREFIX/share/icons/hicolor/scalable/apps/spe-studio.svg               (SPE_BUILD_GUI)
#
# The binaries find the models through generate::bundled_model_roots (core/generate/model_registry.cpp),
# whose second candidate is <directory of the executable>/../share/spe-studio/models; the first one is the
# compiled-in SPE_RESOURCE_DIR (the source tree), used when it exists. packaging/test-install.sh checks this.
#
#   cmake --install build --prefix /tmp/x         # or: cd build && cpack -G DEB
include(GNUInstallDirs)

set(SPE_APP_ID io.github.spe_studio.SpeStudio)
set(_spe_desktop_dir ${PROJECT_SOURCE_DIR}/packaging/desktop)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/resources/models ${PROJECT_SOURCE_DIR}/resources/prompts
        DESTINATION ${CMAKE_INSTALL_DATADIR}/spe-studio OPTIONAL)

if(SPE_BUILD_GUI)
  install(FILES ${_spe_desktop_dir}/${SPE_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  install(FILES ${_spe_desktop_dir}/${SPE_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${_spe_desktop_dir}/spe-studio.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
endif()

# ---- CPack: Debian package ---------------------------------------------------------------------------
set(CPACK_GENERATOR DEB CACHE STRING "CPack generators (cpack -G overrides)")
set(CPACK_PACKAGE_NAME spe-studio)
set(CPACK_PACKAGE_VENDOR "SPE Studio developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Music generation with Performer transformers and Stochastic Positional Encoding")
set(CPACK_PACKAGE_DESCRIPTION
    "SPE Studio continues MIDI prompts (or starts from scratch) with Performer transformer language models\n\
that use Stochastic Positional Encoding, which keeps them musical beyond their training length.\n\
It contains the spe-studio desktop application, the spe command-line tool and six bundled models.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)

set(CPACK_DEBIAN_PACKAGE_NAME spe-studio)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # spe-studio_0.1.0_amd64.deb
set(SPE_DEB_MAINTAINER "SPE Studio developers <spe-studio@users.noreply.github.com>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SPE_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fluid-soundfont-gm | timgm6mb-soundfont")

# Depends: computed by dpkg-shlibdeps (dpkg-dev) from the binaries' NEEDED libraries when it is there;
# otherwise the Debian 12 packages that provide them (checked with ldd + dpkg -S).
find_program(SPE_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(SPE_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(_spe_depends "libc6, libstdc++6, libgcc-s1, libtorch1.13, libpng16-16")
  if(SPE_BUILD_GUI)
    string(APPEND _spe_depends ", libqt6core6, libqt6gui6, libqt6widgets6")
  endif()
  if(SPE_WITH_AUDIO)
    string(APPEND _spe_depends ", libfluidsynth3, librtmidi6")
  endif()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${_spe_depends}")
endif()

include(CPack)
