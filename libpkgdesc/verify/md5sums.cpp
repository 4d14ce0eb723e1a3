// Reading the checked system's md5sums.
#include <libpkgdesc/verify/md5sums.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/util/lines.hpp>

#include <cerrno>
#include <cstring>

namespace pkgdesc {

Md5sums read_md5sums(const InfoDir& info, const InstalledPackage& package) {
    const std::string file = info.owner_of(package) + ".md5sums";
    Md5sums out;
    out.shown = info.shown() + "/" + file;
    MemberText member = info.read_member(file, k_max_control_member_size);
    if (member.missing || !member.error.empty()) {
        out.error = std::move(member.error);
        return out;
    }
    const std::string text = std::move(member.text);
    std::size_t line_number = 0;
    for (const std::string_view line : split_lines(text)) {
        ++line_number;
        if (line.empty()) {
            continue;
        }
        // "HEX  PATH" (md5sum's text mode) or "HEX *PATH" (its binary mode).
        const std::optional<Md5Digest> digest =
            line.size() > 34 ? md5_from_hex(line.substr(0, 32)) : std::nullopt;
        std::string_view path = line.size() > 34 ? line.substr(34) : std::string_view();
        if (!digest || line[32] != ' ' || (line[33] != ' ' && line[33] != '*')) {
            out.error = "line " + std::to_string(line_number) + ": not \"MD5  PATH\"";
            return out;
        }
        // Each file once, by one spelling: "./", "//" and "/./" are dropped; ".." is refused.
        std::string normal;
        bool dotdot = false;
        for (std::size_t pos = 0; pos <= path.size();) {
            const std::size_t slash = std::min(path.find('/', pos), path.size());
            const std::string_view part = path.substr(pos, slash - pos);
            pos = slash + 1;
            if (part == "..") {
                dotdot = true;
            } else if (!part.empty() && part != ".") {
                normal += "/";
                normal += part;
            }
        }
        if (path.empty() || path.front() == '/' || dotdot || normal.empty() ||
            path.find('\0') != std::string_view::npos) {
            out.error = "line " + std::to_string(line_number) + ": not a path relative to the root";
            return out;
        }
        out.files.emplace_back(std::move(normal), *digest);
    }
    return out;
}

} // namespace pkgdesc
