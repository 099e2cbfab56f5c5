# Provides the imported target charid::ffmpeg (avformat, avcodec, swscale,
# avutil, and dav1d behind it).
#   native: Debian's -dev packages through pkg-config;
#   wasm:   our own decode-only build (wasm/deps/build-deps.sh), cached outside
#           the clone and keyed by versions and flags.
if(EMSCRIPTEN)
  if(NOT CHARID_WASM_DEPS_PREFIX)
    message(STATUS "Building or finding the wasm FFmpeg/dav1d (cached after the first time)")
    execute_process(
      COMMAND bash "${CMAKE_SOURCE_DIR}/wasm/deps/build-deps.sh"
      OUTPUT_VARIABLE _deps_out
      RESULT_VARIABLE _deps_rc)
    if(NOT _deps_rc EQUAL 0)
      message(FATAL_ERROR "wasm/deps/build-deps.sh failed (${_deps_rc})")
    endif()
    string(STRIP "${_deps_out}" _deps_out)
    string(REGEX REPLACE ".*\n" "" _deps_out "${_deps_out}")
    set(CHARID_WASM_DEPS_PREFIX "${_deps_out}")
  endif()
  set(_p "${CHARID_WASM_DEPS_PREFIX}")
  add_library(charid_ffmpeg INTERFACE)
  target_include_directories(charid_ffmpeg SYSTEM INTERFACE "${_p}/include")
  # Order matters for static archives: users before what they use.
  target_link_libraries(charid_ffmpeg INTERFACE
    "${_p}/lib/libavformat.a" "${_p}/lib/libavcodec.a" "${_p}/lib/libswscale.a"
    "${_p}/lib/libavutil.a" "${_p}/lib/libdav1d.a")
  add_library(charid::ffmpeg ALIAS charid_ffmpeg)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CHARID_FFMPEG REQUIRED IMPORTED_TARGET
    libavformat libavcodec libswscale libavutil)
  add_library(charid::ffmpeg ALIAS PkgConfig::CHARID_FFMPEG)
endif()
