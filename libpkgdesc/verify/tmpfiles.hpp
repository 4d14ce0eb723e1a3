// The metadata a package's tmpfiles.d(5) file declares: systemd-tmpfiles applies it at every
// boot and when the package's postinst runs it (dh_installtmpfiles), so aide-common's
// "d /var/lib/aide 0700 _aide root" is the package's own doing, like a chmod in its postinst.
#pragma once

#include <libpkgdesc/export.hpp>
#include <libpkgdesc/verify/script_metadata.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// The literal metadata of the lines of type d, D, v, q, Q (a directory, created or adjusted),
// f, F (a file) and z (adjusted): the mode (three or four octal digits) as Kind::mode, the user
// and the group as Kind::owner and Kind::group, each with tool systemd_tmpfiles, `file_name`
// as the script and the line. A field "-" says nothing; a mode with "~" or ":", a path or
// field with a specifier ("%h") or a glob, quoting or escapes, a type with a modifier ("d!",
// "z-") or of any other type (Z recurses, C copies, L links, ...) yields nothing for the line.
// At most one change per kind per line; linear in the text.
PKGDESC_EXPORT std::vector<ScriptChange> parse_tmpfiles_metadata(std::string_view text,
                                                                 const std::string& file_name);

} // namespace pkgdesc
