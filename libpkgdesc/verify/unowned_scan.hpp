// Finding files that no installed package owns, under the root's configured directories.
#pragma once

#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/verify/finding.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>

#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

namespace pkgdesc {

class UnownedScan {
public:
    // `owned`: the real paths every installed package lists (and its conffiles); `allow`:
    // fnmatch(3) patterns of paths expected to be unowned.
    UnownedScan(const RootDir& root, const LayoutAliases& merged,
                std::unordered_set<std::string>& owned, const std::vector<std::string>& allow);

    // Counts the files ucf manages (ROOT/var/lib/ucf/registry) as owned: they are generated
    // configuration files of a package, not conffiles.
    void add_ucf_registry();
    // Counts the links update-alternatives made (master and slave links named in each
    // ADMINDIR/alternatives/NAME) as owned.
    void add_alternatives(const RootDir& admindir);

    // Walks `dir` (never following a symlink), reporting each unowned, not allowed path:
    // directory by directory, names sorted by byte value. Allowed directories are still
    // walked: "/opt/vendor*" allows a whole tree. A directory that does not exist is skipped.
    void scan(const std::string& dir, const std::function<void(Finding&)>& report);

private:
    bool allowed(const std::string& path) const;

    const RootDir& m_root;
    const LayoutAliases& m_merged;
    std::unordered_set<std::string>& m_owned;
    const std::vector<std::string>& m_allow;
};

} // namespace pkgdesc
