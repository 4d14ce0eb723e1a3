// The backup plan: see backup_plan.hpp and docs/backup.md.
#include <libpkgdesc/backup/backup_plan.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/utc_time.hpp>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <ctime>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace pkgdesc {

namespace {

// What the plan knows of a file it may leave out.
struct Restorable {
    std::string package; // dpkg name: "name" or "name:arch"
    std::string sha256;
    std::uint64_t size = 0;
    std::string listed;         // the name in the package ("/bin/ls" for /usr/bin/ls)
    Finding::Identity identity; // the inode proven
};

class PlanSink : public FindingSink {
public:
    void finding(const Finding& finding) override {
        if (restorable_from_package(finding)) {
            m_restorable.emplace(
                finding.path,
                Restorable{finding.package, finding.proven_sha256, finding.proven_size,
                           finding.listed_path.empty() ? finding.path : finding.listed_path,
                           *finding.proven_identity});
        } else {
            // Two claims on one path (a control member and a file, two packages): any doubt
            // keeps it.
            m_doubted.insert(finding.path);
        }
    }

    std::unordered_map<std::string, Restorable> take() {
        for (const std::string& path : m_doubted) {
            m_restorable.erase(path);
        }
        return std::move(m_restorable);
    }

private:
    std::unordered_map<std::string, Restorable> m_restorable;
    std::unordered_set<std::string> m_doubted;
};

// File systems whose content is made by the kernel or lives in memory: a plan neither walks
// nor backs up their mount points (they are made anew at boot).
bool is_virtual_file_system(int fd) {
    struct statfs fs {};
    if (::fstatfs(fd, &fs) != 0) {
        return false;
    }
    switch (static_cast<unsigned long>(fs.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case RAMFS_MAGIC:
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case SECURITYFS_MAGIC:
    case BPF_FS_MAGIC:
    case PSTOREFS_MAGIC:
    case EFIVARFS_MAGIC:
    case 0x19800202: // mqueue
    case HUGETLBFS_MAGIC:
    case BINFMTFS_MAGIC:
    case NSFS_MAGIC:
    case AUTOFS_SUPER_MAGIC:
    case 0x62656570: // configfs
    case 0x65735543: // fusectl
        return true;
    default:
        return false;
    }
}

// The code point that ends a UTF-8 string, or -1 when the string is not well-formed UTF-8.
long last_code_point_of_utf8(std::string_view s) {
    long last = -1;
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t length = 1;
        long cp = c;
        unsigned char low = 0x80;
        unsigned char high = 0xbf;
        if (c < 0x80) {
            length = 1;
        } else if (c >= 0xc2 && c <= 0xdf) {
            length = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            length = 3;
            cp = c & 0x0f;
            low = c == 0xe0 ? 0xa0 : 0x80;
            high = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            length = 4;
            cp = c & 0x07;
            low = c == 0xf0 ? 0x90 : 0x80;
            high = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            return -1;
        }
        if (i + length > s.size()) {
            return -1;
        }
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xbf)) {
                return -1;
            }
            cp = (cp << 6) | (next & 0x3f);
        }
        last = cp;
        i += length;
    }
    return last;
}

// Whether borg reads `path` back exactly from a line of its patterns file: borg decodes the
// file as UTF-8, splits it at "\n", "\r" and "\r\n", and strips white space (Python's
// str.strip()) from both ends of each line.
bool borg_can_name(std::string_view path) {
    if (path.find_first_of("\n\r") != std::string_view::npos) {
        return false;
    }
    // Read in a Latin-1 locale after all, a last byte 0x85 or 0xa0 is white space too.
    if (!path.empty() && (path.back() == '\x85' || path.back() == '\xa0')) {
        return false;
    }
    const long last = last_code_point_of_utf8(path);
    if (last < 0) {
        return false;
    }
    const bool space = (last >= 0x09 && last <= 0x0d) || (last >= 0x1c && last <= 0x20) ||
                       last == 0x85 || last == 0xa0 || last == 0x1680 ||
                       (last >= 0x2000 && last <= 0x200a) || last == 0x2028 || last == 0x2029 ||
                       last == 0x202f || last == 0x205f || last == 0x3000;
    return !space;
}

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string child_of(const std::string& dir, const std::string& name) {
    return (dir == "/" ? "" : dir) + "/" + name;
}

// "usr/bin/ls" for "/usr/bin/ls", "." for "/": names relative to the root, for tar and rsync.
std::string relative(const std::string& path) {
    return path == "/" ? "." : path.substr(1);
}

// The plan's files as they are written.
class Plan {
public:
    Plan(const RootDir& root, std::string host_root,
         const std::unordered_map<std::string, Restorable>& restorable)
        : m_root(root), m_host_root(std::move(host_root)), m_restorable(restorable) {
        // Every directory above a file that may be left out: restic is given such a directory
        // name by name, the others whole.
        for (const auto& [path, file] : restorable) {
            for (std::string dir = parent_of(path);; dir = parent_of(dir)) {
                if (!m_holds_restorable.insert(dir).second || dir == "/") {
                    break;
                }
            }
        }
    }

    // Backs up `tree` and, by name only, the directories above it.
    void add_tree(const std::string& tree) {
        std::vector<std::string> above;
        for (std::string dir = tree; dir != "/";) {
            dir = parent_of(dir);
            above.push_back(dir);
        }
        for (auto it = above.rbegin(); it != above.rend(); ++it) {
            struct stat st {};
            if (stat_in_root(*it, st) && S_ISDIR(st.st_mode)) {
                back_up(*it, st, false);
            }
        }
        struct stat st {};
        if (!stat_in_root(tree, st)) {
            return; // nothing there (a tree that does not exist is not backed up)
        }
        if (!S_ISDIR(st.st_mode)) {
            if (!leave_out(tree, st)) {
                back_up(tree, st, true);
            }
            return;
        }
        walk(tree, st);
    }

    BackupPlanResult& result() { return m_result; }
    const std::map<std::string, std::vector<std::pair<std::string, const Restorable*>>>&
    left_out() const {
        return m_left_out;
    }
    // The first path (in byte order) of the left-out files that share the inode of `path`.
    const std::string& first_link(const std::string& path) const {
        return m_inodes.at(m_inode_of.at(path));
    }
    const std::vector<std::pair<std::string, struct stat>>& virtual_mounts() const {
        return m_virtual_mounts;
    }

    std::string tar;
    std::string restic;
    std::string borg_excludes;

private:
    bool stat_in_root(const std::string& path, struct stat& st) const {
        const OpenResult node = m_root.open_at(path, O_PATH | O_NOFOLLOW);
        return node.ok() && ::fstat(node.fd.get(), &st) == 0;
    }

    // Names a path for tar and rsync (and, when `for_restic`, for restic).
    void back_up(const std::string& path, const struct stat& st, bool for_restic) {
        if (!m_emitted.insert(path).second) {
            return;
        }
        tar += relative(path);
        tar.push_back('\0');
        ++m_result.backed_up;
        if (S_ISREG(st.st_mode)) {
            m_result.backed_up_bytes += static_cast<std::uint64_t>(st.st_size);
        }
        if (for_restic) {
            name_for_restic(path);
        }
    }

    void name_for_restic(const std::string& path) {
        restic += m_host_root == "/" ? path : (path == "/" ? m_host_root : m_host_root + path);
        restic.push_back('\0');
    }

    // Leaves out a file proven pristine that is still what was proven: the same inode, of the
    // size proven, with the same mtime and ctime to the nanosecond (a file changed or replaced
    // since, even to the same size, is backed up).
    bool leave_out(const std::string& path, const struct stat& st) {
        const auto it = m_restorable.find(path);
        if (it == m_restorable.end() || !S_ISREG(st.st_mode) ||
            static_cast<std::uint64_t>(st.st_size) != it->second.size ||
            !(identity_of(st) == it->second.identity)) {
            return false;
        }
        if (!m_left.insert(path).second) {
            return true;
        }
        m_left_out[it->second.package].emplace_back(path, &it->second);
        // Hard links of a package are one inode on disk (the verifier proved the link count):
        // the restore makes them one again.
        // Only within one package: an inode that two packages' files share was made so by hand.
        auto [group, fresh] =
            m_inodes.emplace(InodeKey{it->second.package, st.st_dev, st.st_ino}, path);
        if (!fresh && path < group->second) {
            group->second = path;
        }
        m_inode_of.emplace(path, InodeKey{it->second.package, st.st_dev, st.st_ino});
        ++m_result.left_out;
        m_result.left_out_bytes += it->second.size;
        const std::string host = m_host_root == "/" ? path : m_host_root + path;
        if (borg_can_name(host)) {
            borg_excludes += "- pf:" + host + "\n";
        } else {
            ++m_result.borg_backed_up;
        }
        return true;
    }

    void walk(const std::string& tree, const struct stat& tree_st) {
        struct Pending {
            std::string path;
            struct stat st;
            bool restic_has_it; // it or an ancestor was given to restic whole
            bool restic_names_it;
        };
        const bool whole = !m_holds_restorable.contains(tree);
        // Depth first, each directory before what it holds and its whole tree before the next:
        // tar sets a directory's times once the members in it are done.
        // An explicit stack: depth is the checked system's choice, the process stack is not.
        std::vector<Pending> pending{{tree, tree_st, whole, whole}};
        while (!pending.empty()) {
            const Pending dir = std::move(pending.back());
            pending.pop_back();
            back_up(dir.path, dir.st, dir.restic_names_it);
            std::vector<DirEntry> entries;
            const std::string error = list_directory(m_root, dir.path, entries);
            if (!error.empty()) {
                m_result.unreadable.push_back(m_root.display(dir.path) + ": " + error);
            }
            std::vector<Pending> subdirs;
            bool restic_named_one = false;
            const Restorable* smallest = nullptr;
            std::string smallest_path;
            for (const DirEntry& entry : entries) {
                const std::string path = child_of(dir.path, entry.name);
                if (S_ISDIR(entry.mode())) {
                    if (entry.st.st_dev != dir.st.st_dev && is_virtual_mount(path, entry.st)) {
                        continue;
                    }
                    const bool child_whole =
                        dir.restic_has_it || !m_holds_restorable.contains(path);
                    restic_named_one = true;
                    subdirs.push_back(
                        {path, entry.st, child_whole, !dir.restic_has_it && child_whole});
                    continue;
                }
                if (leave_out(path, entry.st)) {
                    const Restorable& file = m_restorable.at(path);
                    if (smallest == nullptr || file.size < smallest->size) {
                        smallest = &file;
                        smallest_path = path;
                    }
                    continue;
                }
                back_up(path, entry.st, !dir.restic_has_it);
                restic_named_one = true;
            }
            // restic keeps a directory's metadata only above what it is given: a directory of
            // left-out files alone gets its smallest one named.
            if (!dir.restic_has_it && !restic_named_one && smallest != nullptr) {
                name_for_restic(smallest_path);
                ++m_result.restic_backed_up;
            }
            pending.insert(pending.end(), std::make_move_iterator(subdirs.rbegin()),
                           std::make_move_iterator(subdirs.rend()));
        }
    }

    bool is_virtual_mount(const std::string& path, const struct stat& st) {
        const OpenResult node = m_root.open_at(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (!node.ok() || !is_virtual_file_system(node.fd.get())) {
            return false;
        }
        m_virtual_mounts.emplace_back(path, st);
        m_result.virtual_mounts.push_back(path);
        return true;
    }

    const RootDir& m_root;
    std::string m_host_root;
    const std::unordered_map<std::string, Restorable>& m_restorable;
    std::unordered_set<std::string> m_holds_restorable;
    std::unordered_set<std::string> m_emitted;
    std::unordered_set<std::string> m_left;
    std::map<std::string, std::vector<std::pair<std::string, const Restorable*>>> m_left_out;
    using InodeKey = std::tuple<std::string, dev_t, ino_t>;
    std::map<InodeKey, std::string> m_inodes;
    std::unordered_map<std::string, InodeKey> m_inode_of;
    std::vector<std::pair<std::string, struct stat>> m_virtual_mounts;
    BackupPlanResult m_result;
};

// The trees asked for, the dpkg database and the accounts files, each once: none inside
// another.
std::vector<std::string> planned_trees(const std::vector<std::string>& asked) {
    std::vector<std::string> trees;
    for (const std::string& tree : asked) {
        if (!is_normalized_path(tree)) {
            throw Error(tree, "a tree to back up must be an absolute, normalized path");
        }
        trees.push_back(tree);
    }
    for (const char* needed : {"/var/lib/dpkg", "/etc/passwd", "/etc/group"}) {
        trees.emplace_back(needed);
    }
    std::sort(trees.begin(), trees.end());
    std::vector<std::string> kept;
    for (const std::string& tree : trees) {
        const bool inside = std::any_of(kept.begin(), kept.end(), [&](const std::string& k) {
            return k == "/" || tree == k || tree.starts_with(k + "/");
        });
        if (!inside) {
            kept.push_back(tree);
        }
    }
    return kept;
}

std::string manifest_text(const Plan& plan, const std::string& host_root,
                          const std::vector<std::string>& trees,
                          const std::vector<PackageVersion>& installed,
                          const ReferenceSet& references) {
    // The dpkg name of each installed version: "name:arch" always, "name" when only one
    // architecture of it is installed.
    std::map<std::string, const PackageVersion*> by_name;
    std::map<std::string, int> architectures;
    for (const PackageVersion& v : installed) {
        ++architectures[v.name];
    }
    // dpkg's own architecture is the system's; without dpkg, the most frequent one.
    std::map<std::string, int> frequency;
    for (const PackageVersion& v : installed) {
        if (v.architecture != "all") {
            ++frequency[v.architecture];
        }
    }
    std::string architecture = "unknown";
    int most = 0;
    for (const auto& [arch, count] : frequency) {
        if (count > most) {
            architecture = arch;
            most = count;
        }
    }
    for (const PackageVersion& v : installed) {
        by_name[v.name + ":" + v.architecture] = &v;
        if (architectures[v.name] == 1) {
            by_name[v.name] = &v;
        }
        if (v.name == "dpkg") {
            architecture = v.architecture;
        }
    }
    std::string text = "Format: pkgdesc-backup-manifest 1\n";
    text += "Root: " + escape(host_root) + "\n";
    text += "Architecture: " + architecture + "\n";
    text += "Created: " + utc_now() + "\n";
    text += "Trees:";
    for (const std::string& tree : trees) {
        text += " " + escape(tree);
    }
    text += "\n";
    if (!plan.virtual_mounts().empty()) {
        text += "Virtual-Mounts:\n";
        for (const auto& [path, st] : plan.virtual_mounts()) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777u);
            text += std::string(" ") + mode + " " + std::to_string(st.st_uid) + " " +
                    std::to_string(st.st_gid) + " " + escape(path) + "\n";
        }
    }
    for (const auto& [package, files] : plan.left_out()) {
        const auto version = by_name.find(package);
        if (version == by_name.end()) {
            throw Error(package, "a checked package that the dpkg database does not hold");
        }
        const PackageVersion& v = *version->second;
        text += "\nPackage: " + v.name + "\nArchitecture: " + v.architecture +
                "\nVersion: " + v.version + "\n";
        if (const Provenance* from = references.provenance(v.name, v.architecture, v.version)) {
            text += "Reference: " + escape(from->origin) + "\n";
            if (!from->deb_sha256.empty()) {
                text += "Deb-SHA256: " + from->deb_sha256 + "\n";
            }
            if (!from->deb_uri.empty()) {
                text += "Deb: " + escape(from->deb_uri) + "\n";
            }
        }
        text += "Files:\n";
        std::vector<std::pair<std::string, const Restorable*>> sorted = files;
        std::sort(sorted.begin(), sorted.end());
        const Pkgdesc* desc = references.find(v.name, v.architecture, v.version);
        for (const auto& [path, file] : sorted) {
            const Entry* entry = desc != nullptr ? desc->find(file->listed) : nullptr;
            if (entry != nullptr && entry->type == EntryType::hardlink) {
                entry = desc->find(entry->link);
            }
            if (entry == nullptr) {
                throw Error(path, "proven pristine, but its reference entry is gone");
            }
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", entry->mode & 07777u);
            const std::string owner =
                entry->uname.empty() ? "#" + std::to_string(entry->uid.value_or(0)) : entry->uname;
            const std::string group =
                entry->gname.empty() ? "#" + std::to_string(entry->gid.value_or(0)) : entry->gname;
            text += " " + file->sha256 + " " + std::to_string(file->size) + " " + mode + " " +
                    escape(owner) + " " + escape(group) + " " +
                    std::to_string(entry->mtime.seconds) + " " + escape(path);
            const std::string& first = plan.first_link(path);
            if (first != path) {
                text += " " + escape(first);
            }
            text += "\n";
        }
    }
    return text;
}

void write_file(const std::string& path, const std::string& data) {
    AtomicFile out(path);
    out.write(data);
    out.commit();
}

} // namespace

bool restorable_from_package(const Finding& finding) {
    return finding.status == FileStatus::pristine && !finding.conffile && !finding.control &&
           !finding.md5sums && finding.failed.empty() && finding.reason.empty() &&
           finding.diverted_by.empty() && finding.statoverride.empty() &&
           finding.explained_by.empty() && !finding.other_xattrs && !finding.package.empty() &&
           finding.proven_sha256.size() == 64 && finding.proven_identity && finding.proven_mode &&
           S_ISREG(*finding.proven_mode);
}

BackupPlanResult write_backup_plan(const BackupPlanOptions& options, const VerifyOptions& verify,
                                   const ReferenceSet& references) {
    const std::vector<std::string> trees = planned_trees(options.trees);
    // The proof: what the verifier finds pristine, exactly as packaged.
    VerifyOptions checking = verify;
    checking.unowned = false;
    checking.only_paths.reset();
    PlanSink sink;
    const Summary summary = Verifier(checking, references).run(sink);
    const std::unordered_map<std::string, Restorable> restorable = sink.take();

    // The walk: everything under the trees, but the files left out.
    const RootDir root = RootDir::open(verify.root);
    char resolved[PATH_MAX];
    if (::realpath(verify.root.c_str(), resolved) == nullptr) {
        throw IoError::from_errno(verify.root, "cannot resolve", errno);
    }
    const std::string host_root = resolved;
    if (!borg_can_name(host_root) || host_root.find('\0') != std::string::npos) {
        throw Error(host_root, "the root's own name cannot be written in borg.patterns (a "
                               "newline, white space at the end, or bytes that are not UTF-8)");
    }
    Plan plan(root, host_root, restorable);
    for (const std::string& tree : trees) {
        plan.add_tree(tree);
    }
    BackupPlanResult result = std::move(plan.result());
    result.verification = summary;
    result.packages = plan.left_out().size();

    std::string borg = "# pkgdesc backup plan for " + host_root +
                       ": borg create --patterns-from THIS_FILE REPO::NAME\n"
                       "# UTF-8: run borg in a UTF-8 or the C locale (or with PYTHONUTF8=1)\n";
    for (const std::string& tree : trees) {
        const std::string host =
            host_root == "/" ? tree : (tree == "/" ? host_root : host_root + tree);
        if (!borg_can_name(host)) {
            throw Error(tree, "a tree whose name cannot be written in borg.patterns");
        }
        borg += "R " + host + "\n";
    }
    for (const auto& [path, st] : plan.virtual_mounts()) {
        const std::string host = host_root == "/" ? path : host_root + path;
        if (borg_can_name(host)) {
            borg += "! pf:" + host + "\n";
        }
    }
    borg += plan.borg_excludes;
    const std::string manifest =
        manifest_text(plan, host_root, trees, selected_versions(checking), references);
    result.manifest_sha256 = to_hex(Sha256::digest(manifest));

    make_directories(options.out_dir);
    const std::string dir = options.out_dir + "/";
    write_file(dir + k_plan_tar, plan.tar);
    write_file(dir + k_plan_rsync, plan.tar);
    write_file(dir + k_plan_borg, borg);
    write_file(dir + k_plan_restic, plan.restic);
    write_file(dir + k_plan_manifest, manifest);
    return result;
}

} // namespace pkgdesc
