// Runs N independent jobs on a fixed number of threads and hands their results back in job
// order, so that output does not depend on the number of threads.
#pragma once

#include <libpkgdesc/export.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace pkgdesc {

// The number of threads to use when the user did not say: the CPUs this process may run on.
PKGDESC_EXPORT unsigned default_jobs();

// Calls `work(i)` for every i in [0, count) on `threads` threads, in the order given by
// `schedule` (a permutation of the indexes, e.g. largest input first), and `deliver(i, result)`
// on the calling thread strictly in index order, as soon as each result and all before it exist.
// A thread takes `batch` jobs of the schedule at a time (fewer hand-offs for many small jobs).
// `window` (0: no limit) bounds how far the threads run ahead of the delivery: job i starts
// only once the results before i - window + 1 were delivered, so that at most `window` results
// wait (and are stored) at any time, without the threads ever stopping together; it needs the
// identity schedule. `work` must not throw; encode failures in Result.
template <typename Result>
void run_ordered(std::size_t count, unsigned threads, const std::vector<std::size_t>& schedule,
                 const std::function<Result(std::size_t)>& work,
                 const std::function<void(std::size_t, Result&)>& deliver, std::size_t batch = 1,
                 std::size_t window = 0) {
    batch = std::max<std::size_t>(1, batch);
    if (window != 0) {
        window = std::min(std::max(window, batch), std::max<std::size_t>(count, 1));
        for (std::size_t i = 0; i < count; ++i) {
            if (schedule[i] != i) {
                throw std::logic_error("run_ordered: a window needs the identity schedule");
            }
        }
    }
    // A ring of `window` slots (job i in slot i % window), or one slot per job.
    std::vector<std::optional<Result>> results(window != 0 ? window : count);
    auto slot = [&](std::size_t index) -> std::optional<Result>& {
        return results[window != 0 ? index % window : index];
    };
    std::mutex mutex;
    std::condition_variable ready;
    std::condition_variable room; // for threads held back by the window
    std::size_t next_job = 0;
    std::size_t delivered = 0;
    unsigned held = 0;
    bool stopped = false; // `deliver` threw: no new jobs
    // The result the calling thread waits for: only its completion wakes it (one wake-up per
    // result, not one per result and waiting thread).
    std::size_t awaited = 0;

    auto worker = [&] {
        std::vector<std::pair<std::size_t, Result>> done;
        for (;;) {
            std::size_t first = 0;
            std::size_t last = 0;
            {
                std::unique_lock lock(mutex);
                while (window != 0 && !stopped && next_job < count &&
                       next_job >= delivered + window) {
                    ++held;
                    room.wait(lock);
                    --held;
                }
                if (next_job == count || stopped) {
                    return;
                }
                first = next_job;
                last = std::min(count, next_job + batch);
                if (window != 0) {
                    last = std::min(last, delivered + window);
                }
                next_job = last;
            }
            done.clear();
            for (std::size_t job = first; job < last; ++job) {
                done.emplace_back(schedule[job], work(schedule[job]));
            }
            bool wake = false;
            {
                std::lock_guard lock(mutex);
                for (auto& [index, result] : done) {
                    slot(index).emplace(std::move(result));
                    wake = wake || index == awaited;
                }
            }
            if (wake) {
                ready.notify_one();
            }
        }
    };

    threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(count)));
    std::vector<std::jthread> pool;
    try {
        // A thread that cannot be made (a task limit) stops the others too, before the join.
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back(worker);
        }
        for (std::size_t i = 0; i < count; ++i) {
            std::optional<Result> result;
            bool wake = false;
            {
                std::unique_lock lock(mutex);
                awaited = i;
                ready.wait(lock, [&] { return slot(i).has_value(); });
                result = std::move(slot(i));
                slot(i).reset();
                delivered = i + 1;
                // Woken a batch at a time, not once per result.
                wake = held != 0 && next_job + batch <= delivered + window;
            }
            if (wake) {
                room.notify_all();
            }
            deliver(i, *result);
        }
    } catch (...) {
        {
            std::lock_guard lock(mutex);
            stopped = true;
        }
        // The threads finish the jobs they hold and are joined; one held by the window never
        // waits for room once `stopped` is set.
        room.notify_all();
        throw;
    }
}

} // namespace pkgdesc
