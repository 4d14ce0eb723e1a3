// Writes a file through a temporary file in the target directory, renamed over the target on
// commit(). Without commit() (an exception, an early return) the target is left untouched.
#pragma once

#include <libpkgdesc/export.hpp>

#include <string>
#include <string_view>

namespace pkgdesc {

class PKGDESC_EXPORT AtomicFile {
public:
    // `mode` is applied to the new file (before the umask is considered: exactly this mode).
    explicit AtomicFile(std::string path, unsigned mode = 0644);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view data);
    // Flushes, syncs and renames the temporary file over the target. Throws IoError.
    void commit();

    const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::string m_tmp_path;
    int m_fd = -1;
};

} // namespace pkgdesc
