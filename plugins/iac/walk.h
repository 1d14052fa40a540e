/*
 * plugins/iac/walk.h - which files a scan of PATH... reads.
 *
 * A target that is a file is read as given. A directory is walked
 * (symbolic links are not followed; hidden entries such as .git are
 * skipped) for *.yaml, *.yml, *.json and *.template files. A file named
 * .parapetignore at the top of a walked directory lists glob patterns
 * (fnmatch, one per line, # comments): a path relative to that directory
 * that matches, or whose base name matches, is skipped; a pattern ending
 * in "/" skips a directory.
 */
#ifndef PP_IAC_WALK_H
#define PP_IAC_WALK_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Most files one plan lists. */
#define WALK_MAX_FILES 200000

/*
 * walk_targets - add one task {"id": PATH, "path": PATH} to the array
 * @tasks for every file the targets name. Returns 0, or -1 with a message
 * naming the target in @err (a missing target, too many files, no memory).
 */
int walk_targets(const cJSON *targets, cJSON *tasks, char *err, size_t errlen);

#endif
