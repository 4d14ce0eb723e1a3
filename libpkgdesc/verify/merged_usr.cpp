// Detecting the merged-/usr aliases of a root.
#include <libpkgdesc/verify/merged_usr.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

namespace pkgdesc {

MergedUsr MergedUsr::detect(const RootDir& root) {
    static constexpr std::array<std::string_view, 7> k_candidates{
        "bin", "sbin", "lib", "lib32", "lib64", "libx32", "libo32"};
    MergedUsr merged;
    for (const std::string_view name : k_candidates) {
        const std::string path = "/" + std::string(name);
        OpenResult node = root.open_at(path, O_PATH | O_NOFOLLOW);
        struct stat st {};
        if (!node.ok() || ::fstat(node.fd.get(), &st) != 0 || !S_ISLNK(st.st_mode)) {
            continue;
        }
        char target[256];
        const ssize_t n = ::readlinkat(node.fd.get(), "", target, sizeof(target));
        if (n <= 0 || static_cast<std::size_t>(n) >= sizeof(target)) {
            continue;
        }
        const std::string_view link(target, static_cast<std::size_t>(n));
        if (link == "usr" + path || link == "/usr" + path) {
            merged.m_aliases.push_back(path);
        }
    }
    return merged;
}

std::string MergedUsr::resolve(std::string_view path) const {
    for (const std::string& alias : m_aliases) {
        if (path.starts_with(alias) && (path.size() == alias.size() || path[alias.size()] == '/')) {
            return "/usr" + std::string(path);
        }
    }
    return std::string(path);
}

} // namespace pkgdesc
