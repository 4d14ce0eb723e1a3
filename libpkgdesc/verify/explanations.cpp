// Explaining metadata by the literal commands of proven maintainer scripts.
#include <libpkgdesc/verify/explanations.hpp>

#include <algorithm>
#include <map>
#include <charconv>
#include <cstdint>

#include <sys/stat.h>

namespace pkgdesc {

namespace {

std::uint32_t le32(std::string_view bytes, std::size_t offset) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        value |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset + i]))
                 << (8 * i);
    }
    return value;
}

// linux/capability.h
constexpr std::uint32_t k_revision_mask = 0xFF000000u;
constexpr std::uint32_t k_revision_1 = 0x01000000u;
constexpr std::uint32_t k_revision_2 = 0x02000000u;
constexpr std::uint32_t k_revision_3 = 0x03000000u;
constexpr std::uint32_t k_flags_effective = 0x000001u;

// A user or group operand as chown(1) reads it: a name of the root's accounts first, then a
// number; "#ID" (dpkg-statoverride's spelling) is a number.
std::optional<std::uint32_t> resolve_operand(std::string_view value, const RootAccounts& accounts,
                                             bool user) {
    if (value.empty()) {
        return std::nullopt;
    }
    const bool hashed = value.front() == '#';
    if (!hashed) {
        const std::optional<std::uint32_t> id = user ? accounts.uid(value) : accounts.gid(value);
        if (id) {
            return id;
        }
    }
    const std::string_view digits = hashed ? value.substr(1) : value;
    std::uint32_t id = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
        return std::nullopt;
    }
    return id;
}

// "chmod 4755", "chgrp crontab", "chown :crontab" (the group part of chown root:crontab).
std::string command_of(const ScriptChange& change) {
    const bool group_part =
        change.tool == ScriptChange::Tool::chown && change.kind == ScriptChange::Kind::group;
    return std::string(tool_name(change.tool)) + (group_part ? " :" : " ") + change.value;
}

} // namespace

std::optional<FileCapabilities> decode_vfs_capability(std::string_view value) {
    if (value.size() < 4) {
        return std::nullopt;
    }
    const std::uint32_t magic = le32(value, 0);
    const std::uint32_t revision = magic & k_revision_mask;
    const std::size_t size = revision == k_revision_1   ? 12
                             : revision == k_revision_2 ? 20
                             : revision == k_revision_3 ? 24
                                                        : 0;
    if (size == 0 || value.size() != size || (magic & ~k_revision_mask & ~k_flags_effective) != 0) {
        return std::nullopt;
    }
    if (revision == k_revision_3 && le32(value, 20) != 0) {
        return std::nullopt;
    }
    FileCapabilities caps;
    caps.effective = (magic & k_flags_effective) != 0;
    caps.permitted = le32(value, 4);
    caps.inheritable = le32(value, 8);
    if (revision != k_revision_1) {
        caps.permitted |= std::uint64_t{le32(value, 12)} << 32;
        caps.inheritable |= std::uint64_t{le32(value, 16)} << 32;
    }
    return caps;
}

void ScriptExplanations::add(const InstalledPackage& package, std::string_view script,
                             std::string_view text, const LayoutAliases& merged) {
    add(package, parse_script_metadata(text, std::string(script)), merged);
}

void ScriptExplanations::add(const InstalledPackage& package, std::vector<ScriptChange> changes,
                             const LayoutAliases& merged) {
    if (changes.empty()) {
        return;
    }
    Changes& by_path = m_changes[&package];
    for (ScriptChange& change : changes) {
        std::string path = merged.resolve(change.path);
        by_path[std::move(path)].push_back(std::move(change));
    }
}

namespace {

// What one source (a script, a tmpfiles.d file) leaves a path with once all its commands for
// it have run, in order: the last value of each attribute it sets, and the command that set it.
struct FinalState {
    const ScriptChange* mode = nullptr;
    std::optional<std::uint32_t> mode_value; // unset when a command's result is unknown
    bool mode_unknown = false;
    const ScriptChange* owner = nullptr;
    const ScriptChange* group = nullptr;
    const ScriptChange* caps = nullptr;
};

FinalState final_state(const std::vector<const ScriptChange*>& changes, std::uint32_t mode,
                       EntryType type) {
    FinalState state;
    std::uint32_t current = mode;
    for (const ScriptChange* change : changes) {
        switch (change->kind) {
        case ScriptChange::Kind::mode: {
            const std::optional<std::uint32_t> next = resulting_mode(*change, current, type);
            if (!next) {
                state.mode_unknown = true;
            } else {
                current = *next;
            }
            state.mode = change;
            break;
        }
        case ScriptChange::Kind::owner:
            state.owner = change;
            break;
        case ScriptChange::Kind::group:
            state.group = change;
            break;
        case ScriptChange::Kind::capabilities:
            state.caps = change;
            break;
        }
    }
    if (state.mode != nullptr && !state.mode_unknown) {
        state.mode_value = current;
    }
    return state;
}

} // namespace

void ScriptExplanations::explain(const InstalledPackage& package,
                                 const std::vector<std::string>& paths, EntryType type,
                                 std::uint32_t mode, const Observation& observation,
                                 const RootAccounts& accounts, Finding& finding) const {
    if (finding.status != FileStatus::metadata) {
        return;
    }
    const auto for_package = m_changes.find(&package);
    if (for_package == m_changes.end()) {
        return;
    }
    // Every change made through any name of the inode, by source, in the source's line order.
    std::map<std::string, std::vector<const ScriptChange*>> by_source;
    for (const std::string& path : paths) {
        const auto for_path = for_package->second.find(path);
        if (for_path == for_package->second.end()) {
            continue;
        }
        for (const ScriptChange& change : for_path->second) {
            by_source[change.script].push_back(&change);
        }
    }
    if (by_source.empty()) {
        return;
    }
    const struct stat& st = observation.st;
    const std::uint32_t actual_mode = st.st_mode & 07777u;
    const auto owner_matches = [&](const ScriptChange* change) {
        return change != nullptr && resolve_operand(change->value, accounts, true) == st.st_uid;
    };
    const auto group_matches = [&](const ScriptChange* change) {
        return change != nullptr && resolve_operand(change->value, accounts, false) == st.st_gid;
    };

    // A source explains an attribute only with the value it leaves, and only consistently: a
    // setuid (setgid) mode it sets needs the owner (group) it sets too, and what
    // dpkg-statoverride sets, it sets all at once.
    auto explaining = [&](const FailedAttribute& attribute) -> const ScriptChange* {
        for (auto& [source, changes] : by_source) {
            std::sort(changes.begin(), changes.end(),
                      [](const ScriptChange* a, const ScriptChange* b) { return a->line < b->line; });
            const FinalState state = final_state(changes, mode, type);
            if (attribute.name == "mode" && state.mode_value && *state.mode_value == actual_mode) {
                const bool statoverride =
                    state.mode->tool == ScriptChange::Tool::dpkg_statoverride;
                const bool owner_ok = state.owner == nullptr || owner_matches(state.owner) ||
                                      ((actual_mode & S_ISUID) == 0 && !statoverride);
                const bool group_ok = state.group == nullptr || group_matches(state.group) ||
                                      ((actual_mode & S_ISGID) == 0 && !statoverride);
                if (owner_ok && group_ok) {
                    return state.mode;
                }
            } else if (attribute.name == "owner" && owner_matches(state.owner)) {
                return state.owner;
            } else if (attribute.name == "group" && group_matches(state.group)) {
                return state.group;
            } else if (attribute.name == "security.capability" && state.caps != nullptr) {
                const std::optional<FileCapabilities> set = parse_capability_text(state.caps->value);
                const std::optional<FileCapabilities> seen =
                    decode_vfs_capability(observation.capability);
                if (set && seen && *set == *seen) {
                    return state.caps;
                }
            }
        }
        return nullptr;
    };

    std::vector<Finding::Explanation> explanations;
    for (const FailedAttribute& attribute : finding.failed) {
        const ScriptChange* change = explaining(attribute);
        if (change == nullptr) {
            return; // one unexplained attribute keeps the finding as it is
        }
        explanations.push_back({attribute.name, attribute.expected, attribute.actual,
                                change->script, change->line, command_of(*change)});
    }
    finding.status = FileStatus::pristine;
    finding.failed.clear();
    finding.explained_by = std::move(explanations);
}

} // namespace pkgdesc
