// The standard directory aliases of a Debian root: merged /usr (/bin, /sbin and /lib* as
// symlinks to their /usr counterparts) and /var/run -> /run, /var/lock -> /run/lock. dpkg keeps
// such a symlink where a package ships a directory, so "/bin/ls" of a file list is
// "/usr/bin/ls" on disk.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/fs/root_dir.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pkgdesc {

class PKGDESC_EXPORT LayoutAliases {
public:
    // Looks at the root: an alias is a symlink whose target is exactly the expected one
    // ("usr/bin" or "/usr/bin" for /bin; "/run", "../run" or "../../run" for /var/run, and the
    // same with "/lock" for /var/lock). Anything else (a real directory, another target) is no
    // alias.
    static LayoutAliases detect(const RootDir& root);
    // Every standard alias, as on a root that has them all: where a file a package ships as
    // "/bin/ls" is on the systems that have merged /usr.
    static LayoutAliases every_standard();
    // Whether a symlink at `alias` with this `target` is a standard alias detect() takes.
    static bool is_standard(std::string_view alias, std::string_view target);

    // The real location of `path`: "/bin/ls" -> "/usr/bin/ls" when /bin is an alias.
    std::string resolve(std::string_view path) const;
    // Whether `path` is one of the aliases itself.
    bool is_alias(std::string_view path) const;
    // The aliases found, e.g. "/bin", "/var/run".
    std::vector<std::string> aliases() const;

private:
    std::vector<std::pair<std::string, std::string>> m_aliases; // alias, real directory
};

} // namespace pkgdesc
