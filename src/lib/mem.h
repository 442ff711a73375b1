/* mem.h — hints for the few very large arrays (internal).
 *
 * Tracks are built by gathering rows in MMSI order from columns of hundreds of millions
 * of rows: every access lands on a different page, and with 4 KiB pages the page walks,
 * not the memory, set the pace. Transparent huge pages (2 MiB), where the kernel offers
 * them on request (the default "madvise" mode), cut the walks by 512. */
#ifndef AISWATCH_MEM_H
#define AISWATCH_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

static inline void aw_mem_hugepages(void *p, size_t bytes) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (bytes < 2 * huge) return;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), e = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (e > a) (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

#endif
