// Parsing passwd(5) and group(5) files of the verified root.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/util/lines.hpp>

#include <fcntl.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace pkgdesc {

namespace {

std::string read_optional(const RootDir& root, const std::string& path) {
    OpenResult file = root.open_regular(path, Symlinks::in_root);
    if (!file.ok()) {
        if (file.error == ENOENT) {
            return {};
        }
        throw IoError(root.display(path), file.error == EINVAL ? "not a regular file"
                                                               : std::string("cannot open: ") +
                                                                     std::strerror(file.error));
    }
    return read_small_file(file.fd.get(), root.display(path), 64u << 20);
}

template <typename Map> std::map<std::uint32_t, std::string> invert(const Map& names) {
    std::map<std::uint32_t, std::string> ids;
    for (const auto& [name, id] : names) {
        ids.emplace(id, name);
    }
    return ids;
}

} // namespace

std::map<std::string, std::uint32_t, std::less<>> RootAccounts::parse(std::string_view text) {
    std::map<std::string, std::uint32_t, std::less<>> ids;
    for (const std::string_view line : split_lines(text)) {
        const std::size_t colon1 = line.find(':');
        if (colon1 == 0 || colon1 == std::string_view::npos) {
            continue;
        }
        const std::size_t colon2 = line.find(':', colon1 + 1);
        if (colon2 == std::string_view::npos) {
            continue;
        }
        const std::size_t colon3 = line.find(':', colon2 + 1);
        if (colon3 == std::string_view::npos) {
            continue;
        }
        const std::string_view id_text = line.substr(colon2 + 1, colon3 - colon2 - 1);
        std::uint32_t id = 0;
        const auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
        if (ec != std::errc() || ptr != id_text.data() + id_text.size() || id_text.empty()) {
            continue;
        }
        // The first entry of a name wins, as with getpwnam(3).
        ids.emplace(std::string(line.substr(0, colon1)), id);
    }
    return ids;
}

RootAccounts RootAccounts::load(const RootDir& root) {
    RootAccounts accounts;
    accounts.m_users = parse(read_optional(root, "/etc/passwd"));
    accounts.m_groups = parse(read_optional(root, "/etc/group"));
    accounts.m_user_names = invert(accounts.m_users);
    accounts.m_group_names = invert(accounts.m_groups);
    return accounts;
}

std::optional<std::uint32_t> RootAccounts::uid(std::string_view user) const {
    const auto it = m_users.find(user);
    return it == m_users.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::uint32_t> RootAccounts::gid(std::string_view group) const {
    const auto it = m_groups.find(group);
    return it == m_groups.end() ? std::nullopt : std::optional(it->second);
}

std::string RootAccounts::user_name(std::uint32_t uid) const {
    const auto it = m_user_names.find(uid);
    return it == m_user_names.end() ? std::string() : it->second;
}

std::string RootAccounts::group_name(std::uint32_t gid) const {
    const auto it = m_group_names.find(gid);
    return it == m_group_names.end() ? std::string() : it->second;
}

} // namespace pkgdesc
