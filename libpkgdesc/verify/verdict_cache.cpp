// The verdicts of earlier runs, for --incremental.
#include <libpkgdesc/verify/verdict_cache.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>

namespace pkgdesc {

namespace {

constexpr std::string_view k_magic = "pkgdesc-verdicts 1\n";
constexpr std::uint64_t k_max_file = std::uint64_t{256} << 20;

// What a key digests, laid out in a buffer and hashed at once (one digest call per file, not
// one per field).
void put(std::string& out, std::int64_t value) {
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void put(std::string& out, std::string_view text) {
    const std::uint64_t size = text.size();
    out.append(reinterpret_cast<const char*>(&size), sizeof size);
    out.append(text);
}

void put(std::string& out, const std::optional<std::uint32_t>& value) {
    put(out, value ? static_cast<std::int64_t>(*value) : std::int64_t{-1});
}

// A sysctl of the verifying host's kernel, in centiseconds; nullopt when unreadable.
std::optional<std::int64_t> vm_centisecs(const char* name) {
    try {
        const std::optional<std::string> text =
            read_file_if_exists(std::string("/proc/sys/vm/") + name, 64);
        if (text) {
            return std::stoll(*text);
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

} // namespace

VerdictCache::VerdictCache(std::int64_t now) {
    if (now <= 0) {
        return; // a record to load: it takes no new verdicts
    }
    const std::optional<std::int64_t> expire = vm_centisecs("dirty_expire_centisecs");
    const std::optional<std::int64_t> interval = vm_centisecs("dirty_writeback_centisecs");
    if (!interval || *interval > 0) {
        const std::int64_t delay = (expire.value_or(3000) + interval.value_or(500) + 99) / 100;
        m_settled_before = now - delay - 5;
    }
}

bool VerdictCache::settled(const struct stat& st) const {
    return m_settled_before > 0 && st.st_ctim.tv_sec < m_settled_before &&
           st.st_mtim.tv_sec < m_settled_before;
}

VerdictCache::Key VerdictCache::key(const std::string& path, const struct stat& st,
                                    const Expectation& exp,
                                    const std::vector<std::string>& ignore_xattrs) {
    thread_local std::string material;
    material.clear();
    put(material, k_magic);
    put(material, path);
    for (const std::int64_t value :
         {static_cast<std::int64_t>(st.st_dev), static_cast<std::int64_t>(st.st_ino),
          static_cast<std::int64_t>(st.st_size), static_cast<std::int64_t>(st.st_mode),
          static_cast<std::int64_t>(st.st_uid), static_cast<std::int64_t>(st.st_gid),
          static_cast<std::int64_t>(st.st_nlink), static_cast<std::int64_t>(st.st_mtim.tv_sec),
          static_cast<std::int64_t>(st.st_mtim.tv_nsec),
          static_cast<std::int64_t>(st.st_ctim.tv_sec),
          static_cast<std::int64_t>(st.st_ctim.tv_nsec)}) {
        put(material, value);
    }
    put(material, static_cast<std::int64_t>(exp.type));
    put(material, static_cast<std::int64_t>(exp.mode));
    put(material, exp.uid);
    put(material, exp.gid);
    put(material, exp.owner);
    put(material, exp.group);
    put(material, static_cast<std::int64_t>(exp.size));
    put(material, exp.sha256 ? std::string_view(reinterpret_cast<const char*>(exp.sha256->data()),
                                                exp.sha256->size())
                             : std::string_view());
    put(material, exp.link);
    put(material, exp.hardlink_to);
    put(material, static_cast<std::int64_t>(exp.links));
    put(material, static_cast<std::int64_t>(exp.dev_major));
    put(material, static_cast<std::int64_t>(exp.dev_minor));
    put(material, exp.mtime ? *exp.mtime : std::int64_t{-1});
    put(material, static_cast<std::int64_t>(exp.mtime.has_value()));
    put(material, exp.unknown);
    put(material, static_cast<std::int64_t>(exp.skip_metadata));
    put(material, static_cast<std::int64_t>(exp.refused_privilege));
    put(material, static_cast<std::int64_t>(ignore_xattrs.size()));
    for (const std::string& name : ignore_xattrs) {
        put(material, name);
    }
    const Sha256Digest digest = Sha256::digest(material);
    Key key{};
    std::copy_n(digest.begin(), key.size(), key.begin());
    return key;
}

std::string VerdictCache::load(const std::string& file) {
    m_known.clear();
    std::optional<std::string> text;
    try {
        // Without following a symlink, never blocking on a FIFO, never a device.
        text = read_file_if_exists(file, k_max_file, FollowSymlink::no);
    } catch (const Error& e) {
        return std::string(e.what()) + ": every file is checked in full";
    }
    if (!text) {
        return {};
    }
    const std::size_t records = text->size() - std::min(text->size(), k_magic.size());
    if (!text->starts_with(k_magic) || records % sizeof(Key) != 0) {
        return file + ": not a record of verdicts (damaged, or of another version): every file "
                      "is checked in full";
    }
    m_known.resize(records / sizeof(Key));
    std::memcpy(m_known.data(), text->data() + k_magic.size(), records);
    // As save() writes it: strictly increasing.
    if (std::adjacent_find(m_known.begin(), m_known.end(), std::greater_equal<>()) !=
        m_known.end()) {
        m_known.clear();
        return file + ": not a record of verdicts (its keys are not in order): every file is "
                      "checked in full";
    }
    return {};
}

void VerdictCache::save(const std::string& file, const VerdictCache* also) const {
    // Its directory, root's alone: a key is computed from public data, so whoever could write
    // there could vouch for any file.
    const std::size_t slash = file.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        const std::string dir = file.substr(0, slash);
        const std::size_t parent = dir.rfind('/');
        if (parent != std::string::npos && parent > 0) {
            make_directories(dir.substr(0, parent));
        }
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
            throw IoError::from_errno(dir, "cannot create directory", errno);
        }
        struct stat st {};
        if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
            throw IoError(dir, "not a directory of this user's");
        }
        if ((st.st_mode & 077) != 0 && ::chmod(dir.c_str(), 0700) != 0) {
            throw IoError::from_errno(dir, "cannot restrict", errno);
        }
    }
    std::vector<Key> keys;
    {
        std::lock_guard lock(m_mutex);
        keys = m_proven;
    }
    if (also != nullptr) {
        keys.insert(keys.end(), also->m_known.begin(), also->m_known.end());
    }
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::string text(k_magic);
    text.append(reinterpret_cast<const char*>(keys.data()), keys.size() * sizeof(Key));
    AtomicFile out(file, 0600);
    out.write(text);
    out.commit();
}

bool VerdictCache::contains(const Key& key) const {
    if (!std::binary_search(m_known.begin(), m_known.end(), key)) {
        return false;
    }
    m_hits.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void VerdictCache::add(const Key& key) {
    std::lock_guard lock(m_mutex);
    m_proven.push_back(key);
}

std::size_t VerdictCache::proven() const {
    std::lock_guard lock(m_mutex);
    return m_proven.size();
}

std::string verdict_cache_file(const std::string& state_dir, const std::string& root) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0) {
        throw IoError::from_errno(root, "cannot access", errno);
    }
    std::string material;
    put(material, root);
    put(material, static_cast<std::int64_t>(st.st_dev));
    put(material, static_cast<std::int64_t>(st.st_ino));
    return state_dir + "/verdicts/" + to_hex(Sha256::digest(material)).substr(0, 16);
}

} // namespace pkgdesc
