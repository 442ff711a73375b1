/* file_read.h — a whole file into memory (internal), for the readers that parse a
 * buffer (land TopoJSON, port and anchorage CSVs, sanctions lists). */
#ifndef AISWATCH_FILE_READ_H
#define AISWATCH_FILE_READ_H

#include <stddef.h>

/* The bytes of path, NUL-terminated (not counted in *len); the caller frees. NULL with
 * "path: reason" in err when it cannot be opened or read, or memory runs out. */
char *aw_read_file(const char *path, size_t *len, char *err, size_t errcap);

#endif
