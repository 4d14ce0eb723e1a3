// Streaming .deb reader: libarchive for ar and tar, liblzma's multi-threaded decoder for xz.
#include <libpkgdesc/archive/deb_reader.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/unique_fd.hpp>
#include <libpkgdesc/util/xz.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pkgdesc {

namespace {

struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

std::string archive_reason(archive* a, const char* fallback) {
    const char* s = archive_error_string(a);
    return s != nullptr && *s != '\0' ? s : fallback;
}

// The compression of a "control.tar*" or "data.tar*" member, from its name as dpkg decides it.
struct Compression {
    std::string name; // "" for none
    int filter = ARCHIVE_FILTER_NONE;
    bool xz = false;
};

std::optional<Compression> compression_of(std::string_view suffix) {
    if (suffix.empty())
        return Compression{"", ARCHIVE_FILTER_NONE, false};
    if (suffix == ".gz")
        return Compression{"gz", ARCHIVE_FILTER_GZIP, false};
    if (suffix == ".xz")
        return Compression{"xz", ARCHIVE_FILTER_NONE, true};
    if (suffix == ".zst")
        return Compression{"zst", ARCHIVE_FILTER_ZSTD, false};
    if (suffix == ".bz2")
        return Compression{"bz2", ARCHIVE_FILTER_BZIP2, false};
    if (suffix == ".lzma")
        return Compression{"lzma", ARCHIVE_FILTER_LZMA, false};
    return std::nullopt;
}

// Feeds the bytes of the current ar member to an inner libarchive reader, decoding xz itself.
class MemberSource {
public:
    MemberSource(archive* outer, bool xz, unsigned threads) : m_outer(outer), m_xz(xz) {
        if (!m_xz) {
            return;
        }
        lzma_mt mt{};
        mt.flags = LZMA_CONCATENATED;
        mt.threads = std::max(1u, threads);
        mt.timeout = 0;
        mt.memlimit_threading = std::max<std::uint64_t>(lzma_physmem() / 4, 64u << 20);
        mt.memlimit_stop = UINT64_MAX;
        const lzma_ret ret = lzma_stream_decoder_mt(&m_lzma, &mt);
        if (ret != LZMA_OK) {
            throw std::runtime_error("cannot initialise the xz decoder");
        }
        m_out.resize(1 << 18);
    }
    ~MemberSource() {
        if (m_xz) {
            lzma_end(&m_lzma);
        }
    }
    MemberSource(const MemberSource&) = delete;
    MemberSource& operator=(const MemberSource&) = delete;

    static la_ssize_t read_cb(archive* inner, void* self, const void** buf) {
        return static_cast<MemberSource*>(self)->read(inner, buf);
    }

private:
    la_ssize_t read_raw(archive* inner, const void** buf) {
        size_t size = 0;
        la_int64_t offset = 0;
        const int r = archive_read_data_block(m_outer, buf, &size, &offset);
        if (r == ARCHIVE_EOF) {
            return 0;
        }
        if (r < ARCHIVE_WARN) {
            archive_set_error(inner, EIO, "%s", archive_reason(m_outer, "read error").c_str());
            return -1;
        }
        return static_cast<la_ssize_t>(size);
    }

    la_ssize_t read(archive* inner, const void** buf) {
        if (!m_xz) {
            return read_raw(inner, buf);
        }
        if (m_finished) {
            return 0;
        }
        m_lzma.next_out = m_out.data();
        m_lzma.avail_out = m_out.size();
        while (m_lzma.avail_out == m_out.size()) {
            if (m_lzma.avail_in == 0 && !m_input_eof) {
                const void* in = nullptr;
                const la_ssize_t n = read_raw(inner, &in);
                if (n < 0) {
                    return -1;
                }
                if (n == 0) {
                    m_input_eof = true;
                }
                m_lzma.next_in = static_cast<const std::uint8_t*>(in);
                m_lzma.avail_in = static_cast<size_t>(n);
            }
            const lzma_ret ret = lzma_code(&m_lzma, m_input_eof ? LZMA_FINISH : LZMA_RUN);
            if (ret == LZMA_STREAM_END) {
                m_finished = true;
                break;
            }
            if (ret != LZMA_OK) {
                archive_set_error(inner, EIO, "xz: %s", xz_error_reason(static_cast<int>(ret)));
                return -1;
            }
        }
        *buf = m_out.data();
        return static_cast<la_ssize_t>(m_out.size() - m_lzma.avail_out);
    }

    archive* m_outer;
    bool m_xz;
    lzma_stream m_lzma = LZMA_STREAM_INIT;
    std::vector<std::uint8_t> m_out;
    bool m_input_eof = false;
    bool m_finished = false;
};

class Reader {
public:
    Reader(const std::string& path, const DebReaderOptions& options)
        : m_path(path), m_options(options) {}

    DebContents read() {
        UniqueFd fd(::open(m_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
        if (fd.get() < 0) {
            throw IoError::from_errno(m_path, "cannot open", errno);
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) {
            throw IoError::from_errno(m_path, "cannot stat", errno);
        }
        if (!S_ISREG(st.st_mode)) {
            throw ArchiveError(m_path, "not a regular file");
        }
        ::fcntl(fd.get(), F_SETFL, O_RDONLY);
        m_file_size = static_cast<std::uint64_t>(st.st_size);
        check_magic(fd.get());
        posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

        ArchivePtr outer(archive_read_new());
        archive_read_support_format_ar(outer.get());
        m_fd = fd.get();
        const int opened =
            m_options.hash_file
                ? archive_read_open(outer.get(), this, nullptr, &Reader::hashing_read, nullptr)
                : archive_read_open_fd(outer.get(), fd.get(), 1 << 17);
        if (opened != ARCHIVE_OK) {
            fail(archive_reason(outer.get(), "cannot open the ar archive"));
        }
        read_members(outer.get());
        if (m_options.hash_file) {
            // Whatever follows the last member is part of the signed file too.
            for (;;) {
                const ssize_t n = ::read(m_fd, m_hash_buffer.data(), m_hash_buffer.size());
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n < 0) {
                    throw IoError::from_errno(m_path, "cannot read", errno);
                }
                if (n == 0) {
                    break;
                }
                m_file_hash.update(m_hash_buffer.data(), static_cast<std::size_t>(n));
            }
            m_contents.file_sha256 = to_hex(m_file_hash.finish());
        }
        return std::move(m_contents);
    }

private:
    [[noreturn]] void fail(const std::string& reason) const { throw ArchiveError(m_path, reason); }

    // Reads the file for libarchive sequentially (no skipping), hashing every byte.
    static la_ssize_t hashing_read(archive* a, void* client, const void** buffer) {
        auto* self = static_cast<Reader*>(client);
        for (;;) {
            const ssize_t n =
                ::read(self->m_fd, self->m_hash_buffer.data(), self->m_hash_buffer.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                archive_set_error(a, errno, "read error: %s", std::strerror(errno));
                return -1;
            }
            self->m_file_hash.update(self->m_hash_buffer.data(), static_cast<std::size_t>(n));
            *buffer = self->m_hash_buffer.data();
            return n;
        }
    }

    void check_magic(int fd) const {
        char magic[8];
        const ssize_t n = ::pread(fd, magic, sizeof magic, 0);
        if (n < 0) {
            throw IoError::from_errno(m_path, "cannot read", errno);
        }
        if (n != 8 || std::memcmp(magic, "!<arch>\n", 8) != 0) {
            fail("not a Debian binary package (no ar archive signature)");
        }
    }

    void read_members(archive* outer) {
        bool seen_version = false;
        for (int index = 0;; ++index) {
            archive_entry* entry = nullptr;
            const int r = archive_read_next_header(outer, &entry);
            if (r == ARCHIVE_EOF) {
                break;
            }
            if (r < ARCHIVE_WARN) {
                fail(archive_reason(outer, "corrupt ar archive"));
            }
            const char* raw = archive_entry_pathname(entry);
            const std::string name = raw != nullptr ? raw : "";
            // libarchive reads a cut member as if it ended early: check the size the header
            // claims against the file, so that a truncated package is never described.
            const auto end = static_cast<std::uint64_t>(archive_read_header_position(outer)) + 60 +
                             static_cast<std::uint64_t>(archive_entry_size(entry));
            if (end > m_file_size) {
                fail("truncated archive: member " + escape(name) + " ends after the end of file");
            }
            if (index == 0) {
                if (name != "debian-binary") {
                    fail("first member is \"" + escape(name) + "\", not debian-binary");
                }
                check_version(outer);
                seen_version = true;
                continue;
            }
            if (!name.empty() && name.front() == '_') {
                continue; // reserved for local additions, ignored by dpkg
            }
            if (name.rfind("control.tar", 0) == 0) {
                if (m_seen_control) {
                    fail("duplicate control.tar member");
                }
                m_seen_control = true;
                m_contents.control_compression = read_tar(outer, name, Part::control);
                continue;
            }
            if (name.rfind("data.tar", 0) == 0) {
                if (!m_seen_control) {
                    fail("data.tar member before control.tar");
                }
                m_contents.data_compression = read_tar(outer, name, Part::data);
                return; // like dpkg, nothing after data.tar is read
            }
            fail("unexpected member \"" + escape(name) + "\"");
        }
        if (!seen_version) {
            fail("empty ar archive");
        }
        if (!m_seen_control) {
            fail("missing control.tar member");
        }
        fail("missing data.tar member");
    }

    void check_version(archive* outer) const {
        char buf[64];
        const la_ssize_t n = archive_read_data(outer, buf, sizeof buf);
        if (n < 0) {
            fail(archive_reason(outer, "cannot read debian-binary"));
        }
        const std::string version(buf, static_cast<std::size_t>(n));
        if (version.size() < 4 || version.rfind("2.", 0) != 0 || version.back() != '\n') {
            fail("unsupported package format version \"" +
                 escape(version.substr(0, version.find('\n'))) + "\"");
        }
    }

    enum class Part { control, data };

    std::string read_tar(archive* outer, const std::string& member, Part part) {
        const std::size_t prefix = part == Part::control ? 11 : 8; // "control.tar", "data.tar"
        const auto compression = compression_of(std::string_view(member).substr(prefix));
        if (!compression) {
            fail("member " + escape(member) + ": unknown compression");
        }
        ArchivePtr inner(archive_read_new());
        archive_read_support_format_tar(inner.get());
        if (compression->filter != ARCHIVE_FILTER_NONE &&
            archive_read_append_filter(inner.get(), compression->filter) != ARCHIVE_OK) {
            fail(member + ": " + archive_reason(inner.get(), "unsupported compression"));
        }
        MemberSource source(outer, compression->xz, m_options.xz_threads);
        if (archive_read_open(inner.get(), &source, nullptr, &MemberSource::read_cb, nullptr) !=
            ARCHIVE_OK) {
            fail(member + ": " + archive_reason(inner.get(), "not a tar archive"));
        }
        for (;;) {
            archive_entry* entry = nullptr;
            const int r = archive_read_next_header(inner.get(), &entry);
            if (r == ARCHIVE_EOF) {
                break;
            }
            if (r < ARCHIVE_WARN) {
                fail(member + ": " + archive_reason(inner.get(), "corrupt tar archive"));
            }
            if (part == Part::control) {
                control_entry(inner.get(), member, entry);
            } else {
                data_entry(inner.get(), member, entry);
            }
        }
        if (part == Part::control && m_contents.control_text.empty()) {
            fail(member + ": no control file");
        }
        return compression->name;
    }

    std::string member_path(const std::string& member, archive_entry* entry) const {
        const char* raw = archive_entry_pathname(entry);
        if (raw == nullptr) {
            fail(member + ": member name cannot be represented");
        }
        const std::string_view name(raw);
        if (name.size() > k_max_name_length) {
            fail(member + ": member name longer than " + std::to_string(k_max_name_length) +
                 " bytes");
        }
        std::string reason;
        auto path = normalize_member_name(name, reason);
        if (!path) {
            fail(member + ": " + reason + ": " + escape(name));
        }
        return *path;
    }

    // Streams the current member's data through SHA-256; returns the digest and byte count.
    std::pair<Sha256Digest, std::uint64_t> hash_data(archive* a, const std::string& member,
                                                     const std::string& path,
                                                     std::string* keep = nullptr,
                                                     std::size_t keep_limit = 0) {
        std::uint64_t pos = 0;
        for (;;) {
            const void* buf = nullptr;
            size_t size = 0;
            la_int64_t offset = 0;
            const int r = archive_read_data_block(a, &buf, &size, &offset);
            if (r == ARCHIVE_EOF) {
                break;
            }
            if (r < ARCHIVE_WARN) {
                fail(member + ": " + escape(path) + ": " +
                     archive_reason(a, "cannot read member data"));
            }
            const auto off = static_cast<std::uint64_t>(offset);
            if (offset < 0 || off < pos) {
                fail(member + ": " + escape(path) + ": bad data offset");
            }
            if (off > pos) {
                // A hole: dpkg's tar reader has no sparse members, and a sparse member can
                // claim exabytes of zeros in a few bytes.
                fail(member + ": " + escape(path) + ": sparse member data (dpkg cannot unpack it)");
            }
            m_hash.update(buf, size);
            if (m_streaming) {
                m_options.data(path, std::string_view(static_cast<const char*>(buf), size));
            }
            if (keep != nullptr) {
                if (keep->size() + size > keep_limit) {
                    fail(member + ": " + escape(path) + ": larger than " +
                         std::to_string(keep_limit) + " bytes");
                }
                keep->append(static_cast<const char*>(buf), size);
            }
            pos += size;
        }
        return {m_hash.finish(), pos};
    }

    void control_entry(archive* a, const std::string& member, archive_entry* entry) {
        const std::string path = member_path(member, entry);
        if (path == "/") {
            return;
        }
        const std::string name = path.substr(1);
        if (name.find('/') != std::string::npos) {
            fail(member + ": control member in a subdirectory: " + escape(name));
        }
        if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr) {
            fail(member + ": control member " + escape(name) + " is not a regular file");
        }
        if (!m_control_names.insert(name).second) {
            fail(member + ": duplicate control member " + escape(name));
        }
        if (name == "pkgdesc") {
            std::string text;
            hash_data(a, member, name, &text, k_max_pkgdesc_size);
            m_contents.embedded_pkgdesc = std::move(text);
            return;
        }
        std::string* keep = name == "control" ? &m_contents.control_text : nullptr;
        const auto [digest, size] = hash_data(a, member, name, keep, k_max_control_size);
        (void)size;
        m_contents.control.push_back({name, digest});
    }

    void data_entry(archive* a, const std::string& member, archive_entry* entry) {
        Entry e;
        e.path = member_path(member, entry);
        if (m_entries.contains(e.path)) {
            fail(member + ": duplicate member " + escape(e.path));
        }
        e.mode = static_cast<std::uint32_t>(archive_entry_perm(entry)) & 07777u;
        const char* uname = archive_entry_uname(entry);
        const char* gname = archive_entry_gname(entry);
        if (uname != nullptr && *uname != '\0') {
            e.uname = uname;
        } else {
            e.uid = static_cast<std::uint64_t>(archive_entry_uid(entry));
        }
        if (gname != nullptr && *gname != '\0') {
            e.gname = gname;
        } else {
            e.gid = static_cast<std::uint64_t>(archive_entry_gid(entry));
        }
        if (archive_entry_mtime_is_set(entry)) {
            e.mtime.seconds = archive_entry_mtime(entry);
            e.mtime.nanoseconds = static_cast<std::uint32_t>(archive_entry_mtime_nsec(entry));
        }

        if (const char* target = archive_entry_hardlink(entry)) {
            if (std::strlen(target) > k_max_name_length) {
                fail(member + ": hard link target of " + escape(e.path) + " is too long");
            }
            std::string reason;
            auto link = normalize_member_name(target, reason);
            if (!link) {
                fail(member + ": hard link " + escape(e.path) + ": " + reason);
            }
            auto it = m_entries.find(*link);
            if (it == m_entries.end() ||
                m_contents.entries[it->second].type == EntryType::directory) {
                fail(member + ": hard link " + escape(e.path) + " to " + escape(*link) +
                     ", which is not an earlier non-directory member");
            }
            const Entry& primary = m_contents.entries[it->second];
            e.type = EntryType::hardlink;
            e.link = primary.type == EntryType::hardlink ? primary.link : primary.path;
        } else {
            switch (archive_entry_filetype(entry)) {
            case AE_IFREG: {
                e.type = EntryType::file;
                m_streaming = m_options.data && m_options.wants_data && m_options.wants_data(e.path);
                const auto [digest, size] = hash_data(a, member, e.path);
                m_streaming = false;
                if (archive_entry_size_is_set(entry) &&
                    static_cast<std::uint64_t>(archive_entry_size(entry)) != size) {
                    fail(member + ": " + escape(e.path) + ": truncated member data");
                }
                e.sha256 = digest;
                e.size = size;
                break;
            }
            case AE_IFDIR:
                e.type = EntryType::directory;
                break;
            case AE_IFLNK: {
                e.type = EntryType::symlink;
                const char* symlink_target = archive_entry_symlink(entry);
                if (symlink_target == nullptr || *symlink_target == '\0') {
                    fail(member + ": symlink " + escape(e.path) + " has no target");
                }
                if (std::strlen(symlink_target) > k_max_name_length) {
                    fail(member + ": symlink target of " + escape(e.path) + " is too long");
                }
                e.link = symlink_target;
                break;
            }
            case AE_IFCHR:
            case AE_IFBLK:
                e.type = archive_entry_filetype(entry) == AE_IFCHR ? EntryType::char_device
                                                                   : EntryType::block_device;
                e.dev_major = static_cast<std::uint32_t>(archive_entry_rdevmajor(entry));
                e.dev_minor = static_cast<std::uint32_t>(archive_entry_rdevminor(entry));
                break;
            case AE_IFIFO:
                e.type = EntryType::fifo;
                break;
            default:
                fail(member + ": " + escape(e.path) + ": unsupported member type");
            }
        }
        m_entries.emplace(e.path, m_contents.entries.size());
        m_contents.entries.push_back(std::move(e));
    }

    const std::string& m_path;
    const DebReaderOptions& m_options;
    DebContents m_contents;
    int m_fd = -1;
    Sha256 m_file_hash;
    std::vector<char> m_hash_buffer = std::vector<char>(std::size_t{1} << 17);
    Sha256 m_hash;
    bool m_seen_control = false;
    bool m_streaming = false; // the current member's data goes to DebReaderOptions::data
    std::uint64_t m_file_size = 0;
    std::unordered_map<std::string, std::size_t> m_entries;
    std::unordered_set<std::string> m_control_names;
};

} // namespace

DebContents DebReader::read(const std::string& path) const {
    return Reader(path, m_options).read();
}

} // namespace pkgdesc
