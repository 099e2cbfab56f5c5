# Finds Emscripten and hands over to its own CMake toolchain file.
#   - $EMSDK set: the emsdk install (upstream/emscripten inside it);
#   - otherwise Debian's `emscripten` package (/usr/share/emscripten).
# Use: cmake -DCMAKE_TOOLCHAIN_FILE=emsdk-toolchain.cmake ...
if(DEFINED ENV{EMSDK} AND EXISTS "$ENV{EMSDK}/upstream/emscripten")
  set(CHARID_EMSCRIPTEN_ROOT "$ENV{EMSDK}/upstream/emscripten")
elseif(DEFINED ENV{EMSCRIPTEN} AND EXISTS "$ENV{EMSCRIPTEN}/cmake")
  set(CHARID_EMSCRIPTEN_ROOT "$ENV{EMSCRIPTEN}")
elseif(EXISTS "/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake")
  set(CHARID_EMSCRIPTEN_ROOT "/usr/share/emscripten")
else()
  message(FATAL_ERROR
    "Emscripten not found. Install Debian's package (apt-get install emscripten) "
    "or an emsdk and set EMSDK to its folder.")
endif()

# Debian's emcc runs its JS optimizer (acorn) from the system node modules;
# the variable must be set for every compile and link, not just configure.
if(NOT DEFINED ENV{EMSDK} AND EXISTS "/usr/share/nodejs/acorn")
  set(ENV{NODE_PATH} "/usr/share/nodejs")
  set(CMAKE_C_COMPILER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
  set(CMAKE_CXX_COMPILER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
  set(CMAKE_C_LINKER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
  set(CMAKE_CXX_LINKER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
endif()

include("${CHARID_EMSCRIPTEN_ROOT}/cmake/Modules/Platform/Emscripten.cmake")
