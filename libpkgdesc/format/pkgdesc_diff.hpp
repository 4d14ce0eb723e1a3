// Differences between two descriptions of the same package, by field, control member and path.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <string>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT Difference {
    enum class Kind { field, control, path };
    Kind kind;
    std::string name;   // field name, control member name, or raw path
    std::string detail; // "only in expected", "only in actual", or the differing keywords
};

// Compares `expected` with `actual` (both sorted); empty when they describe the same package.
PKGDESC_EXPORT std::vector<Difference> diff(const Pkgdesc& expected, const Pkgdesc& actual);

} // namespace pkgdesc
