// The dpkg database of the system being verified: status, file lists, conffiles, diversions and
// statoverrides, read from a directory that is resolved inside the verified root.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/fs/root_dir.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// The third word of dpkg's Status field.
enum class PackageState {
    not_installed,
    config_files,
    half_installed,
    unpacked,
    half_configured,
    triggers_awaited,
    triggers_pending,
    installed,
};

PKGDESC_EXPORT std::string_view state_name(PackageState state);

struct PKGDESC_EXPORT Conffile {
    std::string path;
    // The MD5 dpkg recorded when it installed the conffile, as written ("newconffile" while
    // it is being installed): only for checks against the system's own data.
    std::string md5;
    bool obsolete = false;
    bool remove_on_upgrade = false;
};

struct PKGDESC_EXPORT InstalledPackage {
    std::string name;
    std::string architecture;
    std::string version;
    bool multi_arch_same = false;
    PackageState state = PackageState::not_installed;
    std::vector<Conffile> conffiles;
    // The paths of info/PACKAGE.list as dpkg wrote them ("/." is read as "/"), in file order;
    // empty when the package has no list, or it was not read (see DpkgDatabase).
    std::vector<std::string> files;
    bool files_read = false;

    // "name", or "name:arch" for Multi-Arch: same packages (dpkg's non-ambiguous name).
    std::string display_name() const;
    // Whether the files are on disk as unpacked (unpacked, half-configured, triggers-*,
    // installed); half-installed packages have files in an unknown state.
    bool has_unpacked_files() const;
    const Conffile* find_conffile(std::string_view path) const;
};

// dpkg-divert: `from` (of any package but `by`) is installed as `to`. `by` is empty for a local
// diversion (":" in the file).
struct PKGDESC_EXPORT Diversion {
    std::string from;
    std::string to;
    std::string by;
};

// dpkg-statoverride: user and group are names, or "#UID"/"#GID".
struct PKGDESC_EXPORT StatOverride {
    std::string path;
    std::string user;
    std::string group;
    std::uint32_t mode = 0;
};

class PKGDESC_EXPORT DpkgDatabase {
public:
    // Reads ADMINDIR/status, ADMINDIR/diversions and ADMINDIR/statoverride (both optional).
    // Throws IoError naming the file.
    static DpkgDatabase load(const RootDir& admindir);
    // Reads the .list files of the packages `which` selects (never of "not-installed" ones)
    // that were not read yet: reading all of them is most of the cost of loading a database.
    // A list of more than 1,000,000 paths, or lists of more than 8,000,000 in all, are refused
    // (IoError): memory stays bounded whatever the database claims.
    void read_file_lists(const RootDir& admindir,
                         const std::function<bool(const InstalledPackage&)>& which);
    void read_all_file_lists(const RootDir& admindir) {
        read_file_lists(admindir, [](const InstalledPackage&) { return true; });
    }

    const std::vector<InstalledPackage>& packages() const noexcept { return m_packages; }
    const std::vector<Diversion>& diversions() const noexcept { return m_diversions; }
    const std::vector<StatOverride>& statoverrides() const noexcept { return m_statoverrides; }

    const Diversion* find_diversion(std::string_view from) const;
    const StatOverride* find_statoverride(std::string_view path) const;

private:
    std::vector<InstalledPackage> m_packages;
    std::vector<Diversion> m_diversions;
    std::vector<StatOverride> m_statoverrides;
    std::map<std::string, std::size_t, std::less<>> m_diversion_index;
    std::map<std::string, std::size_t, std::less<>> m_statoverride_index;
    std::size_t m_paths_read = 0;
};

// Parses the text of a dpkg "diversions" or "statoverride" file; `display` names it in errors.
PKGDESC_EXPORT std::vector<Diversion> parse_diversions(std::string_view text,
                                                       const std::string& display);
PKGDESC_EXPORT std::vector<StatOverride> parse_statoverrides(std::string_view text,
                                                             const std::string& display);

} // namespace pkgdesc
