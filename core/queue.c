/* core/queue.c - see queue.h. */
#include "config.h"

#include "queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct rqueue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    rec *head, *tail;
    size_t n, bytes, max_recs, max_bytes;
    int closed;
};

rqueue *rqueue_new(size_t max_recs, size_t max_bytes)
{
    rqueue *q = xcalloc(1, sizeof *q);
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    pthread_cond_init(&q->not_full, NULL);
    q->max_recs = max_recs;
    q->max_bytes = max_bytes;
    return q;
}

void rqueue_free(rqueue *q)
{
    if (!q)
        return;
    while (q->head) {
        rec *r = q->head;
        q->head = r->next;
        rec_free(r);
    }
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    free(q);
}

void rqueue_push(rqueue *q, rec *r)
{
    r->next = NULL;
    pthread_mutex_lock(&q->lock);
    while (q->n > 0 && (q->n >= q->max_recs || q->bytes + r->bytes > q->max_bytes))
        pthread_cond_wait(&q->not_full, &q->lock);
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->n++;
    q->bytes += r->bytes;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

rec *rqueue_pop_all(rqueue *q, int timeout_ms)
{
    pthread_mutex_lock(&q->lock);
    if (!q->head && !q->closed && timeout_ms > 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!q->head && !q->closed)
            if (pthread_cond_timedwait(&q->not_empty, &q->lock, &ts) == ETIMEDOUT)
                break;
    }
    rec *r = q->head;
    q->head = q->tail = NULL;
    q->n = q->bytes = 0;
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
    return r;
}

void rqueue_close(rqueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

int rqueue_closed_and_empty(rqueue *q)
{
    pthread_mutex_lock(&q->lock);
    int r = q->closed && !q->head;
    pthread_mutex_unlock(&q->lock);
    return r;
}
