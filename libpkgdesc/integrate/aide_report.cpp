// Reading and rewriting aide --check reports: what both forms share, and the choice of form
// (the text form in aide_report_text.cpp, the JSON form in aide_report_json.cpp).
#include <libpkgdesc/integrate/aide_report.hpp>

#include <libpkgdesc/integrate/aide_report_forms.hpp>

#include <libpkgdesc/util/base64.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <charconv>

namespace pkgdesc {

namespace aide_forms {

AideChange kind_from_summary(std::string_view summary) {
    const std::string_view rest = summary.substr(1);
    if (!rest.empty() && rest.find_first_not_of('+') == k_npos) {
        return AideChange::added;
    }
    if (!rest.empty() && rest.find_first_not_of('-') == k_npos) {
        return AideChange::removed;
    }
    return AideChange::changed;
}

std::optional<std::size_t> duplicate_path(std::vector<std::size_t> indices,
                                          const std::vector<AideReportEntry>& entries) {
    std::stable_sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
        return entries[a].path < entries[b].path;
    });
    for (std::size_t k = 1; k < indices.size(); ++k) {
        if (entries[indices[k - 1]].path == entries[indices[k]].path) {
            return indices[k];
        }
    }
    return std::nullopt;
}

bool any_kept(const std::vector<std::size_t>& indices, const std::vector<char>& kept) {
    return std::any_of(indices.begin(), indices.end(), [&](std::size_t i) { return kept[i]; });
}

bool any_nonzero(const std::vector<std::pair<std::string, std::size_t>>& suppressed) {
    return std::any_of(suppressed.begin(), suppressed.end(),
                       [](const auto& reason) { return reason.second != 0; });
}

void record_value(AideRecorded& recorded, std::string_view name, std::string_view value) {
    auto is = [&](std::string_view text_name, std::string_view json_name) {
        return name == text_name || name == json_name;
    };
    if (is("Size", "size")) {
        std::uint64_t size = 0;
        const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), size);
        if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
            recorded.unclear = true;
        } else {
            recorded.size = size;
        }
    } else if (is("SHA256", "sha256")) {
        std::optional<Sha256Digest> digest;
        if (value.size() == 64) {
            digest = sha256_from_hex(value);
        } else if (const auto bytes = base64_decode(value); bytes && bytes->size() == 32) {
            digest.emplace();
            std::copy(bytes->begin(), bytes->end(), digest->begin());
        }
        if (digest) {
            recorded.sha256 = *digest;
        } else {
            recorded.unclear = true;
        }
    } else if (is("Perm", "perm")) {
        if (value.size() == 10) {
            recorded.perm = std::string(value);
        } else {
            recorded.unclear = true;
        }
    }
}

} // namespace aide_forms

using namespace aide_forms;

AideReport AideReport::parse(std::string_view report, const std::string& shown) {
    AideReport parsed;
    const std::size_t first = report.find_first_not_of(" \t\r\n");
    if (first != k_npos && report[first] == '{') {
        parsed.m_form = Form::json;
        parsed.m_json = Json::parse(report, shown, parsed.m_entries);
    } else {
        parsed.m_form = Form::text;
        parsed.m_text = Text::parse(report, shown, parsed.m_entries);
    }
    return parsed;
}

bool AideReport::write(std::ostream& out, const std::function<bool(std::size_t)>& keep,
                       const std::vector<std::pair<std::string, std::size_t>>& suppressed) const {
    std::vector<char> kept(m_entries.size());
    std::array<std::size_t, 3> dropped{};
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        kept[i] = keep(i) ? 1 : 0;
        if (!kept[i]) {
            ++dropped[index_of(m_entries[i].change)];
        }
    }
    if (m_form == Form::json) {
        m_json->write(out, kept, dropped, suppressed);
    } else {
        const bool ends_line = m_text->write(out, kept, dropped);
        if (any_nonzero(suppressed)) {
            if (!ends_line) {
                out << '\n';
            }
            out << '\n' << k_dashes << '\n' << k_suppressed_title << '\n' << k_dashes << "\n\n";
            for (const auto& [reason, count] : suppressed) {
                if (count != 0) {
                    out << "  " << reason << ":\t" << count << '\n';
                }
            }
        }
    }
    out.flush();
    return static_cast<bool>(out);
}

} // namespace pkgdesc
