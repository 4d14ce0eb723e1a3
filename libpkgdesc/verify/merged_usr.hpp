// The merged-/usr layout of a root: /bin, /sbin and /lib* as symlinks to their /usr
// counterparts, so that "/bin/ls" of a file list is "/usr/bin/ls" on disk.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/fs/root_dir.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

class PKGDESC_EXPORT MergedUsr {
public:
    // Looks at the root's top-level directories: an alias is a symlink whose target is exactly
    // "usr/NAME" or "/usr/NAME". Anything else (a real directory, another target) is no alias.
    static MergedUsr detect(const RootDir& root);

    // The real location of `path`: "/bin/ls" -> "/usr/bin/ls" when /bin is an alias.
    std::string resolve(std::string_view path) const;
    // The aliases found, e.g. "/bin", "/lib64".
    const std::vector<std::string>& aliases() const noexcept { return m_aliases; }

private:
    std::vector<std::string> m_aliases;
};

} // namespace pkgdesc
