// Parsing passwd(5) and group(5) files of the verified root.
//
// What dpkg gets for a name is what glibc's "files" NSS backend reads (nss_readline.c, the line
// parsers of fgetpwent_r.c and fgetgrent_r.c built on nss_files/files-parse.c, the lookups of
// files-pwd.c and files-grp.c):
// - lines are read up to '\n'; leading white space (isspace) is stripped, then empty lines and
//   lines starting with '#' are skipped;
// - the line is a C string: it ends at a NUL byte;
// - the name and password fields end at the next ':' and may be empty;
// - an id is strtoul(3) in base 10 (leading white space, '+' and '-' accepted; what is over 32
//   bits clamped upstream, refused by Debian's build), which must end at ':' or at the end of
//   the line: a line whose (last) id is not followed by ':' is still an entry;
// - a line that does not parse is skipped, and the first entry of a name wins;
// - names starting with '+' or '-' (NIS compat entries) are never returned by lookups.
// We accept the subset on which no reader can differ, and refuse the root for anything else
// instead of guessing which entry the C library would have picked.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/util/lines.hpp>

#include <fcntl.h>

#include <cerrno>
#include <cstdio>
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

// isspace(3) in the C locale ('\n' cannot occur inside a line).
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

bool is_control(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

// A field for a message: quoted, control bytes escaped.
std::string quoted(std::string_view text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (is_control(c)) {
            char hex[8];
            std::snprintf(hex, sizeof(hex), "\\x%02x", static_cast<unsigned char>(c));
            out += hex;
        } else {
            out.push_back(c);
        }
    }
    out += "'";
    return out;
}

// Only plain decimal digits: strtoul(3) reads them the same everywhere, whereas a sign, white
// space or an overflow are read differently by glibc versions (or other readers).
std::uint32_t parse_id(std::string_view text, const char* what, const std::string& where) {
    if (text.empty()) {
        throw IoError(where, std::string("empty ") + what);
    }
    std::uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            throw IoError(where, std::string("malformed ") + what + " " + quoted(text) +
                                     " (only the digits 0-9 are accepted)");
        }
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
        if (value > 0xFFFFFFFFu) {
            throw IoError(where, std::string(what) + " " + quoted(text) +
                                     " is out of range (over 4294967295)");
        }
    }
    return static_cast<std::uint32_t>(value);
}

// The text up to the next ':' from `pos` (or to the end), and whether a ':' ended it; `pos`
// moves past that ':'.
std::string_view next_field(std::string_view line, std::size_t& pos, bool& colon) {
    const std::size_t end = line.find(':', pos);
    colon = end != std::string_view::npos;
    const std::string_view field = line.substr(pos, colon ? end - pos : std::string_view::npos);
    pos = colon ? end + 1 : line.size();
    return field;
}

} // namespace

AccountIds RootAccounts::parse(std::string_view text, AccountsFile kind,
                               const std::string& display) {
    const bool passwd = kind == AccountsFile::passwd;
    const char* const entity = passwd ? "user" : "group";
    const char* const id_name = passwd ? "uid" : "gid";
    AccountIds result;
    std::map<std::string, std::size_t, std::less<>> first_line;
    std::size_t line_number = 0;
    for (const std::string_view line : split_lines(text)) {
        ++line_number;
        const std::string where = display + ":" + std::to_string(line_number);
        // glibc's lines are C strings: a NUL byte would cut the entry short there.
        if (line.find('\0') != std::string_view::npos) {
            throw IoError(where, "NUL byte in the line");
        }
        std::size_t start = 0;
        while (start < line.size() && is_space(line[start])) {
            ++start;
        }
        if (start == line.size() || line[start] == '#') {
            continue; // blank line or comment, skipped by glibc too
        }
        if (start != 0) {
            // glibc strips it (and mangles an unterminated last line doing so); other readers
            // take it as part of the name.
            throw IoError(where, "line starts with white space");
        }
        std::size_t pos = 0;
        bool colon = false;
        const std::string_view name = next_field(line, pos, colon);
        if (name.empty()) {
            throw IoError(where, std::string("empty ") + entity + " name");
        }
        if (name.front() == '+' || name.front() == '-') {
            throw IoError(where, "NIS compat entry ('+' or '-') is not supported");
        }
        for (const char c : name) {
            if (is_control(c)) {
                throw IoError(where, std::string("control character in the ") + entity + " name " +
                                         quoted(name));
            }
        }
        if (colon) {
            next_field(line, pos, colon); // the password
        }
        if (!colon) {
            throw IoError(where, std::string("truncated entry: no ") + id_name + " field");
        }
        // The id may end the line (glibc accepts "mail:x:8" as group 8); what follows it (the
        // member list, or the GECOS, home and shell) does not matter.
        const std::string_view id_text = next_field(line, pos, colon);
        const std::uint32_t id = parse_id(id_text, id_name, where);
        if (passwd) {
            // glibc requires the gid as well: an entry without a valid one is skipped.
            if (!colon) {
                throw IoError(where, "truncated entry: no gid field");
            }
            parse_id(next_field(line, pos, colon), "gid", where);
        }
        const auto [it, inserted] = result.ids.emplace(std::string(name), id);
        if (inserted) {
            first_line.emplace(std::string(name), line_number);
            result.names.emplace(id, std::string(name));
        } else if (it->second != id) {
            // glibc would take the first one; a second definition is a trap for whoever reads
            // the file (or another resolver), never a legitimate configuration.
            throw IoError(where, std::string(entity) + " " + quoted(name) +
                                     " is defined again with " + id_name + " " +
                                     std::to_string(id) + " (line " +
                                     std::to_string(first_line.find(name)->second) + " has " +
                                     id_name + " " + std::to_string(it->second) + ")");
        }
    }
    return result;
}

RootAccounts RootAccounts::load(const RootDir& root) {
    RootAccounts accounts;
    accounts.m_users = parse(read_optional(root, "/etc/passwd"), AccountsFile::passwd,
                             root.display("/etc/passwd"));
    accounts.m_groups =
        parse(read_optional(root, "/etc/group"), AccountsFile::group, root.display("/etc/group"));
    return accounts;
}

std::optional<std::uint32_t> RootAccounts::uid(std::string_view user) const {
    const auto it = m_users.ids.find(user);
    return it == m_users.ids.end() ? std::nullopt : std::optional(it->second);
}

std::optional<std::uint32_t> RootAccounts::gid(std::string_view group) const {
    const auto it = m_groups.ids.find(group);
    return it == m_groups.ids.end() ? std::nullopt : std::optional(it->second);
}

std::string RootAccounts::user_name(std::uint32_t uid) const {
    const auto it = m_users.names.find(uid);
    return it == m_users.names.end() ? std::string() : it->second;
}

std::string RootAccounts::group_name(std::uint32_t gid) const {
    const auto it = m_groups.names.find(gid);
    return it == m_groups.names.end() ? std::string() : it->second;
}

} // namespace pkgdesc
