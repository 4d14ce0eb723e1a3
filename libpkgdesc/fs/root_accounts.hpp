// User and group names of the verified system, from ROOT/etc/passwd and ROOT/etc/group: a disk
// image is checked with its own accounts, never the verifying host's.
//
// The files are attacker data. A name must resolve to the id the system's C library (glibc's
// "files" NSS backend, which dpkg asks) gives it, or the root is refused: every line is either
// read exactly as glibc reads it or makes load() throw, naming the file and the line. See
// pkgdesc-verify(1) for the rules.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/fs/root_dir.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace pkgdesc {

// The layout of the lines of an account file.
enum class AccountsFile {
    passwd, // NAME:PASSWORD:UID:GID[:GECOS:DIR:SHELL]
    group,  // NAME:PASSWORD:GID[:MEMBERS]
};

// The entries of one passwd or group file.
struct AccountIds {
    // Name -> uid (passwd) or gid (group).
    std::map<std::string, std::uint32_t, std::less<>> ids;
    // Id -> the first name with that id in the file, as getpwuid(3) and getgrgid(3) answer.
    std::map<std::uint32_t, std::string> names;
};

class PKGDESC_EXPORT RootAccounts {
public:
    // Reads ROOT/etc/passwd and ROOT/etc/group, following symlinks inside the root only; a
    // missing file leaves its names unresolvable. Throws IoError for a file that exists but
    // cannot be read, and for any line parse() refuses.
    static RootAccounts load(const RootDir& root);
    // Parses the text of a passwd or group file. Blank lines and comments ('#' after optional
    // white space) are skipped, as glibc skips them; every other line must be an entry that
    // glibc reads with the very same name and id, else IoError "DISPLAY:LINE: reason" is thrown:
    // leading white space, a NUL byte, an empty name, a name with a control character, a NIS
    // "+"/"-" entry, a missing or empty id field, an id that is not plain decimal digits or is
    // over 4294967295, a name defined again with another id. A name defined again with the same
    // id keeps its first entry.
    static AccountIds parse(std::string_view text, AccountsFile kind, const std::string& display);

    std::optional<std::uint32_t> uid(std::string_view user) const;
    std::optional<std::uint32_t> gid(std::string_view group) const;
    // The first name with this id, for messages; empty when there is none.
    std::string user_name(std::uint32_t uid) const;
    std::string group_name(std::uint32_t gid) const;

private:
    AccountIds m_users;
    AccountIds m_groups;
};

} // namespace pkgdesc
