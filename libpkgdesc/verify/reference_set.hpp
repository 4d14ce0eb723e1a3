// The reference data a verification uses: pkgdesc stanzas looked up by package, version and
// architecture.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pkgdesc {

class PKGDESC_EXPORT ReferenceSet {
public:
    // Adds the stanzas of `path`: a file of stanzas, or a directory whose "*.pkgdesc" files are
    // read (not recursively). Throws ParseError/IoError naming the file; a second, different
    // stanza for the same package, version and architecture is an error, an identical one is
    // ignored.
    void add_path(const std::string& path);
    // Adds one stanza; `origin` names where it came from in errors.
    void add(Pkgdesc desc, const std::string& origin);

    // The stanza for this package, architecture and version (versions compared as dpkg does, so
    // "0:1.0" finds "1.0"), or nullptr.
    const Pkgdesc* find(std::string_view package, std::string_view architecture,
                        std::string_view version) const;
    std::size_t size() const noexcept { return m_count; }

private:
    struct Item {
        Pkgdesc desc;
        std::string origin;
    };
    // "package\0architecture" -> stanzas of every version
    std::map<std::string, std::vector<Item>, std::less<>> m_items;
    std::size_t m_count = 0;
};

} // namespace pkgdesc
