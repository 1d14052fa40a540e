/*
 * core/worker.h - running provider and scanner plugins in a worker.
 *
 * A worker is a forked process (isolation "process", the default) or a
 * thread of the main process (isolation "none"). Either way it talks to the
 * core over one AF_UNIX stream socket with the framed messages below, and
 * the plugin sees the same pp_host_api table, so it cannot tell the
 * difference. Inside the worker, tasks from the plugin's plan run on a small
 * pool of threads.
 *
 * Frame: u32 length (of what follows), u8 type, payload (core/wire.h).
 */
#ifndef PP_CORE_WORKER_H
#define PP_CORE_WORKER_H

#include <stdint.h>
#include <sys/types.h>

#include "loader.h"

/* Largest frame either side accepts; a bigger one is a protocol error. */
#define WORKER_MAX_FRAME (64u << 20)

enum worker_msg {
    /* worker -> core */
    WMSG_LOG = 1,        /* u8 level, str message */
    WMSG_RECORD = 2,     /* a record in wire form (record.h) */
    WMSG_PROGRESS = 3,   /* u64 done, u64 total, str what */
    WMSG_TASK_BEGIN = 4, /* str task id */
    WMSG_TASK_END = 5,   /* str task id, u32 rc (int32), str error or NULL */
    WMSG_PLANNED = 6,    /* u32 number of tasks */
    WMSG_KV_GET = 7,     /* u32 request id, str key */
    WMSG_KV_SET = 8,     /* str key, bytes value or NULL, u32 ttl */
    WMSG_FATAL = 9,      /* str reason: init or plan failed, nothing more comes */
    WMSG_DONE = 10,      /* all tasks ran and the plugin was destroyed */
    /* core -> worker */
    WMSG_CANCEL = 64,   /* stop: cancelled() becomes true */
    WMSG_KV_REPLY = 65, /* u32 request id, u32 rc (int32), bytes value or NULL */
    WMSG_JOB = 66       /* to an exec'd worker: str so path, str name, u32 kind, str config,
                           str targets, str skip or NULL, u32 jobs, u8 log level,
                           str HTTP settings (host_http_configure) or NULL */
};

typedef struct worker_job {
    loaded_plugin *lp;  /* the plugin (descriptor, host object) */
    uint32_t kind;      /* PP_KIND_PROVIDER, PP_KIND_SCANNER or PP_KIND_THREAT_FEED */
    char *config_json;  /* validated config object */
    char *targets_json; /* JSON array of target strings; for a threat feed
                         * [] (update) or ["FILE"] (import FILE) */
    int jobs;           /* max concurrent tasks (1 for PP_THREADS_SERIAL) */
    char *skip_json;    /* JSON array of task ids not to run (a restarted
                         * worker skips what ended or crashed), or NULL */
} worker_job;

/*
 * worker_run - the body of a worker: init the plugin, plan, run every task
 * on the pool, destroy, and report each step over @fd. A threat-feed job
 * has no plan: its one task ("update" or "import") calls the plugin's
 * update or import. Returns 0 when the plugin finished (even if some tasks
 * failed), 1 when init or plan failed. Does not close @fd.
 */
int worker_run(const worker_job *job, int fd);

/*
 * worker_spawn - start a worker process for @job by fork + execve of this
 * program ("parapet __worker 3"), safe while the core runs other threads:
 * between fork and exec the child only calls async-signal-safe functions.
 * The new process loads the plugin afresh from @so_path (for an installed
 * bundle, the checked descriptor @so_fd is handed down as fd 4 and loaded
 * as /proc/self/fd/4) and then runs worker_run. The plugin's HTTP settings
 * (job->lp->host, from host_http_configure) go with the job. The worker is
 * killed (SIGKILL) when the thread that spawned it ends. On success returns
 * 0 with *@fd the core's end of the socket (the job is already sent) and
 * *@pid, which the caller reaps; -1 with errno on failure.
 */
int worker_spawn(const worker_job *job, const char *so_path, int so_fd, int *fd, pid_t *pid);

/*
 * worker_exec_main - the body of "parapet __worker FD": read the WMSG_JOB
 * frame from @fd, load the plugin, run the job. Returns the exit status.
 */
int worker_exec_main(int fd);

/*
 * frame_write - send one frame (@type, @payload) on @fd, retrying partial
 * writes. Returns 0 or -1 (peer gone). Callers serialise writers.
 */
int frame_write(int fd, uint8_t type, const void *payload, size_t len);

/*
 * frame_next - if @buf holds a complete frame at its start, set *@type,
 * *@payload, *@len and return the frame's total size; 0 when more bytes are
 * needed; -1 when the frame is malformed or too large.
 */
long frame_next(const unsigned char *buf, size_t avail, uint8_t *type, const unsigned char **payload,
                size_t *len);

#endif
