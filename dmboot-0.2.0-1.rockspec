-- luarocks make (from a checkout; nothing is downloaded): builds the Lua C
-- module dmboot.native with CMake (the C core linked in statically, SWIG
-- run on bindings/dmboot.i) for luarocks' Lua, and installs it with
-- lua/dmboot.lua. Needs cmake, a C compiler, swig (4.1 or later) and the
-- OpenSSL 3 headers (libssl-dev).
--
--   luarocks make                                  # the default Lua
--   luarocks --lua-version 5.4 --tree /opt/rocks make
rockspec_format = "3.0"
package = "dmboot"
version = "0.2.0-1"
source = {
   -- Not fetched by `luarocks make`, which builds the checkout it runs in.
   url = "git+https://example.invalid/dmboot.git",
   tag = "v0.2.0",
}
description = {
   summary = "OMA DM factory bootstrap: descriptors, derivation of DM accounts, credentials",
   detailed = [[
dmboot replaces the bulk list of per-device OMA DM accounts with a small
descriptor and a key: derive a device's DM account (user name, client and
server passwords, nonces) from its DevID, on the factory line, the device or
the DM server. This rock is the Lua binding of the C core.]],
   license = "see the repository",
}
dependencies = {
   "lua >= 5.1",
}
build = {
   type = "cmake",
   variables = {
      -- One module, for this Lua (lua/CMakeLists.txt, "luarocks").
      DMBOOT_LUA_INCDIR = "$(LUA_INCDIR)",
      DMBOOT_BUILD_LUA = "ON",
      DMBOOT_BUILD_PYTHON = "OFF",
      DMBOOT_BUILD_SHARED = "OFF",
      DMBOOT_BUILD_CLI = "OFF",
      DMBOOT_BUILD_TESTS = "OFF",
      DMBOOT_BUILD_BENCH = "OFF",
      DMBOOT_WERROR = "OFF",
      CMAKE_BUILD_TYPE = "Release",
   },
   -- The CMake install would also install the C library; luarocks copies
   -- just the module and the Lua layer instead.
   install_pass = false,
   install = {
      lua = {
         dmboot = "lua/dmboot.lua",
      },
      lib = {
         ["dmboot.native"] = "build.luarocks/lua/rock/dmboot/native.so",
      },
   },
   copy_directories = { "docs" },
}
