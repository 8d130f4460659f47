/* SPDX-License-Identifier: MulanPSL-2.0 */
/* protocol.h - the etmem client <-> etmemd wire protocol, shared by both sides.
 *
 * Transport: one request per connection on an abstract-namespace AF_UNIX stream socket.
 *
 * Framed protocol (our client): every message is a frame
 *     struct frame_hdr { 'E', 'M', type, 0, u32 payload length }  + payload
 * The client sends one FRAME_REQUEST; the daemon streams FRAME_OUT (text for stdout) and
 * FRAME_ERR (text for stderr: warnings and error details) frames and ends with one FRAME_END
 * whose payload is the int32 status. Status is out of band, so any byte may appear in text.
 *
 * Legacy protocol (the original openEuler client): one text line
 *     "proj_name P file_name F cmd N eng_name E eng_cmd C task_name T"   ("-" = absent)
 * answered with raw text, then the original's error string on failure, then one terminator
 * byte, 0xFF success or 0xFE failure. The daemon tells the two apart by the first two bytes.
 *
 * Bump ETMEM_PROTO_VERSION whenever the request layout or the frame types change. */
#ifndef ETMEM_PROTOCOL_H
#define ETMEM_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETMEM_PROTO_VERSION 1
#define ETMEM_FRAME_MAGIC0 'E'
#define ETMEM_FRAME_MAGIC1 'M'
#define ETMEM_FRAME_MAX (64u * 1024u)    /* largest payload of any frame */
#define ETMEM_FIELD_MAX 4096u            /* longest request field (a path) */
#define ETMEM_SOCKET_NAME_MAX 106        /* the original client formats "@name" into sun_path[108] */
#define ETMEM_LEGACY_REQUEST_MAX 512     /* the original client's send buffer */
#define ETMEM_LEGACY_OK 0xff
#define ETMEM_LEGACY_FAIL 0xfe

enum frame_type {
    FRAME_REQUEST = 1,
    FRAME_OUT = 2,
    FRAME_ERR = 3,
    FRAME_END = 4,
};

struct frame_hdr {
    uint8_t magic[2];
    uint8_t type;
    uint8_t reserved;
    uint32_t len;
};

/* Command numbers are the original's, so legacy requests map one to one. */
enum etmem_cmd {
    CMD_OBJ_ADD = 0,
    CMD_OBJ_DEL = 1,
    CMD_PROJ_START = 2,
    CMD_PROJ_STOP = 3,
    CMD_PROJ_SHOW = 4,
    CMD_ENG_CMD = 5,
    CMD_METRICS = 6,            /* ours from here on */
    CMD_OBJ_UPDATE = 7,
    CMD_COUNT
};
#define CMD_LEGACY_COUNT CMD_METRICS    /* the original client knows only those before */

enum req_field {
    FIELD_PROJECT,
    FIELD_FILE,
    FIELD_ENGINE,
    FIELD_ENG_CMD,
    FIELD_TASK,
    FIELD_COUNT
};

#define REQ_FLAG_JSON 0x1u       /* machine-readable output where the command has it */
#define REQ_FLAGS_KNOWN REQ_FLAG_JSON

struct etmem_request {
    uint16_t version;
    uint16_t cmd;
    uint32_t flags;
    char *field[FIELD_COUNT];    /* NULL when absent */
};

/* Result status; the first eleven are the original's enum opt_result, same numbers. */
enum etmem_status {
    ST_OK = 0,
    ST_INVAL,
    ST_PRO_EXISTED,
    ST_PRO_STARTED,
    ST_PRO_STOPPED,
    ST_PRO_NOEXIST,
    ST_ENG_EXISTED,
    ST_ENG_NOEXIST,
    ST_TASK_EXISTED,
    ST_TASK_NOEXIST,
    ST_INTER_ERR,
    ST_PERM,
    ST_BUSY,
    ST_PROTO,
    ST_COUNT
};

/* The original's fixed error string for a status (what a legacy client expects). */
const char *etmem_status_text(enum etmem_status st);
const char *etmem_cmd_name(enum etmem_cmd cmd);

/* Pure encoders/decoders (no I/O; safe on arbitrary input). Decoders return 0 or -1 with
 * a reason in err. request_free releases the fields of a decoded request. */
int request_encode(const struct etmem_request *req, uint8_t **buf, size_t *len);
int request_decode(const uint8_t *buf, size_t len, struct etmem_request *out,
                   char *err, size_t errlen);
int legacy_request_decode(const char *buf, size_t len, struct etmem_request *out,
                          char *err, size_t errlen);
char *legacy_request_encode(const struct etmem_request *req);
void request_free(struct etmem_request *req);
bool frame_hdr_valid(const struct frame_hdr *hdr);

/* I/O: full writes/reads, retrying EINTR; return 0 or a negative errno
 * (-EPROTO for a malformed frame, -EMSGSIZE for one over max, -ECONNRESET on EOF). */
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len);
int frame_write(int fd, enum frame_type type, const void *payload, size_t len);
int frame_read(int fd, struct frame_hdr *hdr, uint8_t **payload, size_t max);

/* Abstract-namespace address for a socket name; returns the address length or -1. */
struct sockaddr_un;
int socket_addr_abstract(const char *name, struct sockaddr_un *addr);

#endif
