/* check.h — the smallest test harness that tells what failed and where.
 * A test program calls CHECK*() freely and ends with `return check_report("name");`. */
#ifndef AW_TEST_CHECK_H
#define AW_TEST_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        check_count++;                                                                \
        if (!(cond)) {                                                                \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                            \
    do {                                                                              \
        long long va_ = (long long)(a), vb_ = (long long)(b);                         \
        check_count++;                                                                \
        if (va_ != vb_) {                                                             \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,      \
                    __LINE__, #a, va_, #b, vb_);                                      \
        }                                                                             \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                            \
    do {                                                                              \
        const char *sa_ = (a), *sb_ = (b);                                            \
        check_count++;                                                                \
        if (strcmp(sa_, sb_) != 0) {                                                  \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,        \
                    __LINE__, #a, sa_, sb_);                                          \
        }                                                                             \
    } while (0)

/* Path under the shared data folder; exits with a clear message when it is missing. */
static inline const char *check_data_path(const char *rel, char *buf, size_t cap) {
    const char *root = getenv("AW_DATA");
    if (!root) root = "../shared/data";
    snprintf(buf, cap, "%s/%s", root, rel);
    FILE *f = fopen(buf, "rb");
    if (!f) {
        fprintf(stderr, "missing test data %s: this test needs ../shared/data (set AW_DATA)\n", buf);
        exit(2);
    }
    fclose(f);
    return buf;
}

static inline int check_report(const char *name) {
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}
#endif
