// xz through liblzma.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/util/xz.hpp>

#include <lzma.h>

#include <algorithm>
#include <memory>

namespace pkgdesc {

namespace {

struct LzmaEnd {
    void operator()(lzma_stream* stream) const { lzma_end(stream); }
};

std::string reason(lzma_ret ret) {
    return xz_error_reason(static_cast<int>(ret));
}

// Runs `stream` over `data` to the end, appending to `out`.
lzma_ret pump(lzma_stream& stream, std::string_view data, std::string& out, std::uint64_t limit) {
    stream.next_in = reinterpret_cast<const std::uint8_t*>(data.data());
    stream.avail_in = data.size();
    std::size_t chunk = std::max<std::size_t>(data.size(), 1 << 16);
    for (;;) {
        const std::size_t used = out.size();
        if (used >= limit) {
            return LZMA_MEMLIMIT_ERROR;
        }
        out.resize(used + chunk);
        stream.next_out = reinterpret_cast<std::uint8_t*>(out.data() + used);
        stream.avail_out = chunk;
        const lzma_ret ret = lzma_code(&stream, LZMA_FINISH);
        out.resize(used + chunk - stream.avail_out);
        if (ret != LZMA_OK) {
            return ret;
        }
        chunk = std::min<std::size_t>(chunk * 2, std::size_t{256} << 20);
    }
}

} // namespace

const char* xz_error_reason(int lzma_ret_code) {
    switch (static_cast<lzma_ret>(lzma_ret_code)) {
    case LZMA_MEM_ERROR:
        return "out of memory";
    case LZMA_MEMLIMIT_ERROR:
        return "memory limit reached";
    case LZMA_FORMAT_ERROR:
        return "not xz data";
    case LZMA_OPTIONS_ERROR:
        return "unsupported xz options";
    case LZMA_DATA_ERROR:
        return "corrupt xz data";
    case LZMA_BUF_ERROR:
        return "truncated xz data";
    default:
        return "decoder error";
    }
}

std::string xz_compress(std::string_view data, unsigned threads) {
    lzma_stream stream = LZMA_STREAM_INIT;
    lzma_mt mt{};
    mt.threads = std::max(1u, threads);
    mt.preset = 6;
    mt.check = LZMA_CHECK_CRC64;
    mt.block_size = std::uint64_t{8} << 20;
    if (const lzma_ret ret = lzma_stream_encoder_mt(&stream, &mt); ret != LZMA_OK) {
        throw Error("xz", "cannot start the encoder: " + reason(ret));
    }
    const std::unique_ptr<lzma_stream, LzmaEnd> guard(&stream);
    std::string out;
    out.reserve(data.size() / 4 + 4096);
    if (const lzma_ret ret = pump(stream, data, out, UINT64_MAX); ret != LZMA_STREAM_END) {
        throw Error("xz", "cannot compress: " + reason(ret));
    }
    return out;
}

std::string xz_decompress(std::string_view data, unsigned threads, const std::string& origin,
                          std::uint64_t limit) {
    lzma_stream stream = LZMA_STREAM_INIT;
    lzma_mt mt{};
    mt.threads = std::max(1u, threads);
    mt.flags = LZMA_FAIL_FAST;
    mt.memlimit_threading = std::max<std::uint64_t>(lzma_physmem() / 4, 64u << 20);
    mt.memlimit_stop = UINT64_MAX;
    if (const lzma_ret ret = lzma_stream_decoder_mt(&stream, &mt); ret != LZMA_OK) {
        throw Error(origin, "cannot start the xz decoder: " + reason(ret));
    }
    const std::unique_ptr<lzma_stream, LzmaEnd> guard(&stream);
    std::string out;
    out.reserve(std::min<std::uint64_t>(data.size() * 8, limit));
    if (const lzma_ret ret = pump(stream, data, out, limit); ret != LZMA_STREAM_END) {
        throw Error(origin, ret == LZMA_MEMLIMIT_ERROR
                                ? "decompresses to more than " + std::to_string(limit) + " bytes"
                                : reason(ret));
    }
    return out;
}

} // namespace pkgdesc
