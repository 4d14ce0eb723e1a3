// pkgdesc-bench-floor: the least work a safe verifier of installed package files does per path,
// as the lower bound the benchmarks measure pkgdesc-verify against (bench/bench-verify).
//
//   pkgdesc-bench-floor [-j JOBS] ROOT < PATHS
//
// PATHS: absolute paths under ROOT, NUL-separated (as dpkg -L lists a package's paths). For each
// path, on JOBS threads (default 2) taking 32 paths at a time:
//   - one openat2(2) under ROOT: O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_NOATIME with
//     RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS, so that nothing resolves out
//     of the root and no symlink is followed; a symlink (ELOOP) is opened O_PATH and read with
//     readlinkat(2);
//   - statx(2) of the descriptor (AT_STATX_DONT_SYNC);
//   - a regular file: read whole with SHA-256 (OpenSSL EVP), then statx again to see that it
//     did not change while being read;
//   - flistxattr(2) (POSIX ACLs, security.* attributes).
// Nothing is compared with reference data: what is left is the system calls and the hashing.
// Prints the paths seen, the bytes hashed and a digest of all digests (so that no work can be
// skipped), and exits 1 when a path could not be opened.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

enum { k_batch = 32, k_buffer = 128 * 1024 };

static int g_root = -1;
static char** g_paths;
static size_t g_count;
static atomic_size_t g_next;
static atomic_ullong g_bytes;
static atomic_ullong g_failed;
static atomic_ullong g_mix;

static long open_in_root(const char* path, uint64_t flags) {
    struct open_how how = {
        .flags = flags,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    return syscall(SYS_openat2, g_root, path, &how, sizeof how);
}

static int stat_fd(int fd, struct statx* st) {
    return statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, st);
}

// Returns a word of the path's digest (or of its link target), 0 when it could not be read.
static uint64_t check_path(const char* path, char* buffer, EVP_MD_CTX* ctx) {
    const char* rel = path[0] == '/' && path[1] != '\0' ? path + 1 : path;
    if (strcmp(path, "/") == 0) {
        rel = ".";
    }
    uint64_t word = 1;
    long fd = open_in_root(rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_NOATIME);
    if (fd < 0 && errno == ELOOP) {
        fd = open_in_root(rel, O_PATH | O_NOFOLLOW);
        if (fd < 0) {
            return 0;
        }
        struct statx st;
        const ssize_t n = readlinkat((int)fd, "", buffer, k_buffer);
        if (stat_fd((int)fd, &st) != 0 || n < 0) {
            close((int)fd);
            return 0;
        }
        for (ssize_t i = 0; i < n; ++i) {
            word = word * 131 + (unsigned char)buffer[i];
        }
        close((int)fd);
        return word;
    }
    if (fd < 0) {
        return 0;
    }
    struct statx before;
    if (stat_fd((int)fd, &before) != 0) {
        close((int)fd);
        return 0;
    }
    if (S_ISREG(before.stx_mode)) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        uint64_t total = 0;
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        for (;;) {
            const ssize_t n = read((int)fd, buffer, k_buffer);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            EVP_DigestUpdate(ctx, buffer, (size_t)n);
            total += (uint64_t)n;
            if (total >= before.stx_size) {
                break; // no read at the end of the file: its size says it is
            }
        }
        EVP_DigestFinal_ex(ctx, digest, &size);
        struct statx after;
        if (stat_fd((int)fd, &after) != 0 || after.stx_size != before.stx_size ||
            after.stx_mtime.tv_sec != before.stx_mtime.tv_sec ||
            after.stx_mtime.tv_nsec != before.stx_mtime.tv_nsec ||
            after.stx_ctime.tv_sec != before.stx_ctime.tv_sec ||
            after.stx_ctime.tv_nsec != before.stx_ctime.tv_nsec || total != before.stx_size) {
            close((int)fd);
            return 0;
        }
        memcpy(&word, digest, sizeof word);
        atomic_fetch_add(&g_bytes, total);
    }
    if (flistxattr((int)fd, buffer, k_buffer) < 0 && errno != ENOTSUP) {
        word = 0;
    }
    close((int)fd);
    return word;
}

static void* worker(void* unused) {
    (void)unused;
    char* buffer = malloc(k_buffer);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (buffer == NULL || ctx == NULL) {
        abort();
    }
    uint64_t mix = 0;
    for (;;) {
        const size_t first = atomic_fetch_add(&g_next, k_batch);
        if (first >= g_count) {
            break;
        }
        const size_t end = first + k_batch < g_count ? first + k_batch : g_count;
        for (size_t i = first; i < end; ++i) {
            const uint64_t word = check_path(g_paths[i], buffer, ctx);
            if (word == 0) {
                atomic_fetch_add(&g_failed, 1);
            }
            mix ^= word;
        }
    }
    atomic_fetch_xor(&g_mix, mix);
    EVP_MD_CTX_free(ctx);
    free(buffer);
    return NULL;
}

int main(int argc, char** argv) {
    long jobs = 2;
    int opt;
    while ((opt = getopt(argc, argv, "j:")) != -1) {
        if (opt != 'j' || (jobs = strtol(optarg, NULL, 10)) < 1 || jobs > 256) {
            fprintf(stderr, "usage: pkgdesc-bench-floor [-j JOBS] ROOT < PATHS\n");
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: pkgdesc-bench-floor [-j JOBS] ROOT < PATHS\n");
        return 2;
    }
    g_root = open(argv[optind], O_PATH | O_DIRECTORY);
    if (g_root < 0) {
        fprintf(stderr, "pkgdesc-bench-floor: %s: %s\n", argv[optind], strerror(errno));
        return 2;
    }
    // The list, read whole and split at its NULs.
    size_t size = 0, capacity = 1 << 20;
    char* list = malloc(capacity);
    for (ssize_t n; list != NULL && (n = read(0, list + size, capacity - size)) > 0;) {
        size += (size_t)n;
        if (size == capacity) {
            list = realloc(list, capacity *= 2);
        }
    }
    if (list == NULL) {
        return 2;
    }
    size_t paths = 0;
    for (size_t i = 0; i < size; ++i) {
        paths += list[i] == '\0';
    }
    g_paths = malloc((paths + 1) * sizeof *g_paths);
    for (size_t i = 0, start = 0; i < size; ++i) {
        if (list[i] == '\0') {
            if (i > start) {
                g_paths[g_count++] = list + start;
            }
            start = i + 1;
        }
    }
    pthread_t threads[256];
    for (long i = 0; i < jobs; ++i) {
        pthread_create(&threads[i], NULL, worker, NULL);
    }
    for (long i = 0; i < jobs; ++i) {
        pthread_join(threads[i], NULL);
    }
    printf("%zu paths, %llu bytes hashed, %llu unreadable, mix %016llx\n", g_count,
           (unsigned long long)g_bytes, (unsigned long long)g_failed, (unsigned long long)g_mix);
    return g_failed != 0;
}
