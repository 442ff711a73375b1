/* arena.h — memory handed out in chunks that never move and are freed all at once.
 * Internal to the library: loaders (ports, anchorages, sanctions lists) intern strings
 * whose pointers must stay valid for the owner's life while more data loads. */
#ifndef AW_ARENA_H
#define AW_ARENA_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct aw_arena_chunk {
    struct aw_arena_chunk *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
} aw_arena_chunk;

typedef struct aw_arena {
    aw_arena_chunk *head;
} aw_arena;

/* n bytes aligned to 16, or NULL when memory runs out. */
static inline void *aw_arena_alloc(aw_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        aw_arena_chunk *c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

/* A copy of s (NULL reads as ""), or NULL when memory runs out. */
static inline char *aw_arena_strdup(aw_arena *a, const char *s) {
    if (!s) s = "";
    size_t n = strlen(s);
    char *p = aw_arena_alloc(a, n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

static inline void aw_arena_free(aw_arena *a) {
    for (aw_arena_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}

#endif
