/* SPDX-License-Identifier: MulanPSL-2.0 */
/* protocol.c - request encoding/decoding (framed and legacy) and frame I/O. */
#include "protocol.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xalloc.h"

#define FIELD_ABSENT 0xffffu
#define REQUEST_FIXED_LEN 8u   /* version, cmd, flags */

static const char *const status_text[ST_COUNT] = {
    [ST_OK] = "",
    [ST_INVAL] = "error: invalid parameters",
    [ST_PRO_EXISTED] = "error: project has been existed",
    [ST_PRO_STARTED] = "error: project has been started",
    [ST_PRO_STOPPED] = "error: project has been stopped",
    [ST_PRO_NOEXIST] = "error: project is not exist",
    [ST_ENG_EXISTED] = "error: engine has been existed",
    [ST_ENG_NOEXIST] = "error: engine is not exist",
    [ST_TASK_EXISTED] = "error: task has been existed",
    [ST_TASK_NOEXIST] = "error: task is not exist",
    [ST_INTER_ERR] = "error: etmemd has internal error, see reason details in messages",
    [ST_PERM] = "error: permission denied",
    [ST_BUSY] = "error: etmemd is busy",
    [ST_PROTO] = "error: malformed request",
};

static const char *const cmd_name[CMD_COUNT] = {
    [CMD_OBJ_ADD] = "obj add",
    [CMD_OBJ_DEL] = "obj del",
    [CMD_PROJ_START] = "project start",
    [CMD_PROJ_STOP] = "project stop",
    [CMD_PROJ_SHOW] = "project show",
    [CMD_ENG_CMD] = "engine",
    [CMD_METRICS] = "metrics",
    [CMD_OBJ_UPDATE] = "obj update",
};

/* Legacy request keys, in the fixed order the original client sends them. */
static const struct {
    const char *key;
    int field;          /* -1: the cmd number */
} legacy_keys[] = {
    { "proj_name", FIELD_PROJECT },
    { "file_name", FIELD_FILE },
    { "cmd", -1 },
    { "eng_name", FIELD_ENGINE },
    { "eng_cmd", FIELD_ENG_CMD },
    { "task_name", FIELD_TASK },
};

const char *etmem_status_text(enum etmem_status st)
{
    if ((unsigned)st >= ST_COUNT)
        return "error: unknown status";
    return status_text[st];
}

const char *etmem_cmd_name(enum etmem_cmd cmd)
{
    if ((unsigned)cmd >= CMD_COUNT)
        return "unknown";
    return cmd_name[cmd];
}

void request_free(struct etmem_request *req)
{
    for (int i = 0; i < FIELD_COUNT; i++) {
        free(req->field[i]);
        req->field[i] = NULL;
    }
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static uint16_t get16(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return v;
}

int request_encode(const struct etmem_request *req, uint8_t **buf, size_t *len)
{
    size_t total = REQUEST_FIXED_LEN;
    uint8_t *out, *p;

    for (int i = 0; i < FIELD_COUNT; i++) {
        total += 2;
        if (req->field[i] != NULL) {
            size_t flen = strlen(req->field[i]);

            if (flen > ETMEM_FIELD_MAX)
                return -1;
            total += flen;
        }
    }
    out = xmalloc(total);
    put16(out, req->version);
    put16(out + 2, req->cmd);
    memcpy(out + 4, &req->flags, sizeof(req->flags));
    p = out + REQUEST_FIXED_LEN;
    for (int i = 0; i < FIELD_COUNT; i++) {
        if (req->field[i] == NULL) {
            put16(p, FIELD_ABSENT);
            p += 2;
            continue;
        }
        size_t flen = strlen(req->field[i]);

        put16(p, (uint16_t)flen);
        memcpy(p + 2, req->field[i], flen);
        p += 2 + flen;
    }
    *buf = out;
    *len = total;
    return 0;
}

static int decode_fail(struct etmem_request *out, char *err, size_t errlen, const char *why)
{
    request_free(out);
    snprintf(err, errlen, "%s", why);
    return -1;
}

int request_decode(const uint8_t *buf, size_t len, struct etmem_request *out,
                   char *err, size_t errlen)
{
    size_t off = REQUEST_FIXED_LEN;

    memset(out, 0, sizeof(*out));
    if (len < REQUEST_FIXED_LEN)
        return decode_fail(out, err, errlen, "request shorter than its fixed header");
    out->version = get16(buf);
    out->cmd = get16(buf + 2);
    memcpy(&out->flags, buf + 4, sizeof(out->flags));
    if (out->version != ETMEM_PROTO_VERSION) {
        snprintf(err, errlen, "protocol version %u, this etmemd speaks version %u",
                 out->version, ETMEM_PROTO_VERSION);
        return -1;
    }
    if (out->cmd >= CMD_COUNT)
        return decode_fail(out, err, errlen, "unknown command number");
    if (out->flags & ~REQ_FLAGS_KNOWN)
        return decode_fail(out, err, errlen, "unknown request flags");
    for (int i = 0; i < FIELD_COUNT; i++) {
        uint16_t flen;

        if (len - off < 2)
            return decode_fail(out, err, errlen, "request truncated in a field length");
        flen = get16(buf + off);
        off += 2;
        if (flen == FIELD_ABSENT)
            continue;
        if (flen > ETMEM_FIELD_MAX || flen > len - off)
            return decode_fail(out, err, errlen, "request field longer than the request");
        if (memchr(buf + off, '\0', flen) != NULL)
            return decode_fail(out, err, errlen, "request field contains a NUL byte");
        out->field[i] = xstrndup((const char *)buf + off, flen);
        off += flen;
    }
    if (off != len)
        return decode_fail(out, err, errlen, "trailing bytes after the request");
    return 0;
}

/* The original daemon parsed "key<sep>value" pairs in fixed order, values up to a space. */
int legacy_request_decode(const char *buf, size_t len, struct etmem_request *out,
                          char *err, size_t errlen)
{
    size_t pos = 0;

    memset(out, 0, sizeof(*out));
    out->version = ETMEM_PROTO_VERSION;
    if (len > ETMEM_LEGACY_REQUEST_MAX || memchr(buf, '\0', len) != NULL)
        return decode_fail(out, err, errlen, "legacy request too long or contains NUL");
    for (size_t k = 0; k < sizeof(legacy_keys) / sizeof(legacy_keys[0]); k++) {
        size_t klen = strlen(legacy_keys[k].key), vstart, vend;

        if (len - pos < klen + 1 &&
            memcmp(buf + pos, legacy_keys[k].key, len - pos < klen ? len - pos : klen) == 0) {
            char why[64];

            snprintf(why, sizeof(why), "legacy request cut short at its %s key",
                     legacy_keys[k].key);
            return decode_fail(out, err, errlen, why);
        }
        if (len - pos < klen + 1 || memcmp(buf + pos, legacy_keys[k].key, klen) != 0 ||
            buf[pos + klen] != ' ')
            return decode_fail(out, err, errlen, "legacy request keys out of order");
        vstart = pos + klen + 1;
        vend = vstart;
        while (vend < len && buf[vend] != ' ')
            vend++;
        if (vend == vstart)
            return decode_fail(out, err, errlen, "legacy request has an empty value");
        if (legacy_keys[k].field < 0) {
            char num[16];
            char *end;
            long cmd;

            if (vend - vstart >= sizeof(num))
                return decode_fail(out, err, errlen, "legacy request command is not a number");
            memcpy(num, buf + vstart, vend - vstart);
            num[vend - vstart] = '\0';
            errno = 0;
            cmd = strtol(num, &end, 10);
            if (errno || *end || cmd < 0 || cmd >= CMD_LEGACY_COUNT)
                return decode_fail(out, err, errlen, "legacy request command is not known");
            out->cmd = (uint16_t)cmd;
        } else if (!(vend - vstart == 1 && buf[vstart] == '-')) {
            out->field[legacy_keys[k].field] = xstrndup(buf + vstart, vend - vstart);
        }
        pos = vend;
        if (pos < len)
            pos++;     /* the separating space */
    }
    if (pos != len)
        return decode_fail(out, err, errlen, "trailing text after the legacy request");
    return 0;
}

char *legacy_request_encode(const struct etmem_request *req)
{
    const char *v[FIELD_COUNT];
    char *line;

    for (int i = 0; i < FIELD_COUNT; i++)
        v[i] = req->field[i] ? req->field[i] : "-";
    xasprintf(&line, "proj_name %s file_name %s cmd %u eng_name %s eng_cmd %s task_name %s",
              v[FIELD_PROJECT], v[FIELD_FILE], req->cmd, v[FIELD_ENGINE], v[FIELD_ENG_CMD],
              v[FIELD_TASK]);
    return line;
}

bool frame_hdr_valid(const struct frame_hdr *hdr)
{
    return hdr->magic[0] == ETMEM_FRAME_MAGIC0 && hdr->magic[1] == ETMEM_FRAME_MAGIC1 &&
           hdr->type >= FRAME_REQUEST && hdr->type <= FRAME_END && hdr->reserved == 0;
}

int write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0 && errno == ENOTSOCK)
            n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        ssize_t n = read(fd, p, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -ECONNRESET;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int frame_write(int fd, enum frame_type type, const void *payload, size_t len)
{
    struct frame_hdr hdr = {
        .magic = { ETMEM_FRAME_MAGIC0, ETMEM_FRAME_MAGIC1 },
        .type = (uint8_t)type,
        .len = (uint32_t)len,
    };
    int rc;

    if (len > ETMEM_FRAME_MAX)
        return -EMSGSIZE;
    rc = write_all(fd, &hdr, sizeof(hdr));
    if (rc == 0 && len > 0)
        rc = write_all(fd, payload, len);
    return rc;
}

int frame_read(int fd, struct frame_hdr *hdr, uint8_t **payload, size_t max)
{
    uint8_t *buf;
    int rc = read_all(fd, hdr, sizeof(*hdr));

    *payload = NULL;
    if (rc < 0)
        return rc;
    if (!frame_hdr_valid(hdr))
        return -EPROTO;
    if (hdr->len > max)
        return -EMSGSIZE;
    buf = xmalloc((size_t)hdr->len + 1);
    rc = read_all(fd, buf, hdr->len);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    buf[hdr->len] = '\0';
    *payload = buf;
    return 0;
}

int socket_addr_abstract(const char *name, struct sockaddr_un *addr)
{
    size_t len = strlen(name);

    if (len == 0 || len > ETMEM_SOCKET_NAME_MAX)
        return -1;
    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    memcpy(addr->sun_path + 1, name, len);
    return (int)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}
