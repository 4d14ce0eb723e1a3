// Putting pristine package files back: see restore.hpp.
#include <libpkgdesc/restore/restore.hpp>

#include <libpkgdesc/archive/deb_reader.hpp>
#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/deb822.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/restore/placing.hpp>
#include <libpkgdesc/trust/apt_chain.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace pkgdesc {

namespace {

using namespace placing;

// What the restore knows of one file it writes.
struct Target {
    const ManifestFile* file = nullptr;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::string member; // the .deb member that holds its content
};

struct ProvenPackage {
    const ManifestPackage* package = nullptr;
    std::string deb;
    std::vector<Target> targets; // with content; hard links apart
    std::vector<Target> links;
    // Each target's member found by content (prove_by_contents), not only expected at its path.
    bool members_known = false;
};

// Whether the control file of a .deb names this package, version and architecture.
bool describes(const DebContents& contents, const ManifestPackage& package) {
    const std::vector<Deb822Stanza> control = parse_deb822(contents.control_text, "control");
    if (control.empty()) {
        return false;
    }
    auto value = [&](std::string_view name) {
        const Deb822Field* field = control.front().find(name);
        return field != nullptr ? field->value : std::string();
    };
    return value("Package") == package.name && value("Version") == package.version &&
           value("Architecture") == package.architecture;
}

// The .debs of a version that the directories hold, in the order of the directories.
std::vector<std::string> debs_present(const std::vector<std::string>& dirs, const std::string& name,
                                      const std::string& version, const std::string& architecture) {
    std::vector<std::string> found;
    for (const std::string& dir : dirs) {
        for (const std::string& file : deb_file_names(name, version, architecture)) {
            const std::string path = dir + "/" + file;
            struct stat st {};
            if (::stat(path.c_str(), &st) == 0) {
                found.push_back(path);
            }
        }
    }
    return found;
}

// Whether the .deb at `path` proves the package by its contents: its SHA-256 is the manifest's
// Deb-SHA256 (when it has one), its control file names the package, and it holds a member of each
// file's SHA-256 and size (any such member will do: the metadata is the manifest's). The whole
// .deb is read.
ProvenPackage prove_by_contents(const ManifestPackage& package, const std::string& path,
                                std::vector<std::string>& problems) {
    ProvenPackage proven;
    proven.package = &package;
    DebReaderOptions options;
    options.hash_file = true;
    DebContents contents;
    try {
        contents = DebReader(options).read(path);
    } catch (const Error& e) {
        problems.push_back(e.what());
        return proven;
    }
    if (!package.deb_sha256.empty() && contents.file_sha256 != package.deb_sha256) {
        problems.push_back(path + ": SHA-256 " + contents.file_sha256 +
                           " is not the manifest's Deb-SHA256 " + package.deb_sha256 +
                           ": refused");
        return proven;
    }
    if (!describes(contents, package)) {
        problems.push_back(path + ": not " + package.name + " " + package.version + " (" +
                           package.architecture + ")");
        return proven;
    }
    std::map<std::pair<std::string, std::uint64_t>, std::string> by_content;
    for (const Entry& entry : contents.entries) {
        if (entry.type == EntryType::file && entry.sha256) {
            by_content.emplace(std::make_pair(to_hex(*entry.sha256), entry.size), entry.path);
        }
    }
    for (const ManifestFile& file : package.files) {
        Target target;
        target.file = &file;
        if (!file.first_link.empty()) {
            proven.links.push_back(target);
            continue;
        }
        const auto member = by_content.find({file.sha256, file.size});
        if (member == by_content.end()) {
            problems.push_back(path + ": holds no member with the content of " +
                               escape(file.path));
            proven.targets.clear();
            proven.links.clear();
            return proven;
        }
        target.member = member->second;
        proven.targets.push_back(target);
    }
    proven.deb = path;
    proven.members_known = true;
    return proven;
}

// Whether the .deb at `path` is, byte for byte, the one the manifest's Deb-SHA256 names: its
// files are then expected at their own paths, and the write checks each member, the control file
// and the SHA-256 of the very bytes it reads again.
ProvenPackage prove_by_identity(const ManifestPackage& package, const std::string& path,
                                std::vector<std::string>& problems) {
    ProvenPackage proven;
    proven.package = &package;
    std::string digest;
    try {
        const std::optional<Sha256Digest> sha = sha256_of_file_if_exists(path);
        if (!sha) {
            problems.push_back(path + ": gone");
            return proven;
        }
        digest = to_hex(*sha);
    } catch (const Error& e) {
        problems.push_back(e.what());
        return proven;
    }
    if (digest != package.deb_sha256) {
        problems.push_back(path + ": SHA-256 " + digest + " is not the manifest's Deb-SHA256 " +
                           package.deb_sha256 + ": refused");
        return proven;
    }
    for (const ManifestFile& file : package.files) {
        Target target;
        target.file = &file;
        target.member = file.path;
        (file.first_link.empty() ? proven.targets : proven.links).push_back(target);
    }
    proven.deb = path;
    return proven;
}

// The first .deb of the directories that proves the package, or why none does.
ProvenPackage prove(const ManifestPackage& package, const std::vector<std::string>& dirs,
                    bool by_identity, std::vector<std::string>& problems) {
    const std::vector<std::string> found =
        debs_present(dirs, package.name, package.version, package.architecture);
    for (const std::string& path : found) {
        ProvenPackage proven = by_identity && !package.deb_sha256.empty()
                                   ? prove_by_identity(package, path, problems)
                                   : prove_by_contents(package, path, problems);
        if (!proven.deb.empty()) {
            return proven;
        }
    }
    if (found.empty()) {
        problems.push_back(
            package.name + " " + package.version + " (" + package.architecture + "): no " +
            deb_file_names(package.name, package.version, package.architecture).front() +
            " in the .deb directories (--debs DIR)");
    }
    ProvenPackage none;
    none.package = &package;
    return none;
}

using Inode = std::pair<dev_t, ino_t>;

// A new temporary file in a directory, removed unless released (to a Staging).
class TempFile {
public:
    TempFile(const RootDir& root, const std::string& path)
        : m_root(root), m_path(path), m_dir(open_directory(root, parent_of(path))) {
        for (int attempt = 0; attempt < 100; ++attempt) {
            m_name = temporary_name();
            const int fd = ::openat(m_dir.get(), m_name.c_str(),
                                    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (fd >= 0) {
                m_fd = UniqueFd(fd);
                return;
            }
            if (errno != EEXIST) {
                throw IoError::from_errno(root.display(path), "cannot create a temporary file",
                                          errno);
            }
        }
        throw IoError(root.display(path), "cannot create a temporary file");
    }
    ~TempFile() {
        if (!m_released) {
            ::unlinkat(m_dir.get(), m_name.c_str(), 0);
        }
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    void write(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::write(m_fd.get(), data.data(), data.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                throw IoError::from_errno(m_root.display(m_path), "cannot write", errno);
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    // The first `size` bytes of `other` (a file of the same content elsewhere).
    void copy_from(const TempFile& other, std::uint64_t size) {
        loff_t in = 0;
        while (static_cast<std::uint64_t>(in) < size) {
            const ssize_t n = ::copy_file_range(other.m_fd.get(), &in, m_fd.get(), nullptr,
                                                static_cast<std::size_t>(size) -
                                                    static_cast<std::size_t>(in),
                                                0);
            if (n > 0) {
                continue;
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                          errno == EOPNOTSUPP)) {
                copy_by_reading(other, static_cast<std::uint64_t>(in), size);
                return;
            }
            throw IoError::from_errno(m_root.display(m_path), "cannot copy into", n < 0 ? errno
                                                                                        : EIO);
        }
    }

    // Owner and group first: chown(2) clears the setuid and setgid bits.
    void set_metadata(const Target& target) {
        const timespec times[2] = {{target.file->mtime, 0}, {target.file->mtime, 0}};
        if (::fchown(m_fd.get(), target.uid, target.gid) != 0 ||
            ::fchmod(m_fd.get(), static_cast<mode_t>(target.file->mode)) != 0 ||
            ::futimens(m_fd.get(), times) != 0) {
            throw IoError::from_errno(m_root.display(m_path), "cannot set its metadata", errno);
        }
    }

    Inode inode() const {
        struct stat st {};
        if (::fstat(m_fd.get(), &st) != 0) {
            throw IoError::from_errno(m_root.display(m_path), "cannot stat", errno);
        }
        return {st.st_dev, st.st_ino};
    }

    // Hands the written file over to be renamed into place later (Staging): its name in its
    // directory, closed.
    std::string release() {
        m_released = true;
        m_fd = UniqueFd();
        return m_name;
    }

private:
    void copy_by_reading(const TempFile& other, std::uint64_t from, std::uint64_t size) {
        std::string buffer(1 << 16, '\0');
        while (from < size) {
            const ssize_t n =
                ::pread(other.m_fd.get(), buffer.data(),
                        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - from)),
                        static_cast<off_t>(from));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                throw IoError::from_errno(m_root.display(m_path), "cannot copy into",
                                          n < 0 ? errno : EIO);
            }
            write({buffer.data(), static_cast<std::size_t>(n)});
            from += static_cast<std::uint64_t>(n);
        }
    }

    const RootDir& m_root;
    std::string m_path;
    UniqueFd m_dir;
    UniqueFd m_fd;
    std::string m_name;
    bool m_released = false;
};

// Files written under temporary names in their directories, complete with their metadata, and
// hard links to them; put in place only once every package is written and proven, all of them or
// none. A file already there is exchanged with its new copy (renameat2 RENAME_EXCHANGE) and
// removed only when every file is in place: a failure half-way exchanges back, removes what was
// placed where nothing was, and removes every temporary file.
class Staging {
public:
    explicit Staging(const RootDir& root) : m_root(root) {}
    ~Staging() {
        if (!m_done) {
            roll_back();
        }
    }
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;

    void add(const std::string& path, std::string name, const std::string& deb, Inode inode) {
        m_index.emplace(path, m_staged.size());
        m_staged.push_back({path, std::move(name), deb, "", inode, State::staged});
    }

    // A hard link at `path` to the file staged for `first`.
    void add_link(const std::string& path, const std::string& first) {
        const auto staged = m_index.find(first);
        if (staged == m_index.end()) {
            throw IoError(m_root.display(path), escape(first) + " is not restored: not linked");
        }
        const std::string target_name = m_staged[staged->second].name;
        const Inode target_inode = m_staged[staged->second].inode;
        const UniqueFd from = open_directory(m_root, parent_of(first));
        const UniqueFd dir = open_directory(m_root, parent_of(path));
        for (int attempt = 0; attempt < 100; ++attempt) {
            std::string name = temporary_name();
            if (::linkat(from.get(), target_name.c_str(), dir.get(), name.c_str(), 0) == 0) {
                m_staged.push_back({path, name, "", first, target_inode, State::staged});
                struct stat st {};
                if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                    !S_ISREG(st.st_mode) || Inode{st.st_dev, st.st_ino} != target_inode) {
                    throw IoError(m_root.display(path), escape(first) +
                                                            " is no longer the file written "
                                                            "for it: not linked");
                }
                return;
            }
            if (errno != EEXIST) {
                throw IoError::from_errno(m_root.display(path), "cannot link to " + escape(first),
                                          errno);
            }
        }
        throw IoError(m_root.display(path), "cannot create a temporary link");
    }

    // Renames every file into place, directory by directory; then removes what they replaced.
    // Each step is reported once all are in place.
    void commit(const std::function<void(const std::string&)>& step) {
        for (Staged* staged : in_directory_order()) {
            const UniqueFd& dir = directory(parent_of(staged->path));
            const std::string name = base_name(staged->path);
            if (::renameat2(dir.get(), staged->name.c_str(), dir.get(), name.c_str(),
                            RENAME_EXCHANGE) == 0) {
                staged->state = State::exchanged;
                // What came back must be what a file may replace: a directory that took the
                // place since the proof goes back, and nothing is restored.
                struct stat st {};
                if (::fstatat(dir.get(), staged->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                    S_ISDIR(st.st_mode)) {
                    throw IoError(m_root.display(staged->path),
                                  "a directory took the file's place during the restore: not "
                                  "replaced, nothing is restored");
                }
            } else if (errno == ENOENT && ::renameat2(dir.get(), staged->name.c_str(), dir.get(),
                                                      name.c_str(), RENAME_NOREPLACE) == 0) {
                staged->state = State::placed;
            } else {
                throw IoError::from_errno(m_root.display(staged->path), "cannot put in place",
                                          errno);
            }
        }
        m_done = true;
        // What was there before: a file of other content, or another link.
        for (Staged& staged : m_staged) {
            if (staged.state == State::exchanged) {
                ::unlinkat(directory(parent_of(staged.path)).get(), staged.name.c_str(), 0);
            }
        }
        m_dirs.clear();
        for (const Staged& staged : m_staged) {
            step(staged.deb.empty()
                     ? "linked " + escape(staged.path) + " to " + escape(staged.first)
                     : "restored " + escape(staged.path) + " from " + staged.deb);
        }
    }

private:
    enum class State { staged, exchanged, placed };
    struct Staged {
        std::string path;
        std::string name; // the temporary name in its directory
        std::string deb;   // the .deb it was read from; empty for a hard link
        std::string first; // what a hard link links to
        Inode inode;
        State state;
    };

    std::vector<Staged*> in_directory_order() {
        std::vector<Staged*> order;
        order.reserve(m_staged.size());
        for (Staged& staged : m_staged) {
            order.push_back(&staged);
        }
        std::stable_sort(order.begin(), order.end(), [](const Staged* a, const Staged* b) {
            return parent_of(a->path) < parent_of(b->path);
        });
        return order;
    }

    // The directory's descriptor, opened once (the last few kept).
    const UniqueFd& directory(const std::string& dir) {
        auto found = m_dirs.find(dir);
        if (found == m_dirs.end()) {
            if (m_dirs.size() >= 64) {
                m_dirs.clear();
            }
            found = m_dirs.emplace(dir, open_directory(m_root, dir)).first;
        }
        return found->second;
    }

    // Everything back as it was, as far as what is there is still this restore's: best
    // effort, nothing here may throw. What cannot be put back is left under its temporary
    // name (an old file is never removed unless its new copy is in place).
    void roll_back() noexcept {
        for (auto staged = m_staged.rbegin(); staged != m_staged.rend(); ++staged) {
            try {
                const int dir = directory(parent_of(staged->path)).get();
                const std::string name = base_name(staged->path);
                auto ours = [&](const std::string& at) {
                    struct stat st {};
                    return ::fstatat(dir, at.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                           Inode{st.st_dev, st.st_ino} == staged->inode;
                };
                if (staged->state == State::exchanged &&
                    (!ours(name) || ::renameat2(dir, staged->name.c_str(), dir, name.c_str(),
                                                RENAME_EXCHANGE) != 0)) {
                    continue; // the old one stays under the temporary name
                }
                if (staged->state == State::placed && ours(name)) {
                    ::renameat2(dir, name.c_str(), dir, staged->name.c_str(), RENAME_NOREPLACE);
                }
                if (ours(staged->name)) {
                    ::unlinkat(dir, staged->name.c_str(), 0);
                }
            } catch (const Error&) {
                // Its directory is gone or no longer reached safely: nothing to remove there.
            } catch (const std::bad_alloc&) {
                return;
            }
        }
    }

    const RootDir& m_root;
    std::vector<Staged> m_staged;
    std::map<std::string, std::size_t> m_index; // path -> its file in m_staged
    std::map<std::string, UniqueFd> m_dirs;
    bool m_done = false;
};

// Directories made for the restore, removed again (when still empty) unless it succeeds.
class MadeDirectories {
public:
    explicit MadeDirectories(const RootDir& root) : m_root(root) {}
    ~MadeDirectories() {
        for (auto dir = m_made.rbegin(); !m_kept && dir != m_made.rend(); ++dir) {
            try {
                ::unlinkat(open_directory(m_root, parent_of(*dir)).get(), base_name(*dir).c_str(),
                           AT_REMOVEDIR);
            } catch (const Error&) {
                // No longer reached safely: left.
            }
        }
    }
    MadeDirectories(const MadeDirectories&) = delete;
    MadeDirectories& operator=(const MadeDirectories&) = delete;

    void make(const Place& place, RestoreResult& result,
              const std::function<void(const std::string&)>& step) {
        for (const std::string& dir : place.make) {
            if (!m_seen.insert(dir).second) {
                continue;
            }
            const UniqueFd parent = open_directory(m_root, parent_of(dir));
            if (::mkdirat(parent.get(), base_name(dir).c_str(), 0755) != 0) {
                if (errno == EEXIST) {
                    continue;
                }
                throw IoError::from_errno(m_root.display(dir), "cannot make directory", errno);
            }
            m_made.push_back(dir);
            ++result.directories;
            step("made directory " + escape(dir) + " (0755, missing from the backup)");
        }
    }
    void keep() { m_kept = true; }

private:
    const RootDir& m_root;
    std::set<std::string> m_seen;
    std::vector<std::string> m_made;
    bool m_kept = false;
};

// Writes the files of one proven package under temporary names: the members streamed from its
// .deb, each checked against the manifest's SHA-256 and size and given the manifest's metadata
// (the other files of a member's content copied from its first). The .deb read is checked again
// (its SHA-256, its control file). Returns the targets of no member with their content: only a
// package proven by identity can have some, found by contents then (a member elsewhere than at
// the file's own path).
std::vector<Target> stage_package(const RootDir& root, const ProvenPackage& proven,
                                  const std::vector<Target>& targets, Staging& staging,
                                  RestoreResult& result) {
    std::map<std::string, std::vector<const Target*>> by_member;
    for (const Target& target : targets) {
        by_member[target.member].push_back(&target);
    }
    // A package proven by identity is expected to hold each file at its path, or at the path
    // merged /usr gave it ("/bin/ls" for "/usr/bin/ls"); its content is checked all the same.
    static const LayoutAliases k_aliases = LayoutAliases::every_standard();
    auto key_of = [&](const std::string& member) {
        if (proven.members_known || by_member.contains(member)) {
            return member;
        }
        return k_aliases.resolve(member);
    };
    std::set<std::string> written;
    auto pending = [&](const std::string& key) {
        std::vector<const Target*> left;
        const auto group = by_member.find(key);
        if (group != by_member.end()) {
            for (const Target* target : group->second) {
                if (!written.contains(target->file->path)) {
                    left.push_back(target);
                }
            }
        }
        return left;
    };
    std::string current; // the key of the member being read
    std::unique_ptr<TempFile> open;
    Sha256 hash;
    std::uint64_t size = 0;
    auto stage = [&](TempFile& file, const Target& target) {
        file.set_metadata(target);
        const Inode inode = file.inode();
        staging.add(target.file->path, file.release(), proven.deb, inode);
        written.insert(target.file->path);
        ++result.files;
        result.bytes += size;
    };
    auto finish = [&] {
        const std::string digest = to_hex(hash.finish());
        const std::vector<const Target*> group = pending(current);
        std::unique_ptr<TempFile> first = std::move(open);
        if (group.empty()) {
            return;
        }
        if (first == nullptr || digest != group.front()->file->sha256 ||
            size != group.front()->file->size) {
            if (!proven.members_known) {
                return; // removed with its TempFile; left for the proof by contents
            }
            throw IoError(proven.deb, "member " + escape(current) +
                                          " changed since it was proven: nothing is restored");
        }
        for (std::size_t i = 1; i < group.size(); ++i) {
            TempFile copy(root, group[i]->file->path);
            copy.copy_from(*first, size);
            stage(copy, *group[i]);
        }
        stage(*first, *group.front());
    };
    DebReaderOptions options;
    options.hash_file = true;
    std::string reading; // the member whose data comes
    options.wants_data = [&](const std::string& path) { return !pending(key_of(path)).empty(); };
    options.data = [&](const std::string& path, std::string_view chunk) {
        if (path != reading) {
            finish();
            hash.finish();
            size = 0;
            reading = path;
            current = key_of(path);
            open = std::make_unique<TempFile>(root, pending(current).front()->file->path);
        }
        hash.update(chunk);
        size += chunk.size();
        if (open != nullptr) {
            if (size > pending(current).front()->file->size) {
                open.reset(); // more than the file holds: not its content
            } else {
                open->write(chunk);
            }
        }
    };
    const DebContents contents = DebReader(options).read(proven.deb);
    finish();
    const ManifestPackage& package = *proven.package;
    if ((!package.deb_sha256.empty() && contents.file_sha256 != package.deb_sha256) ||
        !describes(contents, package)) {
        throw TrustError(proven.deb, "changed since it was proven (SHA-256 " +
                                         contents.file_sha256 + "): nothing is restored");
    }
    // Empty members give no data.
    for (const Entry& entry : contents.entries) {
        if (entry.type == EntryType::file && entry.size == 0 && !pending(key_of(entry.path)).empty()) {
            current = key_of(entry.path);
            hash.finish();
            size = 0;
            open = std::make_unique<TempFile>(root, pending(current).front()->file->path);
            finish();
        }
    }
    std::vector<Target> lacking;
    for (const auto& [member, group] : by_member) {
        for (const Target* target : group) {
            if (!written.contains(target->file->path)) {
                lacking.push_back(*target);
            }
        }
    }
    return lacking;
}

// The dpkg database of a restored backup has the manifest's packages installed at its versions:
// files of other versions would not be that system's. Whether there is one to check.
bool check_installed(const RootDir& root, const RestoreManifest& manifest) {
    const OpenResult status = root.open_at("/var/lib/dpkg/status", O_PATH | O_NOFOLLOW);
    if (!status.ok() && status.error == ENOENT) {
        return false;
    }
    const RootDir admindir = RootDir::open_inside(root, "/var/lib/dpkg");
    const DpkgDatabase db = DpkgDatabase::load(admindir);
    // Every version a stanza gives (a database may list a package twice).
    std::map<std::pair<std::string, std::string>, std::set<std::string>> installed;
    for (const InstalledPackage& pkg : db.packages()) {
        if (pkg.has_unpacked_files()) {
            installed[{pkg.name, pkg.architecture}].insert(pkg.version);
        }
    }
    std::vector<std::string> differ;
    for (const ManifestPackage& package : manifest.packages) {
        const auto found = installed.find({package.name, package.architecture});
        if (found == installed.end()) {
            differ.push_back(package.name + " (" + package.architecture + ") is not installed");
            continue;
        }
        for (const std::string& version : found->second) {
            if (version != package.version) {
                differ.push_back(package.name + " (" + package.architecture + ") is " + version +
                                 ", not " + package.version);
            }
        }
    }
    if (!differ.empty()) {
        std::string reason = std::to_string(differ.size()) + " of the manifest's packages differ";
        for (std::size_t i = 0; i < differ.size() && i < 5; ++i) {
            reason += (i == 0 ? ": " : "; ") + differ[i];
        }
        throw Error(root.display("/var/lib/dpkg/status"),
                    reason + ": not the system the manifest was written for, nothing is written");
    }
    return true;
}

} // namespace

std::vector<std::string> default_debs_dirs(const std::string& cache_dir,
                                           const std::vector<std::string>& apt_options) {
    return {apt_archives_dir(apt_options), cache_dir + "/debs"};
}

FetchResult fetch_manifest_debs(const RestoreManifest& manifest,
                                const std::vector<std::string>& debs_dirs, const std::string& into,
                                const std::vector<std::string>& apt_options) {
    FetchResult result;
    std::vector<DebDownload> downloads;
    std::vector<const ManifestPackage*> wanted;
    for (const ManifestPackage& package : manifest.packages) {
        if (!debs_present(debs_dirs, package.name, package.version, package.architecture).empty()) {
            continue;
        }
        const std::string label =
            package.name + " " + package.version + " (" + package.architecture + ")";
        if (package.deb_uri.empty() || package.deb_sha256.empty()) {
            result.problems.push_back(label +
                                      ": the manifest names no .deb to download (its "
                                      "reference was " +
                                      package.reference + "): --debs DIR");
            continue;
        }
        downloads.push_back(
            {package.deb_uri, package.deb_sha256, 0,
             into + "/" +
                 deb_file_names(package.name, package.version, package.architecture).front()});
        wanted.push_back(&package);
    }
    if (downloads.empty()) {
        return result;
    }
    make_directories(into);
    const std::vector<std::string> failures = download_debs(downloads, apt_options);
    for (std::size_t i = 0; i < failures.size(); ++i) {
        if (failures[i].empty()) {
            ++result.fetched;
        } else {
            result.problems.push_back(wanted[i]->name + " " + wanted[i]->version + " (" +
                                      wanted[i]->architecture + "): " + failures[i]);
        }
    }
    return result;
}

std::vector<std::string> deb_file_names(const std::string& name, const std::string& version,
                                        const std::string& architecture) {
    const std::size_t colon = version.find(':');
    const std::string tail = "_" + architecture + ".deb";
    if (colon == std::string::npos) {
        return {name + "_" + version + tail};
    }
    return {name + "_" + version.substr(colon + 1) + tail,
            name + "_" + version.substr(0, colon) + "%3a" + version.substr(colon + 1) + tail};
}

std::vector<PackageVersion> owners_of(const std::string& root_path, const std::string& path) {
    const RootDir root = RootDir::open(root_path);
    const RootDir admindir = RootDir::open_inside(root, "/var/lib/dpkg");
    DpkgDatabase db = DpkgDatabase::load(admindir);
    db.read_file_lists(admindir,
                       [](const InstalledPackage& pkg) { return pkg.has_unpacked_files(); });
    std::vector<PackageVersion> owners;
    for (const InstalledPackage& pkg : db.packages()) {
        if (pkg.has_unpacked_files() &&
            std::find(pkg.files.begin(), pkg.files.end(), path) != pkg.files.end()) {
            owners.push_back({pkg.name, pkg.architecture, pkg.version});
        }
    }
    if (owners.empty()) {
        throw Error(root.display(path), "no installed package lists it");
    }
    return owners;
}

ExtractedFile extract_pristine(const PackageVersion& owner, const std::string& path,
                               const ReferenceSet& references,
                               const std::vector<std::string>& debs_dirs,
                               const std::function<void(std::string_view)>& sink) {
    const std::string label = owner.name + " " + owner.version + " (" + owner.architecture + ")";
    const Pkgdesc* desc = references.find(owner.name, owner.architecture, owner.version);
    if (desc == nullptr) {
        throw Error(label,
                    "no reference data: " +
                        references.missing_reason(owner.name, owner.architecture, owner.version));
    }
    const Entry* entry = desc->find(path);
    std::string member = path;
    if (entry != nullptr && entry->type == EntryType::hardlink) {
        member = entry->link;
        entry = desc->find(entry->link);
    }
    if (entry == nullptr || entry->type != EntryType::file || !entry->sha256) {
        throw Error(escape(path), "not a regular file of " + label + "'s reference data");
    }
    std::vector<std::string> problems;
    for (const std::string& deb :
         debs_present(debs_dirs, owner.name, owner.version, owner.architecture)) {
        // The content goes to the sink only once a .deb holds it exactly: it is read into
        // memory first (a package file that fits; the limit keeps memory bounded).
        constexpr std::uint64_t k_limit = std::uint64_t{1} << 30;
        if (entry->size > k_limit) {
            throw Error(escape(path), "larger than " + std::to_string(k_limit) + " bytes");
        }
        std::string content;
        Sha256 hash;
        DebReaderOptions options;
        options.wants_data = [&](const std::string& p) { return p == member; };
        options.data = [&](const std::string&, std::string_view chunk) {
            if (content.size() + chunk.size() > entry->size) {
                throw ArchiveError(deb, escape(member) + ": larger than its reference");
            }
            content.append(chunk);
            hash.update(chunk);
        };
        try {
            DebReader(options).read(deb);
        } catch (const Error& e) {
            problems.push_back(e.what());
            continue;
        }
        if (content.size() != entry->size || hash.finish() != *entry->sha256) {
            problems.push_back(deb + ": " + escape(member) +
                               " is not the content its reference describes");
            continue;
        }
        sink(content);
        return {owner.name, owner.version, deb, *entry};
    }
    std::string reason;
    for (const std::string& problem : problems) {
        reason += "; " + problem;
    }
    throw TrustError(escape(path), "no .deb of " + label + " holds its pristine content" +
                                       (problems.empty() ? " (none found; --debs DIR)" : reason));
}

RestoreResult restore_from_manifest(const RestoreManifest& manifest, const RestoreOptions& options,
                                    const std::function<void(const std::string&)>& step) {
    const RootDir root = RootDir::open(options.root);
    const RootAccounts accounts = RootAccounts::load(root);
    RestoreResult result;
    result.database_checked = check_installed(root, manifest);
    // The proof, before anything is written: every package's .deb, every file's place and
    // accounts. A dry run reads the .debs whole to show each file's member; a restore that
    // writes proves a .deb by its SHA-256 here and checks every member as it writes it.
    const bool by_identity = options.apply || !options.check_members;
    std::vector<ProvenPackage> proven;
    std::vector<std::string> problems;
    for (const ManifestPackage& package : manifest.packages) {
        ProvenPackage p = prove(package, options.debs_dirs, by_identity, problems);
        if (p.deb.empty()) {
            continue;
        }
        proven.push_back(std::move(p));
    }
    if (proven.size() != manifest.packages.size()) {
        std::string reason;
        for (std::size_t i = 0; i < problems.size() && i < 5; ++i) {
            reason += (i == 0 ? "" : "; ") + problems[i];
        }
        if (problems.size() > 5) {
            reason += "; and " + std::to_string(problems.size() - 5) + " more";
        }
        throw TrustError(std::to_string(manifest.packages.size() - proven.size()) + " of " +
                             std::to_string(manifest.packages.size()) + " packages",
                         "no .deb proves them, nothing is written: " + reason);
    }
    std::map<std::string, Place> places;
    for (ProvenPackage& p : proven) {
        for (std::vector<Target>* group : {&p.targets, &p.links}) {
            for (Target& target : *group) {
                const ManifestFile& file = *target.file;
                target.uid = resolve_id(file.owner, accounts, true, root, file.path);
                target.gid = resolve_id(file.group, accounts, false, root, file.path);
                places.emplace(file.path, place_of(root, file.path, options.remade));
            }
        }
    }
    result.packages = proven.size();
    if (!options.apply) {
        for (const ProvenPackage& p : proven) {
            for (const Target& target : p.targets) {
                ++result.files;
                result.bytes += target.file->size;
                step("would restore " + escape(target.file->path) + " from " + p.deb);
            }
            for (const Target& link : p.links) {
                ++result.files;
                ++result.links;
                step("would link " + escape(link.file->path) + " to " +
                     escape(link.file->first_link));
            }
        }
        return result;
    }
    const RootLock lock(root);
    // The directories written into keep their times: a restore puts files back, it does not
    // touch the backup's directories (nor when it stops half-way).
    std::map<std::string, struct stat> directory_times;
    for (const auto& [path, place] : places) {
        if (place.make.empty()) {
            const OpenResult dir = root.open_at(place.existing, O_PATH | O_NOFOLLOW);
            struct stat st {};
            if (dir.ok() && ::fstat(dir.fd.get(), &st) == 0) {
                directory_times.emplace(place.existing, st);
            }
        }
    }
    struct TimesBack {
        const RootDir& root;
        const std::map<std::string, struct stat>& times;
        ~TimesBack() {
            for (const auto& [dir, st] : times) {
                const timespec back[2] = {st.st_atim, st.st_mtim};
                try {
                    ::futimens(open_directory(root, dir).get(), back);
                } catch (const Error&) {
                    // No longer a directory reached safely: its times are not ours to set.
                }
            }
        }
    } times_back{root, directory_times};
    MadeDirectories made(root);
    for (const auto& [path, place] : places) {
        made.make(place, result, step);
    }
    // Every file written under a temporary name first, each package's .deb read once; all put in
    // place when all are written, hard links too.
    Staging staging(root);
    for (ProvenPackage& p : proven) {
        std::vector<Target> lacking = stage_package(root, p, p.targets, staging, result);
        if (lacking.empty()) {
            continue;
        }
        ProvenPackage by_contents = prove_by_contents(*p.package, p.deb, problems);
        if (by_contents.deb.empty()) {
            throw TrustError(p.deb, "does not prove " + p.package->name + " " +
                                        p.package->version + ": " + problems.back() +
                                        "; nothing is restored");
        }
        std::set<std::string> wanted;
        for (const Target& target : lacking) {
            wanted.insert(target.file->path);
        }
        std::vector<Target> rest;
        for (Target target : by_contents.targets) {
            if (wanted.contains(target.file->path)) {
                target.uid =
                    resolve_id(target.file->owner, accounts, true, root, target.file->path);
                target.gid =
                    resolve_id(target.file->group, accounts, false, root, target.file->path);
                rest.push_back(target);
            }
        }
        if (!stage_package(root, by_contents, rest, staging, result).empty()) {
            throw TrustError(p.deb, "changed while it was read: nothing is restored");
        }
    }
    for (const ProvenPackage& p : proven) {
        for (const Target& link : p.links) {
            staging.add_link(link.file->path, link.file->first_link);
            ++result.files;
            ++result.links;
        }
    }
    staging.commit(step);
    made.keep();
    return result;
}

} // namespace pkgdesc
