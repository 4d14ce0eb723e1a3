// Finding files that no installed package owns, under the root's configured directories.
#pragma once

#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/verify/file_check.hpp>
#include <libpkgdesc/verify/finding.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>

#include <functional>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace pkgdesc {

// The largest file no package owns that is hashed for its report.
inline constexpr std::uint64_t k_max_unowned_hash = 4ull << 30;

// A finding for a path no package owns, with what is on disk (type, mode, owner, group, size,
// SHA-256 up to k_max_unowned_hash, link target, privilege flags); without it when nothing is there.
Finding describe_unowned(const CheckContext& context, const std::string& path, FileStatus status,
                         std::string reason);

class UnownedScan {
public:
    // `owned`: the real paths that the file lists of packages with installed files name;
    // `allow`: path_glob_match() patterns of paths expected to be unowned.
    UnownedScan(const CheckContext& context, const LayoutAliases& merged,
                const std::unordered_set<std::string>& owned,
                const std::vector<std::string>& allow);

    // A path that the checked system's own records vouch for, but that no file list names and
    // nothing proves (a conffile kept after its package was removed or dropped it, a file ucf
    // manages, a path a proven postinst names): reported as allowed with `reason`, never
    // hidden; the first reason given for a path stays. Only paths under /etc, where
    // Debian keeps configuration: elsewhere such a record is no excuse.
    void vouch(const std::string& path, std::string reason);
    // The files ucf manages (ROOT/var/lib/ucf/registry, "PACKAGE PATH" lines), for a PACKAGE
    // that `known` says the dpkg database knows: vouched for (see vouch()).
    void add_ucf_registry(const std::function<bool(std::string_view)>& known);
    // update-alternatives links (ADMINDIR/alternatives/NAME) are owned only as the chain they
    // are: the link is a symlink to /etc/alternatives/NAME, which is a symlink to a registered
    // choice (for a slave: a registered choice's slave file) that an installed package owns.
    // Anything else at such a path is reported with the reason.
    void add_alternatives(const RootDir& admindir);

    // Walks `dir` (never following a symlink), reporting each path that is neither owned nor
    // allowed as unowned, and each allowed one as allowed, with what is on disk: directory by
    // directory, names sorted by byte value. Allowed directories are still walked.
    // A symlink in an enablement directory (/etc/systemd/{system,user}/**, /etc/rc?.d,
    // /etc/fonts/conf.d, /etc/ssl/certs) is owned when it leads, inside the root, to a file
    // that a package owns. A bytecode cache (__pycache__/NAME.*.pyc) is allowed when its
    // source NAME.py is owned. A directory that does not exist is skipped.
    void scan(const std::string& dir, const std::function<void(Finding&)>& report);

private:
    bool owned(const std::string& path) const;
    bool allowed(const std::string& path) const;
    bool link_leads_to_owned(const std::string& path) const;
    static Finding& privileged_never_allowed(Finding& finding);
    std::string read_link(const std::string& path) const;

    const CheckContext& m_context;
    const LayoutAliases& m_merged;
    const std::unordered_set<std::string>& m_owned;
    const std::vector<std::string>& m_allow;
    std::unordered_set<std::string> m_chain_owned;
    std::map<std::string, std::string> m_claims;  // claimed by the checked system, not proven
    std::map<std::string, std::string> m_vouched; // allowed, with the record's reason
};

} // namespace pkgdesc
