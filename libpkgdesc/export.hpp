// Symbol visibility for libpkgdesc: everything is hidden unless marked PKGDESC_EXPORT.
#pragma once

#if defined(PKGDESC_BUILDING_LIBRARY)
#define PKGDESC_EXPORT __attribute__((visibility("default")))
#else
#define PKGDESC_EXPORT
#endif
