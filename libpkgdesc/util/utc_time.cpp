#include <libpkgdesc/util/utc_time.hpp>

#include <charconv>
#include <ctime>

namespace pkgdesc {

std::string utc_text(std::int64_t unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    char text[64];
    if (::gmtime_r(&t, &tm) == nullptr ||
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        return std::to_string(unix_seconds);
    }
    return text;
}

std::string utc_now() {
    return utc_text(static_cast<std::int64_t>(std::time(nullptr)));
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
    std::int64_t unit = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        case 'w':
            unit = 7 * 86400;
            break;
        default:
            unit = 0;
            break;
        }
        if (unit != 0) {
            text.remove_suffix(1);
        } else {
            unit = 1;
        }
    }
    constexpr std::int64_t k_max = std::int64_t{100} * 366 * 86400;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value <= 0 ||
        value > k_max / unit) {
        return std::nullopt;
    }
    return value * unit;
}

} // namespace pkgdesc
