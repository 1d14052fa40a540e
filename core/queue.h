/*
 * core/queue.h - a bounded multi-producer, single-consumer queue of records.
 *
 * Producers block when the queue holds more than its record or byte limit,
 * which is what keeps memory flat however large the estate: collection runs
 * only as fast as the store and outputs drain.
 */
#ifndef PP_CORE_QUEUE_H
#define PP_CORE_QUEUE_H

#include <stddef.h>

#include "record.h"

typedef struct rqueue rqueue;

/* rqueue_new - a queue holding at most @max_recs records and @max_bytes bytes
 * (a single larger record is still accepted when the queue is empty). */
rqueue *rqueue_new(size_t max_recs, size_t max_bytes);
/* rqueue_free - free the queue and any records still in it. */
void rqueue_free(rqueue *q);
/* rqueue_push - append @r (ownership passes to the queue); blocks while full. */
void rqueue_push(rqueue *q, rec *r);
/* rqueue_pop_all - wait up to @timeout_ms for records, then take all of them
 * as a linked list (via rec->next) in push order; NULL on timeout or when the
 * queue is closed and empty. */
rec *rqueue_pop_all(rqueue *q, int timeout_ms);
/* rqueue_close - no more pushes will come; wakes the consumer. */
void rqueue_close(rqueue *q);
/* rqueue_closed_and_empty - nonzero once closed and drained. */
int rqueue_closed_and_empty(rqueue *q);

#endif
