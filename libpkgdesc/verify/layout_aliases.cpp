// Detecting the standard directory aliases of a root.
#include <libpkgdesc/verify/layout_aliases.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <initializer_list>

namespace pkgdesc {

namespace {

struct Known {
    std::string_view alias;
    std::string_view real;
    std::initializer_list<std::string_view> targets;
};

const std::array<Known, 9> k_known{{
    {"/bin", "/usr/bin", {"usr/bin", "/usr/bin"}},
    {"/sbin", "/usr/sbin", {"usr/sbin", "/usr/sbin"}},
    {"/lib", "/usr/lib", {"usr/lib", "/usr/lib"}},
    {"/lib32", "/usr/lib32", {"usr/lib32", "/usr/lib32"}},
    {"/lib64", "/usr/lib64", {"usr/lib64", "/usr/lib64"}},
    {"/libx32", "/usr/libx32", {"usr/libx32", "/usr/libx32"}},
    {"/libo32", "/usr/libo32", {"usr/libo32", "/usr/libo32"}},
    {"/var/run", "/run", {"/run", "../run"}},
    {"/var/lock", "/run/lock", {"/run/lock", "../run/lock"}},
}};

} // namespace

LayoutAliases LayoutAliases::every_standard() {
    LayoutAliases layout;
    for (const Known& known : k_known) {
        layout.m_aliases.emplace_back(known.alias, known.real);
    }
    return layout;
}

bool LayoutAliases::is_standard(std::string_view alias, std::string_view target) {
    return std::any_of(k_known.begin(), k_known.end(), [&](const Known& known) {
        return known.alias == alias &&
               std::find(known.targets.begin(), known.targets.end(), target) != known.targets.end();
    });
}

LayoutAliases LayoutAliases::detect(const RootDir& root) {
    LayoutAliases layout;
    for (const Known& known : k_known) {
        OpenResult node = root.open_at(known.alias, O_PATH | O_NOFOLLOW);
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
        if (std::find(known.targets.begin(), known.targets.end(), link) != known.targets.end()) {
            layout.m_aliases.emplace_back(known.alias, known.real);
        }
    }
    return layout;
}

std::string LayoutAliases::resolve(std::string_view path) const {
    for (const auto& [alias, real] : m_aliases) {
        if (path.starts_with(alias) && (path.size() == alias.size() || path[alias.size()] == '/')) {
            return real + std::string(path.substr(alias.size()));
        }
    }
    return std::string(path);
}

bool LayoutAliases::is_alias(std::string_view path) const {
    return std::any_of(m_aliases.begin(), m_aliases.end(),
                       [&](const auto& entry) { return entry.first == path; });
}

std::vector<std::string> LayoutAliases::aliases() const {
    std::vector<std::string> out;
    for (const auto& entry : m_aliases) {
        out.push_back(entry.first);
    }
    return out;
}

} // namespace pkgdesc
