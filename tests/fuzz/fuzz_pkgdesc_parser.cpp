// libFuzzer target: the pkgdesc parser must either accept a document, and then write it back in
// a form it parses to the same model, or throw a pkgdesc::Error; never crash.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const pkgdesc::Pkgdesc d = pkgdesc::parse_pkgdesc(text, "fuzz");
        const pkgdesc::Pkgdesc back = pkgdesc::parse_pkgdesc(pkgdesc::to_string(d), "again");
        if (!(back == d)) {
            std::abort();
        }
    } catch (const pkgdesc::Error&) {
    }
    return 0;
}
