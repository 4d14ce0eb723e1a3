// Reading a whole (local, trusted-location) file into memory.
#pragma once

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/export.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pkgdesc {

// A file holding more bytes than the reader accepts.
class PKGDESC_EXPORT FileTooLarge : public IoError {
public:
    using IoError::IoError;
};

// Whether a symlink at the path itself is followed (an error, ELOOP, when not).
enum class FollowSymlink { yes, no };

// The file's bytes; nullopt if it does not exist. Throws IoError for any other failure, when
// the path is not a regular file; FileTooLarge when it holds more than `limit` bytes.
PKGDESC_EXPORT std::optional<std::string>
read_file_if_exists(const std::string& path, std::uint64_t limit = UINT64_MAX,
                    FollowSymlink follow = FollowSymlink::yes);

// The bytes of an open regular file, from its start (the descriptor's offset is not used or
// moved), `path` naming it in errors; as read_file_if_exists() reads them.
PKGDESC_EXPORT std::string read_open_file(int fd, const std::string& path,
                                          std::uint64_t limit = UINT64_MAX);

// The SHA-256 of a regular file's bytes, read (never mapped: a file truncated meanwhile is a
// shorter read, not a SIGBUS); nullopt if it does not exist. Throws IoError; FileTooLarge when
// it holds more than `limit` bytes (nothing is read then) or grows past them while read.
PKGDESC_EXPORT std::optional<Sha256Digest>
sha256_of_file_if_exists(const std::string& path, std::uint64_t limit = UINT64_MAX,
                         FollowSymlink follow = FollowSymlink::yes);

// A whole file mapped read-only (no copy, no zero-filled buffer): for large files read once.
class PKGDESC_EXPORT MappedFile {
public:
    // nullopt if it does not exist; throws IoError otherwise, or for a non-regular file.
    static std::optional<MappedFile> open_if_exists(const std::string& path);
    ~MappedFile();
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view view() const { return {static_cast<const char*>(m_data), m_size}; }

private:
    MappedFile(void* data, std::size_t size) : m_data(data), m_size(size) {}
    void* m_data = nullptr;
    std::size_t m_size = 0;
};

// Writes all of `data` to `fd` (retrying short writes and EINTR), or throws IoError naming
// `shown` with `what` ("cannot write").
PKGDESC_EXPORT void write_all(int fd, std::string_view data, const std::string& shown,
                              const char* what = "cannot write");

// Reads a whole input ("-": standard input) of at most `limit` bytes, or throws IoError.
PKGDESC_EXPORT std::string read_input(const std::string& file, std::size_t limit);

} // namespace pkgdesc
