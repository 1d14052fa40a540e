/*
 * plugins/outputs/file_sink.h - a file written whole or not at all.
 *
 * Bytes go to a temporary file created beside PATH (mode 0640, O_EXCL, so
 * never through a symbolic link); commit flushes, fsyncs and renames it
 * onto PATH. A scan that dies before commit leaves PATH as it was. A FIFO
 * or character device (/dev/stderr) is written directly; NULL, "" or "-"
 * means standard output. PATH itself being a symbolic link or a directory
 * is refused.
 */
#ifndef PP_OUTPUTS_FILE_SINK_H
#define PP_OUTPUTS_FILE_SINK_H

#include <stddef.h>

typedef struct out_file out_file;

/*
 * out_file_open - start writing @path. On success returns 0 and *@f (free
 * it with commit or discard). On failure returns a pp_rc and writes a
 * message naming the path into @err.
 */
int out_file_open(const char *path, out_file **f, char *err, size_t errlen);

/* out_file_write - append @n bytes (buffered). Returns 0 or a pp_rc with @err set; after a failure every later write
 * fails. */
int out_file_write(out_file *f, const void *p, size_t n, char *err, size_t errlen);

/* out_file_commit - flush, fsync and put the file in place; frees @f either way. Returns 0 or a pp_rc with @err set. */
int out_file_commit(out_file *f, char *err, size_t errlen);

/* out_file_discard - drop what was written (the temporary file is removed) and free @f. NULL is a no-op. */
void out_file_discard(out_file *f);

/* out_file_name - the path as shown in messages (control characters as '?'). */
const char *out_file_name(const out_file *f);

#endif /* PP_OUTPUTS_FILE_SINK_H */
