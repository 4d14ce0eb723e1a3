// Escaping and normalization of pkgdesc paths.
#include <libpkgdesc/format/path.hpp>

namespace pkgdesc {

std::string escape(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (const char ch : raw) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x21 && c <= 0x7e && c != '\\') {
            out.push_back(ch);
        } else {
            out.push_back('\\');
            out.push_back(static_cast<char>('0' + (c >> 6)));
            out.push_back(static_cast<char>('0' + ((c >> 3) & 7)));
            out.push_back(static_cast<char>('0' + (c & 7)));
        }
    }
    return out;
}

std::optional<std::string> unescape(std::string_view escaped) {
    std::string out;
    if (!unescape_to(escaped, out)) {
        return std::nullopt;
    }
    return out;
}

bool unescape_to(std::string_view escaped, std::string& out) {
    out.clear();
    out.reserve(escaped.size());
    std::size_t plain = 0; // start of the run of characters copied as they are
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        const auto c = static_cast<unsigned char>(escaped[i]);
        if (c < 0x21 || c > 0x7e) {
            return false;
        }
        if (c != '\\') {
            continue;
        }
        out.append(escaped.substr(plain, i - plain));
        if (escaped.size() - i < 4) {
            return false;
        }
        unsigned value = 0;
        for (std::size_t k = 1; k <= 3; ++k) {
            const char d = escaped[i + k];
            if (d < '0' || d > '7') {
                return false;
            }
            value = value * 8 + static_cast<unsigned>(d - '0');
        }
        if (value > 0xff) {
            return false;
        }
        out.push_back(static_cast<char>(value));
        i += 3;
        plain = i + 1;
    }
    out.append(escaped.substr(plain));
    return true;
}

std::optional<std::string_view> unescape_view(std::string_view escaped, std::string& scratch) {
    for (const char ch : escaped) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x21 || c > 0x7e) {
            return std::nullopt;
        }
        if (c == '\\') {
            if (!unescape_to(escaped, scratch)) {
                return std::nullopt;
            }
            return std::string_view(scratch);
        }
    }
    return escaped;
}

bool is_normalized_path(std::string_view path) {
    if (path == "/") {
        return true;
    }
    if (path.empty() || path.front() != '/' || path.back() == '/') {
        return false;
    }
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        const std::string_view part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") {
            return false;
        }
        start = end + 1;
    }
    return true;
}

std::optional<std::string> normalize_member_name(std::string_view name, std::string& reason) {
    if (!name.empty() && name.front() == '/') {
        reason = "absolute member name";
        return std::nullopt;
    }
    std::string out;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('/', start);
        if (end == std::string_view::npos) {
            end = name.size();
        }
        const std::string_view part = name.substr(start, end - start);
        if (part == "..") {
            reason = "member name contains a \"..\" component";
            return std::nullopt;
        }
        if (!part.empty() && part != ".") {
            out.push_back('/');
            out.append(part);
        }
        start = end + 1;
    }
    if (out.empty()) {
        if (name.empty()) {
            reason = "empty member name";
            return std::nullopt;
        }
        out = "/";
    }
    return out;
}

} // namespace pkgdesc
