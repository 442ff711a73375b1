/* aiswatch/gpkg.h — a small, fast GeoPackage 1.3 writer over SQLite.
 *
 * Promise: aw_gpkg_open() starts a GeoPackage (application_id 'GPKG', user_version
 * 10300, the four required metadata tables, EPSG:4326 and the two undefined SRS rows);
 * aw_gpkg_layer() declares point, line-string or attribute tables with typed columns;
 * aw_gpkg_insert() adds one row (geometry as GeoPackage binary: a GP header with its
 * envelope, then little-endian WKB, srs_id 4326); aw_gpkg_finish() writes the extents
 * and last_change into gpkg_contents, builds the gpkg_rtree_index spatial index of
 * every spatial layer (packed in bulk, Hilbert-sorted; the GeoPackage triggers keep it
 * current under later edits by other tools), commits and puts the file in place.
 * Memory: a batch of up to 1024 rows per layer while inserting (written once its text
 * and geometry reach 1 MiB), and 16 bytes per row of a new spatial layer (its index
 * box, up to 128 M rows); at finish 16 more per row of the layer being indexed. An
 * appended layer, or a larger one, is indexed through SQLite's sorter instead
 * (bounded, spills to temporary files; several times slower).
 *
 * Safety: without `append`, everything is written to "PATH.tmp" with journaling off
 * (fast) and renamed over PATH only by aw_gpkg_finish(), so a failed or killed run
 * leaves any previous PATH untouched. With `append`, PATH is changed in place inside
 * one transaction under SQLite's rollback journal: a killed run is rolled back the next
 * time the file is opened. Nothing is visible to readers before aw_gpkg_finish().
 *
 * Ownership: the aw_gpkg handle belongs to the caller, who ends it with aw_gpkg_close()
 * (after aw_gpkg_finish(), or instead of it to abandon the run). Strings and arrays
 * passed in are only read during the call. Errors: functions return -1 (or NULL) and
 * write a message into the caller's err buffer; a handle whose insert or finish failed
 * can only be closed. Rows are written in batches, so SQLite's refusal of a row (a disk
 * full, say) is reported by a later aw_gpkg_insert(), aw_gpkg_index() or
 * aw_gpkg_finish(); a value that does not fit its column is refused by the call itself.
 * One handle is one SQLite connection: use it from one thread.
 */
#ifndef AISWATCH_GPKG_H
#define AISWATCH_GPKG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct aw_gpkg aw_gpkg;

typedef enum aw_geom_kind {
    AW_GEOM_NONE,       /* an attributes table (gpkg_contents data_type 'attributes') */
    AW_GEOM_POINT,      /* one point per row */
    AW_GEOM_LINESTRING, /* two or more points per row */
} aw_geom_kind;

typedef enum aw_field_type {
    AW_FIELD_INTEGER,
    AW_FIELD_REAL,
    AW_FIELD_TEXT,
    AW_FIELD_DATETIME,  /* ISO 8601 UTC text, YYYY-MM-DDTHH:MM:SS.SSSZ as GeoPackage wants */
    AW_FIELD_DATE,      /* YYYY-MM-DD */
} aw_field_type;

typedef struct aw_field {
    const char *name;   /* [A-Za-z_][A-Za-z0-9_]*, not "fid" or "geom" */
    aw_field_type type;
} aw_field;

typedef enum aw_value_kind {
    AW_NULL,
    AW_INT,     /* INTEGER or REAL columns */
    AW_REAL,    /* REAL columns */
    AW_TEXT,    /* TEXT columns; DATETIME/DATE columns take it verbatim */
    AW_TIME_MS, /* DATETIME or DATE columns: Unix milliseconds, formatted by the writer */
} aw_value_kind;

typedef struct aw_value {
    aw_value_kind kind;
    union {
        int64_t i;      /* AW_INT, AW_TIME_MS */
        double d;       /* AW_REAL */
        const char *s;  /* AW_TEXT, NUL-terminated UTF-8 */
    };
} aw_value;

#define AW_V_NULL ((aw_value){.kind = AW_NULL})
#define AW_V_INT(v) ((aw_value){.kind = AW_INT, .i = (v)})
#define AW_V_REAL(v) ((aw_value){.kind = AW_REAL, .d = (v)})
#define AW_V_TEXT(v) ((aw_value){.kind = AW_TEXT, .s = (v)})
#define AW_V_TIME_MS(v) ((aw_value){.kind = AW_TIME_MS, .i = (v)})

/* Opens PATH for writing (see Safety above). With append, an existing file must be a
 * GeoPackage; a missing one is created. NULL on failure, with a message in err. */
aw_gpkg *aw_gpkg_open(const char *path, bool append, char *err, size_t errcap);

/* Declares a layer and returns its handle (≥ 0), or -1. Spatial layers get a "geom"
 * column in EPSG:4326; every layer gets "fid INTEGER PRIMARY KEY" (a rowid alias, as
 * GeoPackage requires; without AUTOINCREMENT, which costs a fifth of the insert rate).
 * In append mode a layer of the same name is reused when its geometry kind and
 * columns (names and types, in order) are the same, and is an error otherwise. */
int aw_gpkg_layer(aw_gpkg *g, const char *name, aw_geom_kind kind, const aw_field *fields, size_t nfields,
                  char *err, size_t errcap);

/* Inserts one row: values[nfields] in the layer's column order, and npoints lon,lat
 * pairs (1 for a point layer, ≥ 2 for a line string, 0 for attributes, or 0 for a NULL
 * geometry in a spatial layer). A value whose kind does not fit its column is an error, so
 * are non-finite coordinates. */
int aw_gpkg_insert(aw_gpkg *g, int layer, const aw_value *values, const double *lonlat, size_t npoints,
                   char *err, size_t errcap);

/* A plain SQLite index on some of a layer's columns ("start, id"), for readers that
 * filter or sort on them (created where called: after the inserts is fastest). 0 or -1. */
int aw_gpkg_index(aw_gpkg *g, int layer, const char *columns, char *err, size_t errcap);

/* Optional, between inserts: writes the rows inserted so far out of SQLite's cache into
 * the (still hidden) file and, for a new file, waits until the disk has them. What
 * aw_gpkg_finish() then writes and syncs is only what came after: a caller that has an
 * idle thread moves the end of the run's I/O there. 0 or -1. */
int aw_gpkg_flush(aw_gpkg *g, char *err, size_t errcap);

/* Extents, last_change, spatial indexes, commit, rename into place. 0 or -1. */
int aw_gpkg_finish(aw_gpkg *g, char *err, size_t errcap);

/* Rows inserted so far into one layer by this handle. */
uint64_t aw_gpkg_rows(const aw_gpkg *g, int layer);

/* Frees the handle; when aw_gpkg_finish() did not succeed, rolls back and removes the
 * temporary file. NULL is fine. */
void aw_gpkg_close(aw_gpkg *g);

/* Reads a GeoPackage geometry blob (any writer's, either byte order): its srs_id and
 * bounding box {min_x, max_x, min_y, max_y}, from the header envelope when present,
 * else from the WKB of a point or line string. Returns 0, 1 for an empty geometry, or
 * -1 when the blob is not one this reader understands. */
int aw_gpkg_geom_bbox(const void *blob, size_t len, int32_t *srs_id, double bbox[4]);

#endif
