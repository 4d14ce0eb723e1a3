// Thread-count defaults for the ordered runner.
#include <libpkgdesc/util/thread_pool.hpp>

#include <sched.h>

namespace pkgdesc {

unsigned default_jobs() {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n > 0) {
            return static_cast<unsigned>(n);
        }
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

} // namespace pkgdesc
