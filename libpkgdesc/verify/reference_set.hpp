// The reference data a verification uses: pkgdesc stanzas looked up by package, version and
// architecture.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pkgdesc {

struct PKGDESC_EXPORT PackageVersion {
    std::string name; // without architecture
    std::string architecture;
    std::string version;
};

// Where a stanza came from: the file or index it was read from and, when it was proven through
// a .deb (the apt chain), that .deb's signed SHA-256 and its location in its archive.
struct PKGDESC_EXPORT Provenance {
    std::string origin;
    std::string deb_sha256; // hex; empty when no .deb was proven
    std::string deb_uri;    // "http://deb.debian.org/debian/pool/main/h/hello/hello_2.10_amd64.deb"
};

class PKGDESC_EXPORT ReferenceSet {
public:
    // Which stanzas of an index are wanted (package, architecture, version).
    using Filter = std::function<bool(std::string_view, std::string_view, std::string_view)>;

    // Adds the stanzas of `path`: a file of stanzas, or a directory whose "*.pkgdesc" files are
    // read (not recursively); with `wanted`, only the stanzas it selects are parsed (the others
    // are found by a quick scan of their Package, Architecture and Version lines), and a file
    // of a directory named as pkgdesc-gen -o names them (PACKAGE_VERSION_ARCH.pkgdesc) for a
    // version it does not select is not read at all. Throws
    // ParseError/IoError naming the file (a file without any stanza is an error); a second,
    // different stanza for the same package, version and architecture is an error, an
    // identical one is ignored.
    void add_path(const std::string& path, const Filter& wanted = {});
    // Adds one stanza; `origin` names where it came from in errors.
    void add(Pkgdesc desc, const std::string& origin);
    // Adds one stanza proven through a .deb (`provenance.deb_sha256` set).
    void add(Pkgdesc desc, Provenance provenance);

    // A filter that wants exactly these versions (compared as dpkg compares them).
    static Filter only(const std::vector<PackageVersion>& versions);
    // A filter that wants every version of these packages (for what older versions shipped).
    static Filter any_version_of(const std::vector<PackageVersion>& versions);
    // Adds the wanted stanzas of an index held in memory (an archive's whole Pkgdesc index):
    // every stanza's Package, Architecture and Version are found by a quick scan, and only the
    // wanted ones are parsed (on `jobs` threads). Returns the number of stanzas parsed.
    std::size_t add_index(std::string_view text, const std::string& origin, const Filter& wanted,
                          unsigned jobs);

    // Records why there is no stanza for a package version (shown for unreferenced packages).
    void set_missing_reason(std::string_view package, std::string_view architecture,
                            std::string_view version, std::string reason);
    // That reason, or a generic one.
    std::string missing_reason(std::string_view package, std::string_view architecture,
                               std::string_view version) const;

    // The stanza for this package, architecture and version (versions compared as dpkg does, so
    // "0:1.0" finds "1.0"), or nullptr.
    const Pkgdesc* find(std::string_view package, std::string_view architecture,
                        std::string_view version) const;
    // Every stanza of this package and architecture, of whatever version.
    std::vector<const Pkgdesc*> versions(std::string_view package,
                                         std::string_view architecture) const;
    // Where the stanza for this version came from, or nullptr when there is none.
    const Provenance* provenance(std::string_view package, std::string_view architecture,
                                 std::string_view version) const;
    std::size_t size() const noexcept { return m_count; }

private:
    struct Item {
        Pkgdesc desc;
        Provenance provenance;
    };
    const Item* find_item(std::string_view package, std::string_view architecture,
                          std::string_view version) const;
    // "package\0architecture" -> stanzas of every version
    std::map<std::string, std::vector<Item>, std::less<>> m_items;
    std::size_t m_count = 0;
    // "package\0architecture\0version" -> why it is missing
    std::map<std::string, std::string, std::less<>> m_missing;
};

} // namespace pkgdesc
