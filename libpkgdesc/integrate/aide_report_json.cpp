// The JSON form of an aide --check report, through nlohmann-json.
#include <libpkgdesc/integrate/aide_report_forms.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/report/reporter.hpp>

namespace pkgdesc {

using namespace aide_forms;

namespace {

constexpr std::size_t k_max_json_depth = 64;
constexpr std::string_view k_replacement = "\xef\xbf\xbd"; // U+FFFD

enum class Shape { string, number, list, object, object_of_objects };

constexpr std::string_view shape_words(Shape shape) {
    switch (shape) {
    case Shape::string:
        return "a string";
    case Shape::number:
        return "a number";
    case Shape::list:
        return "an object or an array";
    case Shape::object:
    case Shape::object_of_objects:
        break;
    }
    return "an object";
}

struct KnownMember {
    std::string_view name;
    int rank; // aide writes members in this order; lists of one report share theirs
    Shape type;
};

// report.c, print_report(), and report_json.c of aide 0.18.
constexpr std::array<KnownMember, 23> k_members = {{
    {"different_attributes", 0, Shape::object},
    {"start_time", 1, Shape::string},
    {"aide_version", 2, Shape::string},
    {"outline", 3, Shape::string},
    {"new_database", 4, Shape::string},
    {"config_version", 5, Shape::string},
    {"limit", 6, Shape::string},
    {"root_prefix", 7, Shape::string},
    {"report_level", 8, Shape::string},
    {"report_ignore_added_attrs", 9, Shape::string},
    {"report_ignore_removed_attrs", 10, Shape::string},
    {"report_ignore_changed_attrs", 11, Shape::string},
    {"report_force_attrs", 12, Shape::string},
    {"report_ignore_e2fsattrs", 13, Shape::string},
    {"number_of_entries", 14, Shape::object},
    {"added", 15, Shape::list},
    {"removed", 16, Shape::list},
    {"changed", 17, Shape::list},
    {"entries", 17, Shape::list},
    {"details", 18, Shape::object_of_objects},
    {"databases", 19, Shape::object_of_objects},
    {"end_time", 20, Shape::string},
    {"run_time_seconds", 21, Shape::number},
}};

// The new values of a path's "details": {"size": {"old": 1, "new": 2}, ...}.
AideRecorded recorded_values(const Document& attributes) {
    AideRecorded recorded;
    for (auto attribute = attributes.begin(); attribute != attributes.end(); ++attribute) {
        const std::string& name = attribute.key();
        const Document* value = nullptr;
        if (attribute->is_object() && attribute->contains("new")) {
            value = &attribute->at("new");
        }
        if (value != nullptr && value->is_number_unsigned()) {
            record_value(recorded, name, std::to_string(value->get<std::uint64_t>()));
        } else if (value != nullptr && value->is_string()) {
            record_value(recorded, name, value->get_ref<const std::string&>());
        } else {
            record_value(recorded, name, {});
            recorded.unclear =
                recorded.unclear || name == "size" || name == "sha256" || name == "perm";
        }
    }
    return recorded;
}

// The offset of the first byte that is not part of well-formed UTF-8, or k_npos.
std::size_t invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            length = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            length = 3;
            low = c == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
            high = c == 0xed ? 0x9f : 0xbf; // no surrogates
        } else if (c >= 0xf0 && c <= 0xf4) {
            length = 4;
            low = c == 0xf0 ? 0x90 : 0x80;
            high = c == 0xf4 ? 0x8f : 0xbf; // nothing past U+10FFFF
        } else {
            return i;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= s.size()) {
                return i;
            }
            const auto next = static_cast<unsigned char>(s[i + k]);
            if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xbf)) {
                return i;
            }
        }
        i += length;
    }
    return k_npos;
}

// Builds the document with the members of each object in their order, duplicates included, in
// linear time: nlohmann's own ordered parser looks every key up in the keys before it. Refuses
// nesting deeper than k_max_json_depth.
class JsonBuilder {
public:
    bool null() { return add(Document(nullptr)); }
    bool boolean(bool value) { return add(Document(value)); }
    bool number_integer(Document::number_integer_t value) { return add(Document(value)); }
    bool number_unsigned(Document::number_unsigned_t value) { return add(Document(value)); }
    bool number_float(Document::number_float_t value, const Document::string_t&) {
        return add(Document(value));
    }
    bool string(Document::string_t& value) { return add(Document(std::move(value))); }
    bool binary(Document::binary_t&) { return false; } // not in JSON text
    bool start_object(std::size_t) { return open(true); }
    bool key(Document::string_t& key) {
        m_frames.back().key = std::move(key);
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(false); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t position, const std::string&, const Document::exception&) {
        m_error_position = position;
        return false;
    }

    Document& root() { return m_root; }
    bool too_deep() const { return m_too_deep; }
    std::size_t error_position() const { return m_error_position; }

private:
    // An open object or array; keys are not const here, so growing the vector moves, not copies.
    struct Frame {
        bool object = true;
        std::string key;
        std::vector<std::pair<std::string, Document>> members;
        Document::array_t items;
    };

    bool add(Document value) {
        if (m_frames.empty()) {
            m_root = std::move(value);
        } else if (m_frames.back().object) {
            m_frames.back().members.emplace_back(std::move(m_frames.back().key), std::move(value));
        } else {
            m_frames.back().items.push_back(std::move(value));
        }
        return true;
    }

    bool open(bool object) {
        if (m_frames.size() >= k_max_json_depth) {
            m_too_deep = true;
            return false;
        }
        m_frames.emplace_back();
        m_frames.back().object = object;
        return true;
    }

    bool close() {
        Frame frame = std::move(m_frames.back());
        m_frames.pop_back();
        Document value;
        if (frame.object) {
            value = Document::object();
            auto& members = value.get_ref<Document::object_t&>();
            members.reserve(frame.members.size());
            for (auto& member : frame.members) {
                members.emplace_back(std::move(member.first), std::move(member.second));
            }
        } else {
            value = Document::array();
            value.get_ref<Document::array_t&>() = std::move(frame.items);
        }
        return add(std::move(value));
    }

    Document m_root;
    std::vector<Frame> m_frames;
    bool m_too_deep = false;
    std::size_t m_error_position = 0;
};

} // namespace

std::shared_ptr<const AideReport::Json>
AideReport::Json::parse(std::string_view report, const std::string& shown,
                        std::vector<AideReportEntry>& entries) {
    auto at_byte = [&](std::size_t offset, const std::string& what) {
        const std::size_t line =
            1 + static_cast<std::size_t>(std::count(
                    report.begin(),
                    report.begin() + static_cast<std::ptrdiff_t>(std::min(offset, report.size())),
                    '\n'));
        return ParseError(shown, line, what + " at byte " + std::to_string(offset));
    };
    auto fail = [&](const std::string& reason) { return ParseError(shown, 0, reason); };

    // aide writes a file name's bytes as they are: one that is not UTF-8 makes the document
    // invalid JSON. Such bytes become U+FFFD, and a path holding one is never exact.
    std::string repaired;
    if (std::size_t bad = invalid_utf8(report); bad != k_npos) {
        repaired.reserve(report.size() + 64);
        std::size_t from = 0;
        while (bad != k_npos) {
            repaired.append(report.substr(from, bad - from)).append(k_replacement);
            from = bad + 1;
            const std::size_t next = invalid_utf8(report.substr(from));
            bad = next == k_npos ? k_npos : from + next;
        }
        repaired.append(report.substr(from));
        report = repaired;
    }
    JsonBuilder builder;
    if (!Document::sax_parse(report.begin(), report.end(), &builder)) {
        if (builder.too_deep()) {
            throw fail("JSON nested deeper than " + std::to_string(k_max_json_depth) + " levels");
        }
        const std::size_t offset = builder.error_position() - (builder.error_position() > 0);
        throw at_byte(offset, offset >= report.size() ? "JSON ends early" : "invalid JSON");
    }

    auto j = std::make_shared<Json>();
    j->document = std::move(builder.root());
    if (!j->document.is_object()) {
        throw fail("not an aide --check report");
    }
    const Members& members = j->document.get_ref<const Document::object_t&>();
    j->lists.assign(members.size(), 0);
    const auto outline = j->document.find("outline");
    if (outline == j->document.end() || !outline->is_string()) {
        throw fail("not an aide --check report");
    }
    // Only the members aide writes, in its order, each once (report_json.c): a file name
    // holding a '"', which builds before 0.18.3-1+deb12u4 write as it is, could otherwise close
    // a list and move the entries after it into a member this does not read.
    int last_rank = -1;
    for (std::size_t m = 0; m < members.size(); ++m) {
        const std::string& name = members[m].first;
        const Document& value = members[m].second;
        const auto known = std::find_if(k_members.begin(), k_members.end(),
                                        [&](const KnownMember& k) { return k.name == name; });
        if (known == k_members.end()) {
            throw fail("unknown member \"" + escape_text(name) + "\"");
        }
        if (known->rank <= last_rank) {
            throw fail(
                "member \"" + name + "\" " +
                (known->rank == last_rank ? "twice, or with another list" : "out of aide's order"));
        }
        last_rank = known->rank;
        const bool typed = known->type == Shape::string   ? value.is_string()
                           : known->type == Shape::number ? value.is_number_unsigned()
                           : known->type == Shape::list   ? value.is_object() || value.is_array()
                                                          : value.is_object();
        if (!typed) {
            throw fail("\"" + name + "\" is not " + std::string(shape_words(known->type)));
        }
        if (known->type == Shape::object_of_objects) {
            for (const auto& item : value.get_ref<const Document::object_t&>()) {
                if (!item.second.is_object()) {
                    throw fail("\"" + name + "\" holds a member that is not an object");
                }
            }
        }
    }
    const auto outline_known =
        std::find(k_outlines.begin(), k_outlines.end(), outline->get_ref<const std::string&>());
    if (outline_known == k_outlines.end()) {
        throw fail("not an aide --check report: unknown outline");
    }

    for (std::size_t m = 0; m < members.size(); ++m) {
        const std::string& name = members[m].first;
        const Document& value = members[m].second;
        const auto word = std::find(k_kind_words.begin(), k_kind_words.end(), name);
        if (word == k_kind_words.end() && name != "entries") {
            if (name == "details") {
                j->details = m;
            } else if (name == "number_of_entries") {
                j->counts = m;
            }
            continue;
        }
        // grouped: "added" etc. map paths to summaries (or, without summaries, list paths);
        // not grouped: "entries" maps paths to summaries or to the words "added" etc.
        j->lists[m] = 1;
        std::vector<std::size_t> listed;
        auto add = [&](const std::string& path, const std::string* summary, std::size_t index) {
            if (const char* problem = path_problem(path)) {
                throw fail(problem + (" in \"" + name + "\""));
            }
            AideReportEntry entry;
            entry.path = path;
            if (word != k_kind_words.end()) {
                entry.change = static_cast<AideChange>(word - k_kind_words.begin());
            } else {
                const auto said = std::find(k_kind_words.begin(), k_kind_words.end(), *summary);
                entry.change = said != k_kind_words.end()
                                   ? static_cast<AideChange>(said - k_kind_words.begin())
                               : summary->empty() ? AideChange::changed
                                                  : kind_from_summary(*summary);
                if (said != k_kind_words.end()) {
                    summary = nullptr;
                }
            }
            entry.type = summary && !summary->empty() ? summary->front() : 0;
            if (summary && !summary->empty() && entry.change == AideChange::changed) {
                entry.differing = differing_in_summary(*summary);
                entry.differences_named = true;
            }
            listed.push_back(entries.size());
            j->places.push_back({m, index});
            entries.push_back(std::move(entry));
        };
        if (value.is_object()) {
            const Members& items = value.get_ref<const Document::object_t&>();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (!items[i].second.is_string()) {
                    throw fail("\"" + name + "\" holds a summary that is not a string");
                }
                add(items[i].first, &items[i].second.get_ref<const std::string&>(), i);
            }
        } else if (value.is_array() && word != k_kind_words.end()) {
            const auto& items = value.get_ref<const Document::array_t&>();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (!items[i].is_string()) {
                    throw fail("\"" + name + "\" holds a path that is not a string");
                }
                add(items[i].get_ref<const std::string&>(), nullptr, i);
            }
        } else {
            throw fail("\"" + name + "\" is not an object of strings");
        }
        if (duplicate_path(listed, entries)) {
            throw fail("path listed twice in \"" + name + "\"");
        }
    }

    // As in the text form: the lists must be what aide counted, entry for entry.
    std::array<std::size_t, 3> listed{};
    for (const AideReportEntry& entry : entries) {
        ++listed[index_of(entry.change)];
    }
    const bool differences =
        outline_known == k_outlines.begin() || outline_known == k_outlines.begin() + 2;
    if (!differences && !entries.empty()) {
        throw fail("entries listed, yet no differences found");
    }
    const Document* counts = j->counts == k_npos ? nullptr : &members[j->counts].second;
    for (std::size_t kind = 0; differences && kind < 3; ++kind) {
        const std::string key(k_kind_words[kind]);
        const Document* count = nullptr;
        if (counts && counts->contains(key)) {
            count = &counts->at(key);
        }
        if (!count || !count->is_number_unsigned()) {
            throw fail("differences found but not counted in \"number_of_entries\" "
                       "(report_level minimal?): the filter needs report_level list_entries or "
                       "higher");
        }
        if (listed[kind] != count->get<std::size_t>()) {
            throw fail("\"number_of_entries\" counts " + std::to_string(count->get<std::size_t>()) +
                       " " + key + " entries, the report lists " + std::to_string(listed[kind]) +
                       (entries.empty() ? " (report_level below list_entries?)" : ""));
        }
    }

    // Paths spelt with \u may be other files (see AideReportEntry::exact). The document is valid
    // JSON by now, so its strings are easy to find.
    std::vector<std::string> unsure;
    for (std::size_t i = 0; i < report.size(); ++i) {
        if (report[i] != '"') {
            continue;
        }
        std::size_t end = i + 1;
        bool escaped_u = false;
        while (end < report.size() && report[end] != '"') {
            if (report[end] == '\\' && end + 1 < report.size()) {
                escaped_u = escaped_u || report[end + 1] == 'u';
                ++end;
            }
            ++end;
        }
        if (escaped_u) {
            try {
                unsure.push_back(Document::parse(report.substr(i, end + 1 - i)).get<std::string>());
            } catch (const Document::exception&) {
                throw at_byte(i, "invalid JSON string"); // not reached: the document parsed
            }
        }
        i = end;
    }
    std::sort(unsure.begin(), unsure.end());
    for (AideReportEntry& entry : entries) {
        entry.exact = !std::binary_search(unsure.begin(), unsure.end(), entry.path) &&
                      (repaired.empty() || entry.path.find(k_replacement) == std::string::npos);
    }

    if (j->details != k_npos) {
        const PathIndex index(entries);
        const Members& items = members[j->details].second.get_ref<const Document::object_t&>();
        std::vector<std::size_t> order(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            order[i] = i;
            j->detail_entries.push_back(index.find(items[i].first));
            const AideRecorded recorded = recorded_values(items[i].second);
            for (const std::size_t e : j->detail_entries.back()) {
                attach_details(entries[e], recorded);
            }
        }
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return items[a].first < items[b].first;
        });
        for (std::size_t k = 1; k < order.size(); ++k) {
            if (items[order[k - 1]].first == items[order[k]].first) {
                throw fail("\"details\" about a path twice");
            }
        }
    }
    return j;
}

void AideReport::Json::write(
    std::ostream& out, const std::vector<char>& kept, const std::array<std::size_t, 3>& dropped,
    const std::vector<std::pair<std::string, std::size_t>>& suppressed) const {
    const Members& members = document.get_ref<const Document::object_t&>();
    std::vector<std::vector<char>> keep_item(members.size());
    for (std::size_t e = 0; e < places.size(); ++e) {
        std::vector<char>& flags = keep_item[places[e].member];
        flags.resize(std::max(flags.size(), places[e].index + 1), 1);
        flags[places[e].index] = kept[e];
    }

    Document written = Document::object();
    auto& into = written.get_ref<Document::object_t&>();
    for (std::size_t m = 0; m < members.size(); ++m) {
        const auto& [name, value] = members[m];
        if (!lists[m] && m != details && m != counts) {
            into.emplace_back(name, value);
            continue;
        }
        if (m == counts) {
            Document recounted = value;
            for (std::size_t kind = 0; kind < 3; ++kind) {
                const auto count = recounted.find(std::string(k_kind_words[kind]));
                if (count != recounted.end() && count->is_number_unsigned()) {
                    const auto n = count->get<std::size_t>();
                    *count = n - std::min(n, dropped[kind]);
                }
            }
            into.emplace_back(name, std::move(recounted));
            continue;
        }
        auto keep = [&](std::size_t i) {
            return m == details ? detail_entries[i].empty() || any_kept(detail_entries[i], kept)
                                : i >= keep_item[m].size() || keep_item[m][i] != 0;
        };
        Document filtered;
        if (value.is_object()) {
            const Members& items = value.get_ref<const Document::object_t&>();
            filtered = Document::object();
            auto& left = filtered.get_ref<Document::object_t&>();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (keep(i)) {
                    left.emplace_back(items[i].first, items[i].second);
                }
            }
        } else {
            const auto& items = value.get_ref<const Document::array_t&>();
            filtered = Document::array();
            for (std::size_t i = 0; i < items.size(); ++i) {
                if (keep(i)) {
                    filtered.push_back(items[i]);
                }
            }
        }
        // aide leaves out a list (and the details) with nothing in it.
        if (filtered.empty() && !value.empty()) {
            continue;
        }
        into.emplace_back(name, std::move(filtered));
    }
    if (any_nonzero(suppressed)) {
        Document counted = Document::object();
        for (const auto& [reason, count] : suppressed) {
            if (count != 0) {
                counted.get_ref<Document::object_t&>().emplace_back(reason, count);
            }
        }
        into.emplace_back(std::string(k_suppressed_member), std::move(counted));
    }
    out << written.dump(2, ' ', false, Document::error_handler_t::replace) << '\n';
}

} // namespace pkgdesc
