/*
 * plugins/outputs/transport.h - where syslog and CEF messages go.
 *
 *   udp://HOST[:PORT]    one datagram per message (RFC 5426), cut to a maximum size;
 *                        fire-and-forget: no listener is not an error
 *   tcp://HOST[:PORT]    a stream with octet-counting framing "LEN SP MSG" (RFC 6587 3.4.1)
 *   unix:///PATH         a datagram socket (like /dev/log), or a stream socket with
 *                        octet counting when the socket is a stream one
 * PORT defaults to 514. HOST may be a name, an IPv4 address or [IPv6].
 */
#ifndef PP_OUTPUTS_TRANSPORT_H
#define PP_OUTPUTS_TRANSPORT_H

#include <stddef.h>

typedef struct out_transport out_transport;

/*
 * out_transport_open - parse @url and connect. On success returns 0 and
 * *@t (close it with out_transport_close). On failure returns a pp_rc and
 * writes into @err a message naming the destination.
 */
int out_transport_open(const char *url, out_transport **t, char *err, size_t errlen);

/* out_transport_is_datagram - nonzero when each message is one datagram (a size cap applies). */
int out_transport_is_datagram(const out_transport *t);

/* out_transport_send - send one message (@n bytes, no trailing newline needed), framed as the transport wants. */
int out_transport_send(out_transport *t, const char *msg, size_t n, char *err, size_t errlen);

/* out_transport_close - close and free; NULL is a no-op. */
void out_transport_close(out_transport *t);

#endif /* PP_OUTPUTS_TRANSPORT_H */
