// Reading the literal metadata of tmpfiles.d(5) lines.
#include <libpkgdesc/verify/tmpfiles.hpp>

#include <libpkgdesc/util/lines.hpp>

#include <algorithm>

namespace pkgdesc {

namespace {

bool literal(std::string_view field) {
    return field.find_first_of("%*?[\\\"'") == std::string_view::npos;
}

bool octal_mode(std::string_view mode) {
    return (mode.size() == 3 || mode.size() == 4) &&
           std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; });
}

} // namespace

std::vector<ScriptChange> parse_tmpfiles_metadata(std::string_view text,
                                                  const std::string& file_name) {
    using Kind = ScriptChange::Kind;
    std::vector<ScriptChange> changes;
    std::size_t line_number = 0;
    for (const std::string_view line : split_lines(text)) {
        ++line_number;
        const std::vector<std::string_view> f = split_words(line);
        // Type, path, mode, user, group (then age and argument, which change no metadata).
        if (f.size() < 3 || f[0].front() == '#' || f[0].size() != 1 ||
            std::string_view("dDvqQfFz").find(f[0][0]) == std::string_view::npos ||
            f[1].empty() || f[1].front() != '/' || !literal(f[1])) {
            continue;
        }
        auto emit = [&](Kind kind, std::string_view value) {
            ScriptChange change;
            change.kind = kind;
            change.tool = ScriptChange::Tool::systemd_tmpfiles;
            change.path = std::string(f[1]);
            while (change.path.size() > 1 && change.path.back() == '/') {
                change.path.pop_back();
            }
            change.value = std::string(value);
            change.script = file_name;
            change.line = line_number;
            changes.push_back(std::move(change));
        };
        if (f[2] != "-" && !octal_mode(f[2])) {
            continue; // "~0700", ":0700": what they set depends on what is there
        }
        if (f[2] != "-") {
            emit(Kind::mode, f[2]);
        }
        if (f.size() > 3 && f[3] != "-" && literal(f[3])) {
            emit(Kind::owner, f[3]);
        }
        if (f.size() > 4 && f[4] != "-" && literal(f[4])) {
            emit(Kind::group, f[4]);
        }
    }
    return changes;
}

} // namespace pkgdesc
