// Checking the control members dpkg keeps in ADMINDIR/info (maintainer scripts, md5sums,
// conffiles, triggers, shlibs, symbols, templates, ...) against the reference's Control-SHA256:
// a trojaned postinst is a persistence vector that neither debsums nor dpkg --verify sees.
#pragma once

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/verify/finding.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// The largest kept control member that is read (the biggest md5sums files in Debian are a few
// MiB); a bigger one is unverifiable rather than read to its end.
inline constexpr std::uint64_t k_max_control_member_size = 128u << 20;
// Names of ADMINDIR/info kept in memory; beyond either limit the listing stops (see
// InfoDir::complete()).
inline constexpr std::size_t k_max_info_names = 1u << 21;
inline constexpr std::size_t k_max_info_name_bytes = 64u << 20;

// Whether dpkg installs a control.tar member called `member` as info/PACKAGE.MEMBER when it
// unpacks a package (src/main/unpack.c, pkg_infodb_update): every member but "control", whose
// name has no dot, is not "list" (that name is dpkg's own) and has at most 100 bytes.
// "pkgdesc" (DEBIAN/pkgdesc) is kept like any other.
PKGDESC_EXPORT bool dpkg_installs_control_member(std::string_view member);
// Whether info/PACKAGE.MEMBER is kept for a package in `state`: what dpkg installs, for every
// state with unpacked files or half-installed; only the postrm for config-files (dpkg --remove
// deletes the rest, src/main/remove.c); nothing for not-installed.
PKGDESC_EXPORT bool dpkg_keeps_control_member(std::string_view member, PackageState state);
// preinst, postinst, prerm, postrm (run by dpkg) and config (run by debconf).
PKGDESC_EXPORT bool is_maintainer_script(std::string_view member);

// What is at one name of ADMINDIR/info, as a collector records it (pkgdesc-verify --collect) for
// a verifier elsewhere: the facts that checking the member works from.
struct PKGDESC_EXPORT RecordedMember {
    enum class Kind {
        unopenable, // neither opened for reading nor looked at through O_PATH: `error` says why
        other,      // not a regular file (or a symlink, or replaced meanwhile): `st`
        regular,    // a regular file: `st`, `acl`, and `content` or `read_error`
    };
    Kind kind = Kind::regular;
    std::string error; // "cannot open: Permission denied"
    struct stat st {};
    bool acl = false; // a POSIX access ACL is set
    // The whole file, when it was read whole (at most k_max_control_member_size bytes, unchanged
    // while read); otherwise why not, and how far.
    std::optional<std::string> content;
    std::string read_error;
    std::uint64_t bytes_read = 0;
};
// Every name of a recorded ADMINDIR/info (dot files and "format" included), by name.
using RecordedInfo = std::map<std::string, RecordedMember, std::less<>>;

// Looks at `name` in the info directory `dir` as checking a member does, and reads a regular
// file whole: what a collector records.
PKGDESC_EXPORT std::optional<RecordedMember> record_member(const RootDir& dir,
                                                           const std::string& name);

// A member read whole (see InfoDir::read_member()).
struct PKGDESC_EXPORT MemberText {
    bool missing = false;
    std::string error; // why it could not be read whole: "not a regular file", "cannot open: ..."
    std::string text;
};

// ADMINDIR/info, listed once and grouped by owner, the part of a name before its last dot as
// dpkg reads it (lib/dpkg/db-ctrl-access.c, pkg_infodb_foreach): "foo-bar.postinst" belongs
// to "foo-bar", never to "foo"; "libc6:amd64.postinst" to "libc6:amd64". Names starting with
// a dot, names without one and dpkg's own bookkeeping (PACKAGE.list, PACKAGE.list-new, format)
// are left out. Safe to share between threads once opened.
class PKGDESC_EXPORT InfoDir {
public:
    // Opens ADMINDIR/info without following a symlink and lists it. `shown` is how findings name
    // the directory: "/var/lib/dpkg/info" for the root's own database (paths as seen inside the
    // root, like every other finding), or admindir.display("info") for a database given
    // elsewhere (--admindir). Reads info/format as dpkg does (missing: the legacy layout).
    // Throws IoError when the directory (missing included) or its format file cannot be read,
    // or the format is unknown (dpkg refuses to work on such a database too).
    static InfoDir open(const RootDir& admindir, std::string shown);
    // The info directory a collector recorded: listed, its format read and its members checked
    // from `members` as they are from the directory itself.
    static InfoDir recorded(std::shared_ptr<const RecordedInfo> members, std::string shown);

    InfoDir(InfoDir&&) noexcept = default;
    InfoDir& operator=(InfoDir&&) noexcept = default;

    // Its name in findings.
    const std::string& shown() const noexcept { return m_shown; }
    // Reads the file `name` (a member: "hello.md5sums") whole, at most `limit` bytes, never
    // through a symlink nor from a FIFO or device.
    MemberText read_member(const std::string& name, std::uint64_t limit) const;
    // The directory, for opening files inside it: nullptr when recorded.
    const RootDir* dir() const noexcept { return m_dir ? &*m_dir : nullptr; }
    // The recorded members, or nullptr for the directory itself.
    const RecordedInfo* members_recorded() const noexcept { return m_recorded.get(); }
    // False when the listing stopped at k_max_info_names or k_max_info_name_bytes: kept members
    // are still checked, but files planted next to them cannot be ruled out.
    bool complete() const noexcept { return m_complete; }
    // Whether info/format says "1": Multi-Arch: same packages then own "name:arch.*".
    bool multiarch_layout() const noexcept { return m_multiarch; }

    // The owner part of a package's names: "name:arch" for Multi-Arch: same packages in the
    // multiarch layout, "name" otherwise.
    std::string owner_of(const InstalledPackage& package) const;
    // The members listed for `owner`, sorted by byte value; they view this InfoDir's storage.
    std::vector<std::string_view> members(std::string_view owner) const;
    // Every owner listed, sorted and distinct (to find files of packages dpkg does not know).
    std::vector<std::string_view> owners() const;

private:
    struct Name {
        std::uint32_t offset = 0; // into m_names
        std::uint16_t owner_size = 0;
        std::uint16_t member_size = 0;
    };

    explicit InfoDir(std::string shown) : m_shown(std::move(shown)) {}
    std::string_view owner(const Name& name) const;
    std::string_view member(const Name& name) const;
    // Reads the format as dpkg does; `format` is the file's text, nullopt when there is none.
    void read_format(const std::optional<std::string>& format, bool format_new,
                     const std::string& display);
    // Adds a name of the directory to the index; false once it is full.
    bool add_name(std::string_view name);
    void sort_index();

    std::optional<RootDir> m_dir;
    std::shared_ptr<const RecordedInfo> m_recorded;
    std::string m_shown;
    std::string m_names;       // every kept name, back to back
    std::vector<Name> m_index; // sorted by owner, then member
    bool m_complete = true;
    bool m_multiarch = false;
};

// The outcome of checking one package's kept control members.
struct PKGDESC_EXPORT ControlCheck {
    // One finding per member kept or found (control = true, sorted by path): pristine; modified
    // (failed "sha256" with the expected and actual digests, "size", or "type" for what is not
    // a regular file); missing (kept, but not in info); metadata (not owned by root:root, or
    // writable by others); unverifiable (unreadable, changing, too large). A file the package
    // does not ship, or that dpkg does not keep in the package's state (a planted postrm), is
    // modified with failed "type" expected "absent", and a reason saying why. In state
    // half-installed info may still hold the previous version's members: what does not match
    // is unverifiable, never modified or missing.
    std::vector<Finding> findings;
    // The members proven byte for byte the reference's (sorted): a maintainer script named here
    // is exactly the one the package shipped, and can be relied upon.
    std::vector<std::string> proven;
    // The proven maintainer scripts with their text: the bytes that were hashed, so that what
    // is read from them later is what was proven.
    struct Script {
        std::string member;
        std::string text;
    };
    std::vector<Script> scripts;
    // An md5sums the package does not ship, which dpkg writes itself at unpacking (one
    // "MD5  PATH" line per regular file unpacked): its finding (at `path`) is unverifiable
    // until prove_generated_md5sums() has compared each line with the file, whose content must
    // be the reference's. Well-formed lines only, each naming a regular file (or hard link) of
    // the reference once; anything else is modified already.
    struct GeneratedMd5sums {
        struct Line {
            std::string path;  // as the line names it, absolute
            const Entry* file; // the reference's regular file (a hard link's target)
            Md5Digest md5;
        };
        std::string path;
        std::vector<Line> lines;
    };
    std::optional<GeneratedMd5sums> generated_md5sums;

    bool is_proven(std::string_view member) const;
};

// Checks the members dpkg keeps for `package` in info/ against `reference` (the package's own
// stanza): each is opened through RootDir::open_regular (never a FIFO or device, never through
// a symlink), read up to k_max_control_member_size bytes and hashed. Expected owner: "root" of
// the root's accounts (uid and gid 0 when unknown). The member "pkgdesc", whose digest cannot be
// in the reference, must be the reference's canonical text (what pkgdesc-gen --check demands);
// its absence is no finding. Usable for packages in any state (see dpkg_keeps_control_member).
PKGDESC_EXPORT ControlCheck check_control_members(const InfoDir& info, const RootAccounts& accounts,
                                                  const InstalledPackage& package,
                                                  const Pkgdesc& reference);

struct CheckContext;

// Settles check.generated_md5sums, if any: each line must be the MD5 of the file at
// real_path(line.path), read once for both digests, whose SHA-256 and size are the reference's.
// Pristine (or metadata) when every line is; modified (failed "md5") when a line gives another
// MD5 for the package's very content; unverifiable when a file named is not the package's (its
// own finding says how).
PKGDESC_EXPORT void
prove_generated_md5sums(ControlCheck& check, const CheckContext& context,
                        const std::function<std::string(const std::string&)>& real_path);

} // namespace pkgdesc
