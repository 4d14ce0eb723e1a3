// The metadata changes a maintainer script makes, literally: chmod, chown, chgrp, setcap and
// `dpkg-statoverride --update --add` commands whose every operand is written out (or is a variable
// assigned one literal value), so that a verifier can accept fuse's setuid fusermount or polkit's
// private rules.d as the work of the package's own postinst. The reading is deliberately
// conservative: whatever a shell could make of the text in more than one way yields nothing.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/format/pkgdesc.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// One literal change: "postinst line 23 runs chmod 4755 /bin/fusermount".
struct PKGDESC_EXPORT ScriptChange {
    enum class Kind { mode, owner, group, capabilities };
    // systemd_tmpfiles: a line of a tmpfiles.d(5) file, which systemd-tmpfiles applies at
    // boot and when a postinst runs it (see tmpfiles.hpp).
    enum class Tool { chmod, chown, chgrp, setcap, dpkg_statoverride, systemd_tmpfiles };

    Kind kind = Kind::mode;
    Tool tool = Tool::chmod;
    // Absolute and lexically normalized ("//" and "/./" removed, no trailing slash), after
    // variable expansion. Not resolved: chmod and chown follow symlinks, so "/bin/fusermount" is
    // /usr/bin/fusermount on a merged-/usr root.
    std::string path;
    // Kind::mode: the mode operand as written ("4755", "01730", "u+s", "u=rwx,go=rx"); apply it
    // with resulting_mode(). Kind::owner / Kind::group: the user or group as written ("polkitd",
    // "0", "#0" for dpkg-statoverride). Kind::capabilities: the text given to setcap
    // ("cap_net_bind_service,cap_net_admin+ep"); decode it with parse_capability_text().
    std::string value;
    std::string script; // the script_name given to parse_script_metadata(), e.g. "postinst"
    // 1-based line of the command; for a change made inside a shell function, the line of the
    // call whose literal arguments it uses.
    std::size_t line = 0;

    friend bool operator==(const ScriptChange&, const ScriptChange&) = default;
};

// "chmod", "chown", "chgrp", "setcap", "dpkg-statoverride".
PKGDESC_EXPORT std::string_view tool_name(ScriptChange::Tool tool);

// Every literal change in a maintainer script, in line order. Understands enough POSIX shell for
// Debian maintainer scripts: quotes, comments, line continuations, here-documents (whose bodies
// are skipped), if/case/while/for, functions called with literal arguments (polkitd's
// `set_perms polkitd root 700 /etc/polkit-1/rules.d`), and variables assigned one literal value
// before their use. A command with any other expansion ($1 outside a function, $(...), `...`,
// ${X:-y}, an environment variable) or an unexpected option yields nothing; a glob operand is
// skipped. Commands inside $(...) or passed to sh -c are not seen. Time and memory are linear in
// the size of the text; the result holds at most 1,048,576 changes.
//
// What "one literal value" means, conservatively: a value assigned in a branch, a loop, a
// subshell, a pipeline or a function's body is unknown after it; inside a loop, only a value
// assigned earlier in the same iteration is known; sourcing a file, eval, a call of a shell
// function whose body is not read (see below), read, unset and $((...)) forget values, and once a script sources a file or evals, any command may be a
// function defined there and forgets them too. A function's body is read at a call only when
// the script defines it once, not in a branch, loop or subshell left before the call; calls
// from inside it are not followed. Code after an unconditional exit, return, break or continue
// is not read. Recursive (-R), --reference and symlink (-h) forms, dpkg-statoverride without
// --update or with --root/--admindir, setcap -v/-r/-n, "chown USER:" (the login group),
// "chown USER.GROUP" and a command of more than 4096 words yield nothing. A script whose #!
// line names another interpreter than sh, dash or bash, that defines aliases, or that cannot
// be parsed completely yields nothing at all.
PKGDESC_EXPORT std::vector<ScriptChange> parse_script_metadata(std::string_view script_text,
                                                               const std::string& script_name);

// The mode bits (07777) a file of `type` with mode `base` has after `chmod MODE`, with GNU
// chmod's semantics (gnulib's mode_compile and mode_adjust): an octal MODE of fewer than five
// digits keeps a directory's setuid and setgid bits unless it sets them, and so do symbolic
// modes that do not name them ("u=rwx"); an octal operand after an operator ("=755", "-6000")
// is exact. nullopt for an invalid MODE and for a symbolic clause without who ("+x", "-w"),
// which depends on the umask.
PKGDESC_EXPORT std::optional<std::uint32_t> apply_chmod_mode(std::string_view mode,
                                                             std::uint32_t base, EntryType type);

// The mode bits after a Kind::mode change: apply_chmod_mode() for chmod, the exact octal value
// for dpkg-statoverride (which calls chmod(2) itself) and systemd-tmpfiles. nullopt for other
// kinds.
PKGDESC_EXPORT std::optional<std::uint32_t> resulting_mode(const ScriptChange& change,
                                                           std::uint32_t base, EntryType type);

// File capabilities as the security.capability attribute holds them: permitted and inheritable
// masks (bit N is capability N) and the single effective flag.
struct PKGDESC_EXPORT FileCapabilities {
    std::uint64_t permitted = 0;
    std::uint64_t inheritable = 0;
    bool effective = false;
    friend bool operator==(const FileCapabilities&, const FileCapabilities&) = default;
};

// What `setcap TEXT FILE` writes, as the system's libcap reads TEXT (cap_from_text()):
// whitespace-separated clauses of comma-separated capability names (cap_chown ...
// cap_checkpoint_restore, any case) or numbers, each followed by operations [=+-][eip]*.
// nullopt for text libcap rejects, for "all" or a clause without names (whose meaning depends
// on the libcap and kernel), and for an effective set that is neither empty nor
// permitted|inheritable (libcap refuses one that lacks any of them; one with more has no
// meaning in the attribute's single effective flag).
PKGDESC_EXPORT std::optional<FileCapabilities> parse_capability_text(std::string_view text);

} // namespace pkgdesc
