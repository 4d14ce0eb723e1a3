// Listing ADMINDIR/info and checking one package's kept control members.
#include <libpkgdesc/verify/control_check.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/file_check.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

namespace pkgdesc {

namespace {

// dpkg's MAXCONTROLFILENAME.
constexpr std::size_t k_max_member_name = 100;
constexpr std::size_t k_read_buffer = 64 * 1024;
// dpkg's own file of every package (lib/dpkg/dpkg.h LISTFILE), and the temporary name
// atomic_file gives it while writing (lib/dpkg/atomic-file.c).
constexpr std::string_view k_list = "list";
constexpr std::string_view k_list_new = "list-new";
constexpr std::string_view k_pkgdesc = "pkgdesc";
constexpr std::string_view k_md5sums = "md5sums";

// What is at one name of the info directory.
struct MemberObservation {
    bool present = false;
    bool stat_known = false; // st describes it (false when it could not even be opened)
    struct stat st {};
    std::optional<Sha256Digest> sha256; // regular files read whole
    std::string error;                  // why a regular file has no digest
    bool size_differs = false;          // not read: its size already tells
    std::uint64_t bytes_read = 0;
    std::string text; // what was read, when asked to keep it
    bool acl = false; // a POSIX access ACL grants more than the mode says
};

void hash_open_file(int fd, MemberObservation& obs, bool keep) {
    thread_local std::vector<char> buffer(k_read_buffer);
    Sha256 sha;
    std::uint64_t total = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            obs.error = std::string("cannot read: ") + std::strerror(errno);
            return;
        }
        if (n == 0) {
            break;
        }
        total += static_cast<std::uint64_t>(n);
        obs.bytes_read = total;
        if (total > k_max_control_member_size) {
            obs.error = "changed while being read";
            return;
        }
        sha.update(buffer.data(), static_cast<std::size_t>(n));
        if (keep) {
            obs.text.append(buffer.data(), static_cast<std::size_t>(n));
        }
    }
    struct stat after {};
    if (::fstat(fd, &after) != 0 || !same_content_state(obs.st, after) ||
        total != static_cast<std::uint64_t>(obs.st.st_size)) {
        obs.error = "changed while being read";
        return;
    }
    obs.sha256 = sha.finish();
}

// Whether the regular member observed as `obs` is read: not unless `read`, not when its size
// already differs from `expected_size` (obs.size_differs), not when it is too large (obs.error).
bool worth_reading(MemberObservation& obs, bool read, std::optional<std::uint64_t> expected_size) {
    const auto size = static_cast<std::uint64_t>(obs.st.st_size);
    if (!read) {
        return false;
    }
    if (expected_size && size != *expected_size) {
        obs.size_differs = true;
        return false;
    }
    if (size > k_max_control_member_size) {
        obs.error = "larger than " + std::to_string(k_max_control_member_size) + " bytes: not read";
        return false;
    }
    return true;
}

// Looks at `name` without following a symlink and without opening anything but a regular file;
// reads it unless `expected_size` already differs or `read` is false.
MemberObservation observe_open(const RootDir& dir, const std::string& name, bool read,
                               std::optional<std::uint64_t> expected_size = std::nullopt,
                               bool keep = false) {
    MemberObservation obs;
    OpenResult file = dir.open_regular(name);
    if (!file.ok() && file.error == EINVAL) {
        // Not a regular file (or a symlink): its type, through O_PATH only.
        const OpenResult node = dir.open_at(name, O_PATH | O_NOFOLLOW);
        if (node.ok() && ::fstat(node.fd.get(), &obs.st) == 0) {
            obs.present = true;
            obs.stat_known = true;
            if (S_ISREG(obs.st.st_mode)) {
                obs.error = "replaced while being checked";
            }
            return obs;
        }
        file.error = node.ok() ? errno : node.error;
    }
    if (!file.ok()) {
        if (file.error != ENOENT) {
            obs.present = true;
            obs.st.st_mode = S_IFREG; // unknown: unverifiable, not a type of its own
            obs.error = file.error == ESTALE
                            ? "replaced while being checked"
                            : std::string("cannot open: ") + std::strerror(file.error);
        }
        return obs;
    }
    obs.present = true;
    if (::fstat(file.fd.get(), &obs.st) != 0) {
        obs.st.st_mode = S_IFREG;
        obs.error = std::string("cannot stat: ") + std::strerror(errno);
        return obs;
    }
    obs.stat_known = true;
    obs.acl = ::fgetxattr(file.fd.get(), "system.posix_acl_access", nullptr, 0) >= 0;
    if (worth_reading(obs, read, expected_size)) {
        hash_open_file(file.fd.get(), obs, keep);
    }
    return obs;
}

// The facts of an observation read whole and kept (see record_member()).
std::optional<RecordedMember> to_record(MemberObservation obs) {
    RecordedMember rec;
    if (!obs.present) {
        return std::nullopt;
    }
    if (!obs.stat_known) {
        rec.kind = RecordedMember::Kind::unopenable;
        rec.error = std::move(obs.error);
        return rec;
    }
    rec.st = obs.st;
    if (!S_ISREG(obs.st.st_mode) || obs.error == "replaced while being checked") {
        rec.kind = RecordedMember::Kind::other;
        return rec;
    }
    rec.acl = obs.acl;
    rec.bytes_read = obs.bytes_read;
    if (obs.sha256) {
        rec.content = std::move(obs.text);
    } else {
        rec.read_error = std::move(obs.error);
    }
    return rec;
}

// What is at `name` (a member, not read, when `rec` is null: nothing there), as checking it
// needs: read unless `expected_size` already differs or `read` is false.
MemberObservation member_observation(const RecordedMember* rec, bool read,
                                     std::optional<std::uint64_t> expected_size, bool keep) {
    MemberObservation obs;
    if (rec == nullptr) {
        return obs;
    }
    obs.present = true;
    if (rec->kind == RecordedMember::Kind::unopenable) {
        obs.st.st_mode = S_IFREG; // unknown: unverifiable, not a type of its own
        obs.error = rec->error;
        return obs;
    }
    obs.st = rec->st;
    obs.stat_known = true;
    if (rec->kind == RecordedMember::Kind::other) {
        if (S_ISREG(obs.st.st_mode)) {
            obs.error = "replaced while being checked";
        }
        return obs;
    }
    obs.acl = rec->acl;
    if (!worth_reading(obs, read, expected_size)) {
        return obs;
    }
    obs.bytes_read = rec->bytes_read;
    if (!rec->content) {
        obs.error = rec->read_error.empty() ? "not read" : rec->read_error;
        return obs;
    }
    obs.sha256 = Sha256::digest(*rec->content);
    if (keep) {
        obs.text = *rec->content;
    }
    return obs;
}

// Looks at a member of `info` without following a symlink and without opening anything but a
// regular file; reads it unless `expected_size` already differs or `read` is false.
MemberObservation observe_member(const InfoDir& info, const std::string& name, bool read,
                                 std::optional<std::uint64_t> expected_size = std::nullopt,
                                 bool keep = false) {
    if (const RecordedInfo* recorded = info.members_recorded()) {
        const auto it = recorded->find(name);
        return member_observation(it != recorded->end() ? &it->second : nullptr, read,
                                  expected_size, keep);
    }
    return observe_open(*info.dir(), name, read, expected_size, keep);
}

std::string id_text(const RootAccounts& accounts, std::uint32_t id, bool user) {
    const std::string name = user ? accounts.user_name(id) : accounts.group_name(id);
    return name.empty() ? "#" + std::to_string(id) : name;
}

// dpkg unpacks control.tar as root from an archive dpkg-deb always writes as root:0, and
// dpkg-deb refuses maintainer scripts writable by others; the modes themselves are the
// package's, which the reference does not record.
void check_metadata(const RootAccounts& accounts, const struct stat& st, bool acl,
                    Finding& finding) {
    const std::uint32_t root_uid = accounts.uid("root").value_or(0);
    const std::uint32_t root_gid = accounts.gid("root").value_or(0);
    if (st.st_uid != root_uid) {
        finding.failed.push_back({"owner", "root", id_text(accounts, st.st_uid, true)});
    }
    if (st.st_gid != root_gid) {
        finding.failed.push_back({"group", "root", id_text(accounts, st.st_gid, false)});
    }
    if ((st.st_mode & S_IWOTH) != 0) {
        finding.failed.push_back(
            {"mode", mode_text(st.st_mode & ~static_cast<mode_t>(S_IWOTH)), mode_text(st.st_mode)});
    }
    // Write access for someone else, granted by an ACL, is as bad as mode o+w.
    if (acl) {
        finding.failed.push_back({"system.posix_acl_access", "absent", "present"});
    }
}

// Compares a kept member with the digest (and size, when known) the reference gives it; with
// `text`, keeps what was read there (the very bytes that were hashed) when it is pristine.
void check_kept(const InfoDir& info, const RootAccounts& accounts, const std::string& file,
                const Sha256Digest& expected, std::optional<std::uint64_t> expected_size,
                Finding& finding, std::string* text = nullptr) {
    MemberObservation obs = observe_member(info, file, true, expected_size, text != nullptr);
    finding.bytes_read = obs.bytes_read;
    if (!obs.present) {
        finding.status = FileStatus::missing;
        return;
    }
    if (!S_ISREG(obs.st.st_mode)) {
        finding.failed.push_back({"type", "file", stat_type_keyword(obs.st.st_mode)});
        finding.status = FileStatus::modified;
        return;
    }
    bool content = false;
    if (obs.size_differs) {
        finding.failed.push_back(
            {"size", std::to_string(*expected_size), std::to_string(obs.st.st_size)});
        content = true;
    } else if (obs.sha256 && *obs.sha256 != expected) {
        finding.failed.push_back({"sha256", to_hex(expected), to_hex(*obs.sha256)});
        content = true;
    }
    if (obs.stat_known) {
        check_metadata(accounts, obs.st, obs.acl, finding);
    }
    if (content) {
        finding.status = FileStatus::modified;
    } else if (!obs.error.empty()) {
        finding.status = FileStatus::unverifiable;
        finding.reason = obs.error;
    } else if (!finding.failed.empty()) {
        finding.status = FileStatus::metadata;
    } else {
        finding.status = FileStatus::pristine;
        if (text != nullptr) {
            *text = std::move(obs.text);
        }
    }
}

// Reads an md5sums the package does not ship: dpkg writes one at unpacking (lib/dpkg's
// write_filehash_except(): "HEX  PATH\n" per regular file, PATH without its leading slash) when
// the package has none. Returns false when it is gone since the listing.
bool read_generated_md5sums(const InfoDir& info, const RootAccounts& accounts,
                            const std::string& file, const InstalledPackage& package,
                            const Pkgdesc& reference, Finding& finding,
                            std::optional<ControlCheck::GeneratedMd5sums>& pending) {
    MemberObservation obs = observe_member(info, file, true, std::nullopt, true);
    finding.bytes_read = obs.bytes_read;
    if (!obs.present) {
        return false;
    }
    const std::string not_member = "not a control member of the package";
    if (!S_ISREG(obs.st.st_mode)) {
        finding.status = FileStatus::modified;
        finding.failed.push_back(
            {"type", "absent",
             obs.stat_known ? stat_type_keyword(obs.st.st_mode) : std::string("unknown")});
        finding.reason = not_member;
        return true;
    }
    if (obs.stat_known) {
        check_metadata(accounts, obs.st, obs.acl, finding);
    }
    if (!obs.error.empty()) {
        finding.status = FileStatus::unverifiable;
        finding.reason = obs.error;
        return true;
    }
    ControlCheck::GeneratedMd5sums sums;
    sums.path = finding.path;
    std::vector<std::string_view> seen;
    const std::string_view text = obs.text;
    std::string problem;
    std::size_t number = 0;
    for (std::size_t pos = 0; pos < text.size() && problem.empty();) {
        ++number;
        const std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            problem = "no newline at the end";
            break;
        }
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        const bool lower_hex =
            line.size() > 34 && std::all_of(line.begin(), line.begin() + 32, [](char c) {
                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
        const std::optional<Md5Digest> md5 = lower_hex && line.substr(32, 2) == "  "
                                                 ? md5_from_hex(line.substr(0, 32))
                                                 : std::nullopt;
        if (!md5 || line[34] == '/' || line.find('\0') != std::string_view::npos) {
            problem = "line " + std::to_string(number) + " is not \"MD5  PATH\"";
            break;
        }
        const std::string path = "/" + std::string(line.substr(34));
        const Entry* entry = reference.find(path);
        const Entry* content = entry != nullptr && entry->type == EntryType::hardlink
                                   ? reference.find(entry->link)
                                   : entry;
        if (content == nullptr || content->type != EntryType::file || !content->sha256) {
            problem = "line " + std::to_string(number) + " names " + path +
                      ", not a regular file of the package";
            break;
        }
        sums.lines.push_back({path, content, *md5});
    }
    std::sort(sums.lines.begin(), sums.lines.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    for (std::size_t i = 1; i < sums.lines.size() && problem.empty(); ++i) {
        if (sums.lines[i].path == sums.lines[i - 1].path) {
            problem = sums.lines[i].path + " is named twice";
        }
    }
    // dpkg writes a line for every regular file it unpacked: each one the dpkg list names
    // (what path-exclude filtered out is in neither); conffiles may have one.
    for (auto listed = package.files.begin(); listed != package.files.end() && problem.empty();
         ++listed) {
        const Entry* entry = reference.find(*listed);
        const Entry* content = entry != nullptr && entry->type == EntryType::hardlink
                                   ? reference.find(entry->link)
                                   : entry;
        if (content == nullptr || content->type != EntryType::file ||
            package.find_conffile(*listed) != nullptr) {
            continue;
        }
        const auto line = std::lower_bound(sums.lines.begin(), sums.lines.end(), *listed,
                                           [](const ControlCheck::GeneratedMd5sums::Line& l,
                                              const std::string& path) { return l.path < path; });
        if (line == sums.lines.end() || line->path != *listed) {
            problem = "no line for " + *listed;
        }
    }
    if (!problem.empty()) {
        finding.status = FileStatus::modified;
        finding.failed.insert(finding.failed.begin(), {"type", "absent", "file"});
        finding.reason = not_member + ", nor the md5sums dpkg writes for it: " + problem;
        return true;
    }
    if (sums.lines.empty()) {
        // Nothing listed, nothing claimed (dpkg writes it empty for a package without regular
        // files, which the check above makes sure of).
        finding.status = finding.failed.empty() ? FileStatus::pristine : FileStatus::metadata;
        return true;
    }
    finding.status = FileStatus::unverifiable;
    finding.reason = "an md5sums written by dpkg: not compared with the files";
    pending = std::move(sums);
    return true;
}

const ControlMember* find_member(const Pkgdesc& reference, std::string_view name) {
    for (const ControlMember& member : reference.control) {
        if (member.name == name) {
            return &member;
        }
    }
    return nullptr;
}

} // namespace

bool dpkg_installs_control_member(std::string_view member) {
    return !member.empty() && member.size() <= k_max_member_name &&
           member.find('.') == std::string_view::npos &&
           member.find('/') == std::string_view::npos && member != "control" && member != k_list;
}

bool dpkg_keeps_control_member(std::string_view member, PackageState state) {
    switch (state) {
    case PackageState::not_installed:
        return false;
    case PackageState::config_files:
        return member == "postrm";
    default:
        return dpkg_installs_control_member(member);
    }
}

bool is_maintainer_script(std::string_view member) {
    return member == "preinst" || member == "postinst" || member == "prerm" || member == "postrm" ||
           member == "config";
}

// ---------------------------------------------------------------------------------------------

std::optional<RecordedMember> record_member(const RootDir& dir, const std::string& name) {
    return to_record(observe_open(dir, name, true, std::nullopt, true));
}

void InfoDir::read_format(const std::optional<std::string>& text, bool format_new,
                          const std::string& display) {
    // The layout (lib/dpkg/db-ctrl-format.c): no format file is the legacy layout (0), a
    // "format-new" next to it an interrupted upgrade to the next one.
    unsigned format = 0;
    if (text) {
        std::size_t pos = text->find_first_not_of(" \t\n\r\f\v");
        if (pos == std::string::npos || (*text)[pos] < '0' || (*text)[pos] > '9') {
            throw IoError(display, "corrupt info database format file");
        }
        for (; pos < text->size() && (*text)[pos] >= '0' && (*text)[pos] <= '9' && format < 1000;
             ++pos) {
            format = format * 10 + static_cast<unsigned>((*text)[pos] - '0');
        }
    }
    if (format_new) {
        ++format;
    }
    if (format > 1) {
        throw IoError(display,
                      "info database format (" + std::to_string(format) + ") is bogus or too new");
    }
    m_multiarch = format == 1;
}

bool InfoDir::add_name(std::string_view name) {
    const std::size_t dot = name.rfind('.');
    // dpkg ignores dot files (".", ".." included) and names without a dot.
    if (name.empty() || name.front() == '.' || dot == std::string_view::npos ||
        name.size() > 0xFFFF || name.substr(dot + 1) == k_list) {
        return true;
    }
    if (m_index.size() >= k_max_info_names ||
        m_names.size() + name.size() > k_max_info_name_bytes) {
        m_complete = false;
        return false;
    }
    m_index.push_back({static_cast<std::uint32_t>(m_names.size()), static_cast<std::uint16_t>(dot),
                       static_cast<std::uint16_t>(name.size() - dot - 1)});
    m_names.append(name);
    return true;
}

void InfoDir::sort_index() {
    std::sort(m_index.begin(), m_index.end(), [&](const Name& a, const Name& b) {
        const int order = owner(a).compare(owner(b));
        return order != 0 ? order < 0 : member(a) < member(b);
    });
    m_index.shrink_to_fit();
}

InfoDir InfoDir::open(const RootDir& admindir, std::string shown) {
    InfoDir info(std::move(shown));
    info.m_dir.emplace(RootDir::open_inside(admindir, "info"));
    const RootDir& dir = *info.m_dir;
    while (!info.m_shown.empty() && info.m_shown.back() == '/') {
        info.m_shown.pop_back();
    }
    std::optional<std::string> format;
    OpenResult file = dir.open_regular("format");
    const std::string display = dir.display("format");
    if (file.ok()) {
        format = read_small_file(file.fd.get(), display, 4096);
    } else if (file.error != ENOENT) {
        throw IoError(display, file.error == EINVAL
                                   ? "cannot open: not a regular file"
                                   : std::string("cannot open: ") + std::strerror(file.error));
    }
    struct stat st {};
    info.read_format(format, ::fstatat(dir.fd(), "format-new", &st, AT_SYMLINK_NOFOLLOW) == 0,
                     display);

    // The listing, once: names are kept back to back, and sorted by owner for lookups.
    for_each_name(dir, [&](std::string_view name) { return info.add_name(name); });
    info.sort_index();
    return info;
}

InfoDir InfoDir::recorded(std::shared_ptr<const RecordedInfo> members, std::string shown) {
    InfoDir info(std::move(shown));
    while (!info.m_shown.empty() && info.m_shown.back() == '/') {
        info.m_shown.pop_back();
    }
    info.m_recorded = std::move(members);
    const std::string display = info.m_shown + "/format";
    std::optional<std::string> format;
    const MemberText text = info.read_member("format", 4096);
    if (!text.missing && !text.error.empty()) {
        throw IoError(display, text.error == "not a regular file" ? "cannot open: " + text.error
                                                                  : text.error);
    }
    if (!text.missing) {
        format = text.text;
    }
    info.read_format(format, info.m_recorded->contains("format-new"), display);
    for (const auto& [name, member] : *info.m_recorded) {
        if (!info.add_name(name)) {
            break;
        }
    }
    info.sort_index();
    return info;
}

MemberText InfoDir::read_member(const std::string& name, std::uint64_t limit) const {
    MemberText out;
    if (m_recorded) {
        const auto it = m_recorded->find(name);
        if (it == m_recorded->end()) {
            out.missing = true;
        } else if (it->second.kind == RecordedMember::Kind::other) {
            out.error = "not a regular file";
        } else if (it->second.kind == RecordedMember::Kind::unopenable) {
            out.error = it->second.error;
        } else if (static_cast<std::uint64_t>(it->second.st.st_size) > limit ||
                   (it->second.content && it->second.content->size() > limit)) {
            out.error = "file too large (over " + std::to_string(limit) + " bytes)";
        } else if (!it->second.content) {
            out.error = it->second.read_error;
        } else {
            out.text = *it->second.content;
        }
        return out;
    }
    OpenResult opened = m_dir->open_regular(name);
    if (!opened.ok()) {
        out.missing = opened.error == ENOENT;
        if (!out.missing) {
            out.error = opened.error == EINVAL
                            ? std::string("not a regular file")
                            : std::string("cannot open: ") + std::strerror(opened.error);
        }
        return out;
    }
    try {
        out.text = read_small_file(opened.fd.get(), m_shown + "/" + name, limit);
    } catch (const Error& e) {
        out.error = e.reason();
    }
    return out;
}

std::string_view InfoDir::owner(const Name& name) const {
    return std::string_view(m_names).substr(name.offset, name.owner_size);
}

std::string_view InfoDir::member(const Name& name) const {
    return std::string_view(m_names).substr(name.offset + name.owner_size + 1u, name.member_size);
}

std::string InfoDir::owner_of(const InstalledPackage& package) const {
    return package.multi_arch_same && m_multiarch ? package.name + ":" + package.architecture
                                                  : package.name;
}

std::vector<std::string_view> InfoDir::members(std::string_view owner_name) const {
    const auto first = std::partition_point(m_index.begin(), m_index.end(),
                                            [&](const Name& n) { return owner(n) < owner_name; });
    std::vector<std::string_view> out;
    for (auto it = first; it != m_index.end() && owner(*it) == owner_name; ++it) {
        out.push_back(member(*it));
    }
    return out;
}

std::vector<std::string_view> InfoDir::owners() const {
    std::vector<std::string_view> out;
    for (const Name& name : m_index) {
        if (out.empty() || out.back() != owner(name)) {
            out.push_back(owner(name));
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------

bool ControlCheck::is_proven(std::string_view member) const {
    return std::binary_search(proven.begin(), proven.end(), member, std::less<>());
}

ControlCheck check_control_members(const InfoDir& info, const RootAccounts& accounts,
                                   const InstalledPackage& package, const Pkgdesc& reference) {
    const std::string owner = info.owner_of(package);
    // What dpkg keeps of the reference's members, and whatever else is there for the package.
    std::vector<std::string> names;
    for (const ControlMember& member : reference.control) {
        if (dpkg_keeps_control_member(member.name, package.state)) {
            names.push_back(member.name);
        }
    }
    for (const std::string_view member : info.members(owner)) {
        names.emplace_back(member);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());

    ControlCheck result;
    for (const std::string& name : names) {
        const std::string file = owner + "." + name;
        Finding finding;
        finding.path = info.shown() + "/" + file;
        finding.package = package.display_name();
        finding.control = true;
        const ControlMember* member = find_member(reference, name);
        const bool kept = dpkg_keeps_control_member(name, package.state);
        std::string script;
        if (member != nullptr && kept) {
            check_kept(info, accounts, file, member->sha256, std::nullopt, finding,
                       is_maintainer_script(name) ? &script : nullptr);
        } else if (name == k_pkgdesc && kept) {
            // DEBIAN/pkgdesc, kept by dpkg: the reference's own canonical text, or nothing.
            const std::string text = to_string(reference);
            check_kept(info, accounts, file, Sha256::digest(text), text.size(), finding);
            if (finding.status == FileStatus::missing) {
                continue;
            }
            if (finding.status == FileStatus::modified) {
                finding.reason = "not the reference's canonical text";
            }
        } else if (name == k_md5sums && member == nullptr && kept) {
            if (!read_generated_md5sums(info, accounts, file, package, reference, finding,
                                        result.generated_md5sums)) {
                continue; // gone since the listing
            }
        } else if (name == k_list_new && member == nullptr) {
            continue; // dpkg writing the package's file list
        } else {
            const MemberObservation obs = observe_member(info, file, false);
            if (!obs.present) {
                continue; // gone since the listing
            }
            finding.status = FileStatus::modified;
            finding.failed.push_back(
                {"type", "absent",
                 obs.stat_known ? stat_type_keyword(obs.st.st_mode) : std::string("unknown")});
            if (member == nullptr && name != k_pkgdesc) {
                finding.reason = "not a control member of the package";
            } else if (!dpkg_installs_control_member(name)) {
                finding.reason = "a control member dpkg does not keep";
            } else {
                finding.reason = "not kept by dpkg for a package in state " +
                                 std::string(state_name(package.state));
            }
        }
        if (finding.status == FileStatus::pristine) {
            result.proven.push_back(name); // in order: `names` is sorted
            if (is_maintainer_script(name)) {
                result.scripts.push_back({name, std::move(script)});
            }
        }
        result.findings.push_back(std::move(finding));
    }
    if (!info.complete()) {
        Finding finding;
        finding.path = info.shown() + "/" + owner + ".*";
        finding.package = package.display_name();
        finding.control = true;
        finding.status = FileStatus::unverifiable;
        finding.reason = "the info directory holds too many names to list: files planted for "
                         "the package cannot be ruled out";
        result.findings.push_back(std::move(finding));
    }

    // Unpacking stopped half-way: info may still hold the previous version's members.
    if (package.state == PackageState::half_installed) {
        result.generated_md5sums.reset();
        for (Finding& finding : result.findings) {
            if (finding.status == FileStatus::modified || finding.status == FileStatus::missing) {
                finding.status = FileStatus::unverifiable;
                finding.reason = "the package is half-installed" +
                                 (finding.reason.empty() ? "" : ": " + finding.reason);
            }
        }
    }
    std::sort(result.findings.begin(), result.findings.end(),
              [](const Finding& a, const Finding& b) { return a.path < b.path; });
    return result;
}

void prove_generated_md5sums(ControlCheck& check, const CheckContext& context,
                             const std::function<std::string(const std::string&)>& real_path) {
    if (!check.generated_md5sums) {
        return;
    }
    const ControlCheck::GeneratedMd5sums sums = std::move(*check.generated_md5sums);
    check.generated_md5sums.reset();
    const auto it = std::find_if(check.findings.begin(), check.findings.end(),
                                 [&](const Finding& f) { return f.path == sums.path; });
    if (it == check.findings.end() || it->status != FileStatus::unverifiable) {
        return; // settled otherwise (a half-installed package)
    }
    Finding& finding = *it;
    for (const ControlCheck::GeneratedMd5sums::Line& line : sums.lines) {
        const Observation obs = observe(
            context, real_path(line.path),
            [&](const struct stat& st) {
                return static_cast<std::uint64_t>(st.st_size) == line.file->size;
            },
            Digest::sha256_and_md5);
        finding.bytes_read += obs.bytes_read;
        if (!obs.found || !S_ISREG(obs.st.st_mode) || !obs.sha256 || !obs.md5 ||
            *obs.sha256 != *line.file->sha256) {
            finding.reason = "an md5sums written by dpkg, not proven: " + line.path +
                             " is not the package's file";
            return;
        }
        if (*obs.md5 != line.md5) {
            finding.status = FileStatus::modified;
            finding.failed.insert(finding.failed.begin(),
                                  {"md5", to_hex(*obs.md5), to_hex(line.md5)});
            finding.reason = "not the md5sums dpkg writes: the line for " + line.path +
                             " is not the MD5 of the package's file";
            return;
        }
    }
    finding.reason.clear();
    finding.status = finding.failed.empty() ? FileStatus::pristine : FileStatus::metadata;
}

} // namespace pkgdesc
