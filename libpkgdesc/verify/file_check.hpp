// Checking one path under the root: observe what is on disk (without following symlinks out of
// the root, without opening anything but regular files and directories), then compare the
// observation with what a reference entry expects.
#pragma once

#include <libpkgdesc/format/pkgdesc.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/verify/finding.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// What the reference (with statoverrides and the root's accounts applied) says a path must be.
struct Expectation {
    EntryType type = EntryType::file; // never hardlink: those expect their target's attributes
    std::uint32_t mode = 0;
    std::optional<std::uint32_t> uid; // nullopt: the name is unknown to the root's passwd
    std::optional<std::uint32_t> gid;
    std::string owner; // as given ("root", "#1000"), for messages
    std::string group;
    std::uint64_t size = 0;
    std::optional<Sha256Digest> sha256;
    std::string link;
    std::string hardlink_to; // the real path this file must share its inode with
    // The names a regular file's inode has in its package (1 and its hard links): one more on
    // disk is a name made outside the package (kept an old setuid binary alive past its
    // upgrade, say).
    std::uint32_t links = 1;
    std::uint32_t dev_major = 0;
    std::uint32_t dev_minor = 0;
    std::optional<std::int64_t> mtime; // seconds, as dpkg sets them; not for directories
    std::string unknown;               // keywords this version cannot check
    bool skip_metadata = false;        // mode, owner, group and mtime are not compared
    // The setuid and setgid bits a statoverride asked for but does not get: the checked
    // system's statoverride file may take privilege away, not give it (see expectation_for()).
    std::uint32_t refused_privilege = 0;
};

// What is on disk at a path.
struct Observation {
    bool found = false;
    FileStatus failure = FileStatus::pristine; // missing or unverifiable when not found
    std::string reason;
    bool through_symlink = false; // a directory of the path was a symbolic link
    // A pseudo file system (proc, sysfs, devtmpfs, tmpfs on /run or /dev, ...) of a live system
    // is mounted on it: the package's directory underneath is hidden. Never the root itself
    // nor a real file system (an image's root, a /boot partition): those are compared.
    bool mount_point = false;
    struct stat st {};
    std::optional<Sha256Digest> sha256; // regular files that could be read whole
    std::optional<Md5Digest> md5;       // when observe() was asked for MD5
    std::string hash_error;             // why a regular file has no digest
    std::string link;                   // symlink target
    std::vector<std::string> xattrs;    // reportable extended attributes present
    bool other_xattrs = false;          // and whether any other is
    std::string capability;             // a regular file's raw security.capability value
    std::uint64_t bytes_read = 0;
    // Whether st.st_mtim is what the file has (a record such as an AIDE database may lack it:
    // then the mtime is not compared).
    bool mtime_known = true;
    // Not read: an earlier run proved this very state of the file pristine (sha256 is the
    // digest proven then; xattrs were none).
    bool proven_before = false;
    // On a file system that does not keep a file's times through every write (tmpfs, ramfs:
    // writes through a shared mapping leave them as they were); set only for a run that keeps
    // verdicts (CheckContext::verdicts_proven).
    bool volatile_times = false;
};

class Observer;
class VerdictCache;

struct CheckContext {
    const RootDir& root;
    const RootAccounts& accounts;
    const std::vector<std::string>& ignore_xattrs;
    // Where observations come from instead of the files under `root` (a record of them taken
    // earlier); nullptr for the files themselves.
    const Observer* observer = nullptr;
    // `root` is the running system's own root directory: a device node at a package path can
    // only have been made by this very system's root, whom nothing here can stop anyway, so
    // paths the references expect to be regular files or directories are opened for reading at
    // once (see observe()). Never for another root: a device node in a mounted image, made by
    // the checked host, would be opened on the verifying one.
    bool live_system = false;
    // An --incremental run: the verdicts of the last run (regular files proven pristine whose
    // verdict nothing has changed since are not read again), and where the verdicts proven
    // now are recorded. nullptr: every file is read.
    const VerdictCache* verdicts_known = nullptr;
    VerdictCache* verdicts_proven = nullptr;
};

// Decides, from a regular file's size, whether its content is read: a file whose size already
// differs from every reference entry is not (an attacker's sparse 15 TiB file costs nothing).
// The stat(2) of the regular file is given: its size, and its allocated blocks.
using HashPolicy = std::function<bool(const struct stat& st)>;

// Which digest a regular file's content gets: SHA-256 for reference data, MD5 for the checked
// system's own md5sums, both from one read to prove an md5sums line that dpkg wrote itself.
enum class Digest { sha256, md5, sha256_and_md5 };

// A source of observations other than the files under the root: the engine compares what it
// gives exactly as it compares what is on disk.
class PKGDESC_EXPORT Observer {
public:
    virtual ~Observer() = default;
    // What the record says is at `path`: found, or missing (FileStatus::missing) or
    // unverifiable with a reason. SHA-256 (or MD5) only when the record has it; otherwise
    // hash_error says why.
    virtual Observation observe(const CheckContext& context, const std::string& path,
                                const HashPolicy& worth_hashing, Digest digest) const = 0;
    // Whether the file observed as `observation` is the very file (inode) at `other`.
    virtual bool same_file(const CheckContext& context, const Observation& observation,
                           const std::string& other) const = 0;
    // Whether an observation's stat is the file's whole stat(2) (its inode, link count and
    // times): then the link count is compared and a pristine file's identity reported, as for
    // the files themselves. A record such as an AIDE database has less.
    virtual bool complete() const { return false; }
    // Lists the directory `path` as pkgdesc::list_directory() does under the root: names
    // sorted, each with the lstat(2) of it. Returns why it could not be listed, empty on
    // success. By default the root's own directory is listed.
    virtual std::string list_directory(const CheckContext& context, const std::string& path,
                                       std::vector<DirEntry>& entries) const;
};

// Lists `path` from context.observer when there is one, else under context.root.
std::string list_directory(const CheckContext& context, const std::string& path,
                           std::vector<DirEntry>& entries);

// What is at `path`: read from the root, or taken from context.observer when there is one.
// With `open_for_reading` (what the reference expects there is a regular file or a directory,
// and context.live_system), the path is opened for reading at once (O_NONBLOCK: a FIFO does not
// block), one open instead of an O_PATH one and another (see docs/trust-model.md: a FIFO or a
// device node put there is then opened, never read); whatever does not open so (a symlink, a
// path through one, a socket, an unreadable file) is observed through O_PATH.
// With `proven_before`, a regular file (not reached through a symlink) whose fstat(2) it
// recognises is not read: the digest it returns is taken (see VerdictCache).
using ProvenBefore = std::function<const Sha256Digest*(const struct stat& st)>;
Observation observe(const CheckContext& context, const std::string& path,
                    const HashPolicy& worth_hashing, Digest digest = Digest::sha256,
                    bool open_for_reading = false, const ProvenBefore& proven_before = {});

// Fills finding.status and finding.failed from the comparison.
void compare(const CheckContext& context, const Observation& observation,
             const Expectation& expectation, Finding& finding);

// Whether verification reports an extended attribute (security.*, POSIX ACLs) that is not in
// `ignore`.
bool is_reportable_xattr(std::string_view name, const std::vector<std::string>& ignore);

// "0755"; file types as mtree keywords ("file", "dir", ...).
std::string mode_text(std::uint32_t mode);
// Whether two fstat(2)s of one open file saw the same content: same inode, size, mtime and
// ctime (a file read between them did not change meanwhile).
bool same_content_state(const struct stat& a, const struct stat& b);
std::string stat_type_keyword(mode_t mode);

} // namespace pkgdesc
