# The Debian package (CPack DEB), made by scripts/make-deb and tested on a
# clean Debian 12 by `scripts/check-dist deb`. One package, dmboot, with
# everything the full build installs under /usr:
#   the dmboot command and its man page, libdmboot.so.0.Y and libdmboot.a,
#   the headers, the CMake package (find_package(dmboot)), dmboot.pc, and the
#   Lua modules (lib/<multiarch>/lua/<abi>/dmboot/native.so, share/lua/<abi>/dmboot.lua).
# Depends come from dpkg-shlibdeps (libc6, libssl3); what building against
# the library needs (libssl-dev, pkg-config, cmake) is suggested.
# Configure with -DCMAKE_INSTALL_PREFIX=/usr so that GNUInstallDirs picks
# Debian's multiarch library directory, then `cpack -G DEB`.

set(CPACK_PACKAGE_NAME dmboot)
set(CPACK_PACKAGE_VENDOR "dmboot developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
"dmboot replaces the bulk list of per-device OMA DM accounts with a small
descriptor and a key: derive a device's DM account (user name, client and
server passwords, nonces) from its DevID, on the factory line, the device or
the DM server. This package holds the dmboot command, the C library with its
headers, CMake package and pkg-config file, and the Lua modules.")
set(CPACK_PACKAGE_CONTACT "dmboot developers <dmboot@example.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
# Every install component (the default one and lua) in the one package.
set(CPACK_DEB_COMPONENT_INSTALL OFF)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME dmboot)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # dmboot_<version>-1_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libssl-dev, pkg-config, cmake, lua5.4 | lua5.3 | lua5.1 | luajit")
# The WBXML conversions load libwbxml2 at run time (dlopen), when used.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libwbxml2-1")
# Control files with the modes dpkg expects (0644, scripts 0755).
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
