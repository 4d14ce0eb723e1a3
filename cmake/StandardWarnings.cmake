# Compiler warnings, as an INTERFACE target; errors in developer builds.
add_library(pkgdesc_warnings INTERFACE)
target_compile_options(pkgdesc_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference -Wformat=2
  -Wimplicit-fallthrough)
if(PKGDESC_DEV_BUILD)
  target_compile_options(pkgdesc_warnings INTERFACE -Werror)
endif()
