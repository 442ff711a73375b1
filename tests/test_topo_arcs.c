/* test_topo_arcs.c — the TopoJSON arcs reader that land loading uses (topo_arcs.h):
 * positions as written, the rest of the text left for the DOM parser, malformed arcs
 * refused with the line. Whole-file equality with the DOM reading is covered by the land
 * tests (test_geo) and the scans' events. */
#include "topo_arcs.h"

#include "check.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char err[256];

static char *split(const char *text, topo_arcs *a, bool *found) {
    size_t out_len = 0;
    char *copy = topo_arcs_split(text, strlen(text), a, found, &out_len, err, sizeof err);
    if (copy) CHECK_EQ_INT(out_len, strlen(text));
    return copy;
}

static void test_valid(void) {
    const char *text = "{\"type\":\"Topology\",\"note\":\"x\\\"],\\\"arcs\\\":[1]\",\n"
                       " \"arcs\" : [ [[0,0],[1,2]],[],\n  [[3.5,-4e1,9],[ -0 , 1E2 ]],[[12345678901234567,-7]] ],\n"
                       " \"objects\":{\"arcs\":[5]}}";
    topo_arcs a;
    bool found = false;
    char *copy = split(text, &a, &found);
    CHECK(copy != NULL);
    if (!copy) return;
    CHECK(found);
    CHECK_EQ_INT(a.n, 4);
    CHECK_EQ_INT(a.off[0], 0);
    CHECK_EQ_INT(a.off[1], 2);
    CHECK_EQ_INT(a.off[2], 2);
    CHECK_EQ_INT(a.off[3], 4);
    CHECK_EQ_INT(a.off[4], 5);
    const double want[] = {0, 0, 1, 2, 3.5, -40, -0.0, 100, strtod("12345678901234567", NULL), -7};
    for (size_t i = 0; i < 10; i++) CHECK(memcmp(&a.xy[i], &want[i], sizeof want[i]) == 0); /* -0 stays -0 */
    /* The rest parses, with an empty arcs array and the lines where they were. */
    json_error_t je;
    json_t *root = json_loads(copy, 0, &je);
    CHECK(root != NULL);
    CHECK_EQ_INT(json_array_size(json_object_get(root, "arcs")), 0);
    CHECK(json_is_array(json_object_get(root, "arcs")));
    CHECK_EQ_STR(json_string_value(json_object_get(root, "note")), "x\"],\"arcs\":[1]");
    CHECK_EQ_INT(json_array_size(json_object_get(json_object_get(root, "objects"), "arcs")), 1);
    json_decref(root);
    size_t lines_in = 0, lines_out = 0;
    for (const char *p = text; *p; p++) lines_in += *p == '\n';
    for (const char *p = copy; *p; p++) lines_out += *p == '\n';
    CHECK_EQ_INT(lines_out, lines_in);
    free(copy);
    topo_arcs_free(&a);
}

static void test_absent(void) {
    const char *texts[] = {"{\"objects\":{\"arcs\":[[[1,2]]]}}", "[1,2]", "", "{\"a\":1 \"arcs\":[]}", "{\"arcs\""};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        topo_arcs a;
        bool found = true;
        char *copy = split(texts[i], &a, &found);
        CHECK(copy != NULL);
        CHECK(!found);
        CHECK_EQ_INT(a.n, 0);
        if (copy) CHECK_EQ_STR(copy, texts[i]); /* left as it is, for the DOM parser to judge */
        free(copy);
        topo_arcs_free(&a);
    }
}

static void test_malformed(void) {
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"{\"arcs\":[[[1]]]}", "fewer than two"},
        {"{\"arcs\":[[[1,2],]]}", "a position ([x, y]) expected"},
        {"{\"arcs\":[[[01,2]]]}", "',' or ']' expected in a position"},
        {"{\"arcs\":[[[1.,2]]]}", "a digit expected after '.'"},
        {"{\"arcs\":[[[1e,2]]]}", "a digit expected in the exponent"},
        {"{\"arcs\":[[[-,2]]]}", "a number expected"},
        {"{\"arcs\":[[[\"1\",2]]]}", "a number expected"},
        {"{\"arcs\":[[[1,2]]", "',' or ']' expected after an arc"},
        {"{\"arcs\":5}", "the arcs are not an array"},
        {"{\"arcs\":[5]}", "an arc (an array of positions) expected"},
        {"{\"arcs\":[[[1,2]] [[3,4]]]}", "',' or ']' expected after an arc"},
        {"{\"arcs\":[[[1,2,]]]}", "a number expected"},
        {"{\"arcs\":[[[1,1234567890123456789012345678901234567890123456789012345678901234567890]]]}",
         "a number too long"},
        {"{\"a\":1,\n\n\"arcs\":[[[1,2],\n[x]]]}", "line 4: a number expected"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        topo_arcs a;
        bool found;
        err[0] = 0;
        char *copy = split(bad[i].text, &a, &found);
        CHECK(copy == NULL);
        if (!strstr(err, bad[i].want)) {
            fprintf(stderr, "case %zu: err \"%s\", expected \"%s\"\n", i, err, bad[i].want);
            CHECK(false);
        }
        CHECK(a.off == NULL && a.xy == NULL && a.n == 0); /* nothing left to free */
        free(copy);
    }
}

int main(void) {
    test_valid();
    test_absent();
    test_malformed();
    return check_report("test_topo_arcs");
}
