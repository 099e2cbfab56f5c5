# Provides the imported target charid::ffmpeg (avformat, avcodec, swscale,
# avutil, and dav1d behind it).
#   native: Debian's -dev packages through pkg-config;
#   wasm:   our own decode-only builds (wasm/deps/build-deps.sh), cached outside
#           the clone and keyed by versions and flags, in two variants:
#             charid::ffmpeg_full   FFmpeg's video decoders and dav1d (charid-core)
#             charid::ffmpeg_demux  no decoder, no dav1d (charid-core-demux)
#           charid::ffmpeg, which charid_media links, links the variant the
#           executable asks for with its CHARID_FFMPEG_VARIANT property (unset =
#           full), so one charid_media serves both modules. The headers of the
#           two prefixes are the same files (only the component lists differ).
if(EMSCRIPTEN)
  # charid_wasm_deps(<full|demux> <cache variable>): the variant's install prefix,
  # built on first use; -D<cache variable>=<prefix> skips the script.
  function(charid_wasm_deps variant prefix_var)
    if(NOT ${prefix_var})
      message(STATUS "Building or finding the wasm FFmpeg (${variant}; cached after the first time)")
      execute_process(
        COMMAND bash "${CMAKE_SOURCE_DIR}/wasm/deps/build-deps.sh" ${variant}
        OUTPUT_VARIABLE _deps_out
        RESULT_VARIABLE _deps_rc)
      if(NOT _deps_rc EQUAL 0)
        message(FATAL_ERROR "wasm/deps/build-deps.sh ${variant} failed (${_deps_rc})")
      endif()
      string(STRIP "${_deps_out}" _deps_out)
      string(REGEX REPLACE ".*\n" "" _deps_out "${_deps_out}")
      set(${prefix_var} "${_deps_out}" PARENT_SCOPE)
    endif()
  endfunction()

  charid_wasm_deps(full CHARID_WASM_DEPS_PREFIX)
  charid_wasm_deps(demux CHARID_WASM_DEMUX_DEPS_PREFIX)

  # Order matters for static archives: users before what they use.
  set(_full "${CHARID_WASM_DEPS_PREFIX}")
  add_library(charid_ffmpeg_full INTERFACE)
  target_include_directories(charid_ffmpeg_full SYSTEM INTERFACE "${_full}/include")
  target_link_libraries(charid_ffmpeg_full INTERFACE
    "${_full}/lib/libavformat.a" "${_full}/lib/libavcodec.a" "${_full}/lib/libswscale.a"
    "${_full}/lib/libavutil.a" "${_full}/lib/libdav1d.a")
  add_library(charid::ffmpeg_full ALIAS charid_ffmpeg_full)

  set(_demux "${CHARID_WASM_DEMUX_DEPS_PREFIX}")
  add_library(charid_ffmpeg_demux INTERFACE)
  target_include_directories(charid_ffmpeg_demux SYSTEM INTERFACE "${_demux}/include")
  target_link_libraries(charid_ffmpeg_demux INTERFACE
    "${_demux}/lib/libavformat.a" "${_demux}/lib/libavcodec.a" "${_demux}/lib/libswscale.a"
    "${_demux}/lib/libavutil.a")
  add_library(charid::ffmpeg_demux ALIAS charid_ffmpeg_demux)

  # In a usage requirement, $<TARGET_PROPERTY:CHARID_FFMPEG_VARIANT> is read from the
  # target being linked (the module), not from charid_media.
  add_library(charid_ffmpeg INTERFACE)
  target_include_directories(charid_ffmpeg SYSTEM INTERFACE "${_full}/include")
  target_link_libraries(charid_ffmpeg INTERFACE
    "$<IF:$<STREQUAL:$<TARGET_PROPERTY:CHARID_FFMPEG_VARIANT>,demux>,charid::ffmpeg_demux,charid::ffmpeg_full>")
  add_library(charid::ffmpeg ALIAS charid_ffmpeg)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CHARID_FFMPEG REQUIRED IMPORTED_TARGET
    libavformat libavcodec libswscale libavutil)
  add_library(charid::ffmpeg ALIAS PkgConfig::CHARID_FFMPEG)
endif()
