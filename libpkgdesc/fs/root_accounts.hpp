// User and group names of the verified system, from ROOT/etc/passwd and ROOT/etc/group: a disk
// image is checked with its own accounts, never the verifying host's.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/fs/root_dir.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pkgdesc {

class PKGDESC_EXPORT RootAccounts {
public:
    // Reads ROOT/etc/passwd and ROOT/etc/group; a missing file leaves its names unresolvable.
    // Throws IoError for a file that exists but cannot be read.
    static RootAccounts load(const RootDir& root);
    // Parses the text of a passwd or group file (NAME:x:ID:...); malformed lines are skipped,
    // as the C library does.
    static std::map<std::string, std::uint32_t, std::less<>> parse(std::string_view text);

    std::optional<std::uint32_t> uid(std::string_view user) const;
    std::optional<std::uint32_t> gid(std::string_view group) const;
    // The first name with this id, for messages; empty when there is none.
    std::string user_name(std::uint32_t uid) const;
    std::string group_name(std::uint32_t gid) const;

private:
    std::map<std::string, std::uint32_t, std::less<>> m_users;
    std::map<std::string, std::uint32_t, std::less<>> m_groups;
    std::map<std::uint32_t, std::string> m_user_names;
    std::map<std::uint32_t, std::string> m_group_names;
};

} // namespace pkgdesc
