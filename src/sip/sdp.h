/* SDP for one audio stream (RFC 4566, RFC 3264 offer/answer): build and read what we need. */
#ifndef SB_SIP_SDP_H
#define SB_SIP_SDP_H

#include "sipbeat/msg.h"

typedef enum {
    SB_DIR_SENDRECV = 0,
    SB_DIR_SENDONLY,
    SB_DIR_RECVONLY,
    SB_DIR_INACTIVE,
} sb_dir;

const char *sb_dir_name(sb_dir d);
/* The answer's direction for an offered one (RFC 3264 §6.1), given what we want ourselves
 * (SB_DIR_SENDRECV normally; SB_DIR_SENDONLY or SB_DIR_INACTIVE while we hold the call). */
sb_dir sb_dir_answer(sb_dir offered, sb_dir wish);

/* Our side of the session description. The same fields give byte-identical SDP (REF-13). */
typedef struct {
    uint64_t sess_id;
    uint64_t version;
    uint16_t port;
    sb_dir dir;
} sb_sdp_local;

/* Writes the SDP body for addr (IPv4 or IPv6). */
void sb_sdp_write(sb_buf *b, const sb_sdp_local *s, const sb_addr *addr);

typedef struct {
    bool valid;
    uint64_t version; /* o= sess-version */
    uint16_t port;    /* m=audio port */
    sb_dir dir;       /* media-level attribute, else session-level, else sendrecv */
} sb_sdp_remote;

/* Reads what we need from a body. valid=false when there is no o= or m=audio line. */
void sb_sdp_read(sb_slice body, sb_sdp_remote *out);

#endif
