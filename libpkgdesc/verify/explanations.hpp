// Metadata that a package's own, proven maintainer scripts set: fuse's postinst makes
// fusermount setuid, cron's gives its crontabs directory to group crontab, libgstreamer's gives
// gst-ptp-helper a capability. Such a value, exactly as a literal command of the script sets it
// for exactly that path, is no deviation; content, type, size and link targets never are
// explained, a different value is still reported, and a script that is not proven byte for byte
// the package's (see control_check.hpp) explains nothing.
#pragma once

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/verify/file_check.hpp>
#include <libpkgdesc/verify/finding.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>
#include <libpkgdesc/verify/script_metadata.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pkgdesc {

// The capabilities a security.capability value (struct vfs_cap_data, revision 1, 2 or 3) grants;
// nullopt for a malformed value, and for a revision 3 value of a user namespace (root id other
// than 0), which no literal setcap of a maintainer script produces.
PKGDESC_EXPORT std::optional<FileCapabilities> decode_vfs_capability(std::string_view value);

class PKGDESC_EXPORT ScriptExplanations {
public:
    // Records the changes of `script` (its member name, "postinst"), proven for `package`.
    // Paths are taken where they lead on this root's layout (/bin/fusermount is
    // /usr/bin/fusermount on a merged-/usr root).
    void add(const InstalledPackage& package, std::string_view script, std::string_view text,
             const LayoutAliases& merged);
    // Records changes of `package` read elsewhere (its proven tmpfiles.d file).
    void add(const InstalledPackage& package, std::vector<ScriptChange> changes,
             const LayoutAliases& merged);

    // Whether any change was recorded for `package` (most packages have none).
    bool has_changes(const InstalledPackage& package) const {
        return m_changes.contains(&package);
    }

    // A metadata finding of `package`'s file, which was expected to have `mode` and is `type`,
    // at `paths` (its real path, then those of its hard links in the package's reference: a
    // chmod of one changes them all): when a recorded change for one of those paths explains
    // each failed attribute (mode, owner, group, security.capability) with exactly the value
    // observed, the finding turns pristine, with Finding::explained_by saying what set each.
    // Otherwise it is left as it is.
    void explain(const InstalledPackage& package, const std::vector<std::string>& paths,
                 EntryType type, std::uint32_t mode, const Observation& observation,
                 const RootAccounts& accounts, Finding& finding) const;

private:
    using Changes = std::unordered_map<std::string, std::vector<ScriptChange>>;
    std::unordered_map<const InstalledPackage*, Changes> m_changes;
};

} // namespace pkgdesc
