// Differences between two pkgdesc descriptions.
#include <libpkgdesc/format/pkgdesc_diff.hpp>

namespace pkgdesc {

namespace {

std::string differing_keywords(const Entry& a, const Entry& b) {
    std::string out;
    auto add = [&](bool differs, const char* keyword) {
        if (differs) {
            out += out.empty() ? "" : ",";
            out += keyword;
        }
    };
    add(a.type != b.type, "type");
    add(a.mode != b.mode, "mode");
    add(a.uname != b.uname || a.uid != b.uid, "uname");
    add(a.gname != b.gname || a.gid != b.gid, "gname");
    add(a.size != b.size, "size");
    add(a.sha256 != b.sha256, "sha256");
    add(a.link != b.link, "link");
    add(a.dev_major != b.dev_major || a.dev_minor != b.dev_minor, "device");
    add(a.mtime != b.mtime, "time");
    add(a.unknown != b.unknown, "extensions");
    return out;
}

// Walks two sorted sequences together, reporting keys present on one side only and pairs
// whose contents differ.
template <typename T, typename Key, typename Compare>
void merge_diff(const std::vector<T>& a, const std::vector<T>& b, Key key, Compare compare,
                Difference::Kind kind, std::vector<Difference>& out) {
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && key(a[i]) < key(b[j]))) {
            out.push_back({kind, key(a[i++]), "only in expected"});
        } else if (i == a.size() || key(b[j]) < key(a[i])) {
            out.push_back({kind, key(b[j++]), "only in actual"});
        } else {
            std::string detail = compare(a[i], b[j]);
            if (!detail.empty()) {
                out.push_back({kind, key(a[i]), std::move(detail)});
            }
            ++i;
            ++j;
        }
    }
}

} // namespace

std::vector<Difference> diff(const Pkgdesc& expected, const Pkgdesc& actual) {
    std::vector<Difference> out;
    auto field = [&](const char* name, const std::string& a, const std::string& b) {
        if (a != b) {
            out.push_back({Difference::Kind::field, name, "\"" + a + "\" != \"" + b + "\""});
        }
    };
    field("Package", expected.package, actual.package);
    field("Architecture", expected.architecture, actual.architecture);
    field("Version", expected.version, actual.version);
    field("Description", expected.description, actual.description);
    merge_diff(
        expected.control, actual.control, [](const ControlMember& m) { return m.name; },
        [](const ControlMember& a, const ControlMember& b) {
            return a.sha256 == b.sha256 ? std::string() : std::string("sha256");
        },
        Difference::Kind::control, out);
    merge_diff(
        expected.entries, actual.entries, [](const Entry& e) { return e.path; }, differing_keywords,
        Difference::Kind::path, out);
    return out;
}

} // namespace pkgdesc
