/* bigarray.h — storage for the scan's big growing arrays (internal).
 *
 * glibc raises its mmap threshold once a big block is freed (up to 32 MiB), so growing
 * arrays of a few MB land on the heap and every doubling copies them into fresh pages,
 * each costing a page fault (~3 us on the project's VM). Past AW_MAP_MIN_BYTES an array
 * is a mapping of its own, grown in place or moved by the kernel (mremap: no copy).
 * Transparent huge pages were measured again here (MADV_HUGEPAGE on these mappings and
 * on the track records): fewer faults, but the 10 M-message scan took as long or longer
 * and 100 MiB more memory, so they are not asked for. */
#ifndef AISWATCH_BIGARRAY_H
#define AISWATCH_BIGARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define AW_MAP_MIN_BYTES ((size_t)1 << 20)

static inline size_t aw_map_bytes(size_t bytes) { return (bytes + 4095) & ~(size_t)4095; }

/* A new mapping of `bytes`, or NULL. */
static inline void *aw_map_new(size_t bytes) {
    void *q = mmap(NULL, aw_map_bytes(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return q == MAP_FAILED ? NULL : q;
}

/* Grows the mapping p (old_cap bytes, `used` of them in use) to new_cap: in place or
 * moved by the kernel, else a new mapping and a copy (a mapping mremap() refused is
 * unmapped). NULL, with p unchanged, when memory runs out. */
static inline void *aw_map_grow(void *p, size_t used, size_t old_cap, size_t new_cap) {
    void *q = mremap(p, aw_map_bytes(old_cap), aw_map_bytes(new_cap), MREMAP_MAYMOVE);
    if (q != MAP_FAILED) return q;
    if (!(q = aw_map_new(new_cap))) return NULL;
    if (used) memcpy(q, p, used);
    munmap(p, aw_map_bytes(old_cap));
    return q;
}

/* Resizes p (`used` bytes of it in use, `old_cap` allocated, a mapping when was_mapped)
 * to new_cap bytes: malloc()ed unless to_map, once mapped always mapped. Returns the
 * array, or NULL with p unchanged. */
static inline void *aw_array_resize(void *p, size_t used, size_t old_cap, size_t new_cap, bool was_mapped,
                                    bool to_map) {
    if (!to_map) return realloc(p, new_cap ? new_cap : 1);
    if (was_mapped) return aw_map_grow(p, used, old_cap, new_cap);
    void *q = aw_map_new(new_cap);
    if (!q) return NULL;
    if (used) memcpy(q, p, used);
    free(p);
    return q;
}

static inline void aw_array_free(void *p, size_t cap, bool mapped) {
    if (!p) return;
    if (mapped) munmap(p, aw_map_bytes(cap));
    else free(p);
}

#endif
