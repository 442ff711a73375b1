/* bigarray.h — storage for the scan's big growing arrays (internal).
 *
 * The scan's arrays run to hundreds of MB each and are written in many streams at once
 * (a column per field, thousands of sort buckets). Two costs dominate with plain
 * malloc/realloc: glibc raises its mmap threshold once a big block is freed (up to
 * 32 MiB), so growing arrays land on the heap and every doubling copies them into fresh
 * pages; and with 4 KiB pages most writes miss the TLB and every page costs a fault.
 * So: past AW_MAP_MIN_BYTES an array is its own mapping, grown in place or moved by
 * the kernel (mremap: no copy), with transparent huge pages asked for (Debian's kernels
 * give them only to memory that asks). The advice is only advice: where it is refused
 * nothing changes but the speed. */
#ifndef AISWATCH_BIGARRAY_H
#define AISWATCH_BIGARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Below this an array of malloc()'s gains little and shares its pages with others; a
 * mapping of ours gains from its first whole huge page. */
#define AW_HUGE_MIN_BYTES ((size_t)8 << 20)
#define AW_HUGE_MIN_MAPPING ((size_t)2 << 20)
#define AW_MAP_MIN_BYTES ((size_t)1 << 20)

/* Asks for huge pages for the 2 MiB-aligned pages wholly inside [p, p + bytes), for
 * memory from malloc() or a mapping never resized. */
static inline void aw_advise_huge(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    if (!p || bytes < AW_HUGE_MIN_BYTES) return;
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

static inline size_t aw_map_bytes(size_t bytes) { return (bytes + 4095) & ~(size_t)4095; }

/* The same for a whole mapping of ours: advising only a part would split the mapping,
 * and mremap() cannot grow a range that spans two. */
static inline void aw_advise_huge_mapping(void *q, size_t bytes) {
#ifdef MADV_HUGEPAGE
    if (q && bytes >= AW_HUGE_MIN_MAPPING) (void)madvise(q, aw_map_bytes(bytes), MADV_HUGEPAGE);
#else
    (void)q, (void)bytes;
#endif
}

/* Resizes p (`used` bytes of it in use, `old_cap` allocated, a mapping when was_mapped)
 * to new_cap bytes: malloc()ed unless to_map, once mapped always mapped. Returns the
 * array, or NULL with p unchanged. */
static inline void *aw_array_resize(void *p, size_t used, size_t old_cap, size_t new_cap, bool was_mapped,
                                    bool to_map) {
    if (!to_map) return realloc(p, new_cap ? new_cap : 1);
    void *q = was_mapped ? mremap(p, aw_map_bytes(old_cap), aw_map_bytes(new_cap), MREMAP_MAYMOVE) : MAP_FAILED;
    if (q == MAP_FAILED) { /* a new mapping, and a copy; a mapping mremap() refused is unmapped */
        q = mmap(NULL, aw_map_bytes(new_cap), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q == MAP_FAILED) return NULL;
        if (used) memcpy(q, p, used);
        if (was_mapped) munmap(p, aw_map_bytes(old_cap));
        else free(p);
    }
    aw_advise_huge_mapping(q, new_cap);
    return q;
}

static inline void aw_array_free(void *p, size_t cap, bool mapped) {
    if (!p) return;
    if (mapped) munmap(p, aw_map_bytes(cap));
    else free(p);
}

#endif
