/* SPDX-License-Identifier: MulanPSL-2.0 */
/* test_protocol.c - the wire protocol: framed request round trips for every command and
 * every mix of present/absent fields, malformed requests (each refused with a reason, never
 * a crash), the original client's one-line request, frame I/O over a socketpair, the
 * abstract socket address and the status texts a legacy client expects. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "protocol.h"

static unsigned cases_run;

/* Field values tried in every field position. */
static const char *const field_values[] = {
    "p", "with space", "-leading-dash", "-", "", "caf\xc3\xa9", "/etc/etmem/slide_conf.yaml",
    NULL,   /* + one of ETMEM_FIELD_MAX characters, added at run time */
};

static char *longest_field(void)
{
    char *s = malloc(ETMEM_FIELD_MAX + 1);

    assert_non_null(s);
    memset(s, 'f', ETMEM_FIELD_MAX);
    s[ETMEM_FIELD_MAX] = '\0';
    return s;
}

static void assert_same_request(const struct etmem_request *a, const struct etmem_request *b)
{
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->cmd, b->cmd);
    assert_int_equal(a->flags, b->flags);
    for (int i = 0; i < FIELD_COUNT; i++) {
        if (a->field[i] == NULL)
            assert_null(b->field[i]);
        else
            assert_string_equal(a->field[i], b->field[i]);
    }
}

/* A request with the fields of mask set to value (the others absent). */
static struct etmem_request make_request(unsigned cmd, unsigned mask, const char *value,
                                         uint32_t flags)
{
    struct etmem_request req = { .version = ETMEM_PROTO_VERSION, .cmd = (uint16_t)cmd,
                                 .flags = flags };

    for (int i = 0; i < FIELD_COUNT; i++)
        req.field[i] = (mask & (1u << i)) ? (char *)value : NULL;
    return req;
}

static void round_trip(const struct etmem_request *req)
{
    struct etmem_request out;
    uint8_t *buf;
    size_t len;
    char err[128] = "";

    assert_int_equal(request_encode(req, &buf, &len), 0);
    if (request_decode(buf, len, &out, err, sizeof(err)) != 0) {
        print_message("decode failed: %s\n", err);
        fail();
    }
    assert_same_request(req, &out);
    request_free(&out);
    free(buf);
    cases_run++;
}

static void test_round_trip_every_command_and_field(void **state)
{
    char *longest = longest_field();

    for (unsigned cmd = 0; cmd < CMD_COUNT; cmd++) {
        for (unsigned mask = 0; mask < (1u << FIELD_COUNT); mask++) {
            for (int v = 0; ; v++) {
                const char *value = field_values[v] ? field_values[v] : longest;

                for (uint32_t flags = 0; flags <= REQ_FLAGS_KNOWN; flags++) {
                    struct etmem_request req = make_request(cmd, mask, value, flags);

                    round_trip(&req);
                }
                if (field_values[v] == NULL)
                    break;
            }
        }
    }
    free(longest);
}

/* Each field on its own with a distinct value, so that fields cannot be swapped. */
static void test_fields_keep_their_place(void **state)
{
    struct etmem_request req = { .version = ETMEM_PROTO_VERSION, .cmd = CMD_ENG_CMD,
                                 .field = { "proj", "/f", "eng", "showtaskpages", "task" } };

    round_trip(&req);
}

static void test_encode_refuses_overlong_field(void **state)
{
    char *longest = longest_field(), *over = malloc(ETMEM_FIELD_MAX + 2);
    struct etmem_request req = make_request(CMD_OBJ_ADD, 1u << FIELD_FILE, over, 0);
    uint8_t *buf = NULL;
    size_t len = 0;

    memcpy(over, longest, ETMEM_FIELD_MAX);
    strcpy(over + ETMEM_FIELD_MAX, "x");
    assert_int_equal(request_encode(&req, &buf, &len), -1);
    assert_null(buf);
    free(over);
    free(longest);
}

/* ---- malformed framed requests ---- */

static void expect_decode_error(const uint8_t *buf, size_t len, const char *reason)
{
    struct etmem_request out;
    char err[256] = "";
    uint8_t *copy = malloc(len ? len : 1);     /* exact size: ASan sees any overread */

    memcpy(copy, buf, len);
    assert_int_equal(request_decode(copy, len, &out, err, sizeof(err)), -1);
    for (int i = 0; i < FIELD_COUNT; i++)
        assert_null(out.field[i]);
    if (reason != NULL && strcmp(err, reason) != 0) {
        print_message("expected reason '%s', got '%s'\n", reason, err);
        fail();
    }
    assert_true(err[0] != '\0');
    request_free(&out);
    free(copy);
    cases_run++;
}

static void encode_full(uint8_t **buf, size_t *len)
{
    struct etmem_request req = { .version = ETMEM_PROTO_VERSION, .cmd = CMD_ENG_CMD,
                                 .flags = REQ_FLAG_JSON,
                                 .field = { "proj", "/f", "eng", "cmd", "task" } };

    assert_int_equal(request_encode(&req, buf, len), 0);
}

static void test_truncated_at_every_byte(void **state)
{
    uint8_t *buf;
    size_t len;

    encode_full(&buf, &len);
    for (size_t cut = 0; cut < len; cut++)
        expect_decode_error(buf, cut, NULL);
    free(buf);
}

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, sizeof(v));
}

static void test_malformed_requests(void **state)
{
    static const uint16_t versions[] = { 0, ETMEM_PROTO_VERSION + 1, 0xffff };
    static const uint16_t cmds[] = { CMD_COUNT, CMD_COUNT + 1, 0x7fff, 0xffff };
    static const uint32_t flags[] = { 0x2, 0x80000000u, ~REQ_FLAGS_KNOWN };
    uint8_t *buf, *big;
    size_t len;
    char reason[128];

    encode_full(&buf, &len);
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        put16(buf, versions[i]);
        snprintf(reason, sizeof(reason), "protocol version %u, this etmemd speaks version %u",
                 versions[i], ETMEM_PROTO_VERSION);
        expect_decode_error(buf, len, reason);
    }
    put16(buf, ETMEM_PROTO_VERSION);
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        put16(buf + 2, cmds[i]);
        expect_decode_error(buf, len, "unknown command number");
    }
    put16(buf + 2, CMD_ENG_CMD);
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        put32(buf + 4, flags[i]);
        expect_decode_error(buf, len, "unknown request flags");
    }
    put32(buf + 4, 0);
    /* the first field ("proj", at offset 8) claims more bytes than follow */
    for (uint16_t flen = 5; flen < 40; flen += 34) {
        put16(buf + 8, (uint16_t)(len - 10 + flen));
        expect_decode_error(buf, len, "request field longer than the request");
    }
    put16(buf + 8, ETMEM_FIELD_MAX + 1);
    expect_decode_error(buf, len, "request field longer than the request");
    put16(buf + 8, 4);
    buf[11] = '\0';     /* "pr\0j" */
    expect_decode_error(buf, len, "request field contains a NUL byte");
    buf[11] = 'o';
    big = malloc(len + 1);
    memcpy(big, buf, len);
    big[len] = 'x';
    expect_decode_error(big, len + 1, "trailing bytes after the request");
    expect_decode_error(buf, 0, "request shorter than its fixed header");
    expect_decode_error(buf, 9, "request truncated in a field length");
    free(big);
    free(buf);
}

/* A field of exactly ETMEM_FIELD_MAX is fine; one past it is refused even when present. */
static void test_field_length_limit_on_decode(void **state)
{
    size_t len = 8 + 2 + ETMEM_FIELD_MAX + 1 + 4 * 2;
    uint8_t *buf = calloc(1, len);
    struct etmem_request out;
    char err[128];

    put16(buf, ETMEM_PROTO_VERSION);
    put16(buf + 2, CMD_OBJ_ADD);
    put16(buf + 8, ETMEM_FIELD_MAX + 1);
    memset(buf + 10, 'a', ETMEM_FIELD_MAX + 1);
    for (int i = 1; i < FIELD_COUNT; i++)
        put16(buf + 10 + ETMEM_FIELD_MAX + 1 + 2 * (i - 1), 0xffff);
    expect_decode_error(buf, len, "request field longer than the request");
    put16(buf + 8, ETMEM_FIELD_MAX);
    memmove(buf + 10 + ETMEM_FIELD_MAX, buf + 10 + ETMEM_FIELD_MAX + 1, 4 * 2);
    assert_int_equal(request_decode(buf, len - 1, &out, err, sizeof(err)), 0);
    assert_int_equal(strlen(out.field[FIELD_PROJECT]), ETMEM_FIELD_MAX);
    request_free(&out);
    free(buf);
}

/* ---- the original client's one-line request ---- */

static void legacy_round_trip(const struct etmem_request *req)
{
    char *line = legacy_request_encode(req);
    struct etmem_request out;
    char err[128] = "";

    if (legacy_request_decode(line, strlen(line), &out, err, sizeof(err)) != 0) {
        print_message("'%s': %s\n", line, err);
        fail();
    }
    assert_same_request(req, &out);
    request_free(&out);
    free(line);
    cases_run++;
}

static void test_legacy_round_trip(void **state)
{
    static const char *const values[] = { "p", "-dash", "/etc/etmem/x.yaml", "a.b_c%d", NULL };

    for (unsigned cmd = 0; cmd < CMD_LEGACY_COUNT; cmd++) {
        for (unsigned mask = 0; mask < (1u << FIELD_COUNT); mask++) {
            for (int v = 0; values[v] != NULL; v++) {
                struct etmem_request req = make_request(cmd, mask, values[v], 0);

                legacy_round_trip(&req);
            }
        }
    }
}

static void test_legacy_exact_line(void **state)
{
    struct etmem_request req = { .version = ETMEM_PROTO_VERSION, .cmd = CMD_PROJ_SHOW,
                                 .field = { [FIELD_PROJECT] = "test" } };
    char *line = legacy_request_encode(&req);

    assert_string_equal(line, "proj_name test file_name - cmd 4 eng_name - eng_cmd - "
                              "task_name -");
    free(line);
}

struct legacy_case {
    const char *line;
    const char *reason;         /* NULL: decodes */
    unsigned cmd;
    const char *project;        /* expected FIELD_PROJECT when it decodes */
};

#define KEYS_ORDER "legacy request keys out of order"
#define TAIL " eng_name - eng_cmd - task_name -"

static const struct legacy_case legacy_cases[] = {
    { "proj_name p file_name - cmd 2" TAIL, NULL, 2, "p" },
    { "proj_name - file_name - cmd 4" TAIL, NULL, 4, NULL },
    { "proj_name -x file_name - cmd 4" TAIL, NULL, 4, "-x" },
    { "proj_name p file_name - cmd 02" TAIL, NULL, 2, "p" },
    { "proj_name p file_name - cmd +3" TAIL, NULL, 3, "p" },
    { "file_name - proj_name p cmd 2" TAIL, KEYS_ORDER, 0, NULL },
    { "proj_name p file_name - cmd 2 eng_cmd - eng_name - task_name -", KEYS_ORDER, 0, NULL },
    { "proj_name p file_name - cmd 2" " eng_name - eng_cmd -",
      "legacy request cut short at its task_name key", 0, NULL },
    { "proj_name p file_name - cmd 2" " eng_name - eng_cmd - task_na",
      "legacy request cut short at its task_name key", 0, NULL },
    { "proj_name p file_name - cmd 4", "legacy request cut short at its eng_name key", 0, NULL },
    { "proj_name p file_name - cmd 2" " eng_name - eng_cmd - tusk", KEYS_ORDER, 0, NULL },
    { "proj_name  file_name - cmd 2" TAIL, "legacy request has an empty value", 0, NULL },
    { "proj_name p file_name - cmd" TAIL, "legacy request command is not known", 0, NULL },
    { "proj_name p file_name - cmd x" TAIL, "legacy request command is not known", 0, NULL },
    { "proj_name p file_name - cmd 1x" TAIL, "legacy request command is not known", 0, NULL },
    { "proj_name p file_name - cmd -1" TAIL, "legacy request command is not known", 0, NULL },
    { "proj_name p file_name - cmd 6" TAIL, "legacy request command is not known", 0, NULL },
    { "proj_name p file_name - cmd 99999999999999999999" TAIL,
      "legacy request command is not a number", 0, NULL },
    { "proj_name p file_name - cmd 2" TAIL " extra", "trailing text after the legacy request",
      0, NULL },
    { "proj_name\tp file_name - cmd 2" TAIL, KEYS_ORDER, 0, NULL },
    { "PROJ_NAME p file_name - cmd 2" TAIL, KEYS_ORDER, 0, NULL },
    { "", "legacy request cut short at its proj_name key", 0, NULL },
    { "proj_name", "legacy request cut short at its proj_name key", 0, NULL },
};

static void test_legacy_malformed_and_odd(void **state)
{
    for (size_t i = 0; i < sizeof(legacy_cases) / sizeof(legacy_cases[0]); i++) {
        const struct legacy_case *c = &legacy_cases[i];
        size_t len = strlen(c->line);
        char *copy = malloc(len ? len : 1);    /* not NUL-terminated, as off the socket */
        struct etmem_request out;
        char err[128] = "";
        int rc;

        memcpy(copy, c->line, len);
        rc = legacy_request_decode(copy, len, &out, err, sizeof(err));
        cases_run++;
        if (c->reason == NULL) {
            if (rc != 0)
                print_message("'%s': %s\n", c->line, err);
            assert_int_equal(rc, 0);
            assert_int_equal(out.cmd, c->cmd);
            if (c->project)
                assert_string_equal(out.field[FIELD_PROJECT], c->project);
            else
                assert_null(out.field[FIELD_PROJECT]);
        } else {
            if (rc != -1 || strcmp(err, c->reason) != 0)
                print_message("'%s': expected '%s', got rc %d '%s'\n", c->line, c->reason, rc,
                              err);
            assert_int_equal(rc, -1);
            assert_string_equal(err, c->reason);
            for (int f = 0; f < FIELD_COUNT; f++)
                assert_null(out.field[f]);
        }
        request_free(&out);
        free(copy);
    }
}

/* The original client's send buffer: 512 bytes are fine, 513 are not; a NUL is refused;
 * so is a truncation at any byte that leaves a key or value cut. */
static void test_legacy_limits(void **state)
{
    const char *head = "proj_name p file_name /", *tail = " cmd 0" TAIL;
    size_t fixed = strlen(head) + strlen(tail);
    char line[ETMEM_LEGACY_REQUEST_MAX + 2];
    struct etmem_request out;
    char err[128];

    for (size_t total = ETMEM_LEGACY_REQUEST_MAX; total <= ETMEM_LEGACY_REQUEST_MAX + 1;
         total++) {
        size_t path = total - fixed;

        memcpy(line, head, strlen(head));
        memset(line + strlen(head), 'f', path);
        memcpy(line + strlen(head) + path, tail, strlen(tail));
        assert_int_equal(legacy_request_decode(line, total, &out, err, sizeof(err)),
                         total <= ETMEM_LEGACY_REQUEST_MAX ? 0 : -1);
        if (total > ETMEM_LEGACY_REQUEST_MAX)
            assert_string_equal(err, "legacy request too long or contains NUL");
        else
            assert_int_equal(strlen(out.field[FIELD_FILE]), path + 1);
        request_free(&out);
        cases_run++;
    }
    strcpy(line, "proj_name p file_name - cmd 0" TAIL);
    line[10] = '\0';
    assert_int_equal(legacy_request_decode(line, strlen("proj_name p file_name - cmd 0" TAIL),
                                           &out, err, sizeof(err)), -1);
    assert_string_equal(err, "legacy request too long or contains NUL");
    strcpy(line, "proj_name p file_name - cmd 0" TAIL);
    for (size_t cut = 0; cut < strlen(line); cut++) {
        /* every cut leaves a key missing, or a value cut short where the next key is due */
        if (legacy_request_decode(line, cut, &out, err, sizeof(err)) == 0) {
            print_message("decoded a request cut at %zu: '%.*s'\n", cut, (int)cut, line);
            fail();
        }
        request_free(&out);
        cases_run++;
    }
}

/* ---- frames over a socketpair ---- */

struct pair {
    int w, r;
};

static int open_pair(void **state)
{
    static struct pair p;
    int sv[2];

    int big = 4 << 20;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    /* room for every frame a test writes before it reads: no test can block */
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    p.w = sv[0];
    p.r = sv[1];
    *state = &p;
    return 0;
}

static int close_pair(void **state)
{
    struct pair *p = *state;

    if (p->w >= 0)
        close(p->w);
    close(p->r);
    return 0;
}

static void test_frame_round_trip(void **state)
{
    struct pair *p = *state;
    static const char text[] = "project: test\n\xff\xfe any byte goes";
    uint8_t *big = malloc(ETMEM_FRAME_MAX), *payload;
    struct frame_hdr hdr;

    memset(big, 0xfe, ETMEM_FRAME_MAX);
    assert_int_equal(frame_write(p->w, FRAME_OUT, text, sizeof(text) - 1), 0);
    assert_int_equal(frame_write(p->w, FRAME_END, NULL, 0), 0);
    assert_int_equal(frame_write(p->w, FRAME_ERR, big, ETMEM_FRAME_MAX), 0);
    assert_int_equal(frame_write(p->w, FRAME_ERR, big, ETMEM_FRAME_MAX + 1), -EMSGSIZE);

    assert_int_equal(frame_read(p->r, &hdr, &payload, ETMEM_FRAME_MAX), 0);
    assert_int_equal(hdr.type, FRAME_OUT);
    assert_int_equal(hdr.len, sizeof(text) - 1);
    assert_memory_equal(payload, text, sizeof(text) - 1);
    assert_int_equal(payload[hdr.len], '\0');
    free(payload);
    assert_int_equal(frame_read(p->r, &hdr, &payload, ETMEM_FRAME_MAX), 0);
    assert_int_equal(hdr.type, FRAME_END);
    assert_int_equal(hdr.len, 0);
    free(payload);
    assert_int_equal(frame_read(p->r, &hdr, &payload, ETMEM_FRAME_MAX), 0);
    assert_memory_equal(payload, big, ETMEM_FRAME_MAX);
    free(payload);
    free(big);
}

/* Write raw header bytes (and maybe part of a payload), close, and read. */
static int read_raw(struct pair *p, const struct frame_hdr *hdr, size_t hdr_bytes,
                    const void *body, size_t body_bytes, size_t max)
{
    uint8_t *payload = (uint8_t *)"untouched";
    struct frame_hdr got;
    int rc;

    assert_int_equal(write_all(p->w, hdr, hdr_bytes), 0);
    if (body_bytes)
        assert_int_equal(write_all(p->w, body, body_bytes), 0);
    close(p->w);
    p->w = -1;
    rc = frame_read(p->r, &got, &payload, max);
    if (rc < 0)
        assert_null(payload);
    else
        free(payload);
    cases_run++;
    return rc;
}

static struct frame_hdr good_hdr(uint8_t type, uint32_t len)
{
    return (struct frame_hdr){ .magic = { 'E', 'M' }, .type = type, .len = len };
}

static void test_frame_bad_magic(void **state)
{
    struct frame_hdr hdr = good_hdr(FRAME_OUT, 0);

    hdr.magic[1] = 'X';
    assert_int_equal(read_raw(*state, &hdr, sizeof(hdr), NULL, 0, 100), -EPROTO);
}

static void test_frame_bad_type(void **state)
{
    struct frame_hdr hdr = good_hdr(FRAME_END + 1, 0);

    assert_int_equal(read_raw(*state, &hdr, sizeof(hdr), NULL, 0, 100), -EPROTO);
}

static void test_frame_reserved_set(void **state)
{
    struct frame_hdr hdr = good_hdr(FRAME_OUT, 0);

    hdr.reserved = 1;
    assert_int_equal(read_raw(*state, &hdr, sizeof(hdr), NULL, 0, 100), -EPROTO);
}

static void test_frame_oversize(void **state)
{
    struct frame_hdr hdr = good_hdr(FRAME_REQUEST, 101);

    assert_int_equal(read_raw(*state, &hdr, sizeof(hdr), NULL, 0, 100), -EMSGSIZE);
}

static void test_frame_huge_length(void **state)
{
    struct frame_hdr hdr = good_hdr(FRAME_REQUEST, UINT32_MAX);

    assert_int_equal(read_raw(*state, &hdr, sizeof(hdr), NULL, 0, ETMEM_FRAME_MAX), -EMSGSIZE);
}

static void test_frame_eof_in_header(void **state)
{
    struct frame_hdr hdr = good_hdr(FRAME_OUT, 4);

    assert_int_equal(read_raw(*state, &hdr, sizeof(hdr) - 1, NULL, 0, 100), -ECONNRESET);
}

static void test_frame_eof_in_payload(void **state)
{
    struct frame_hdr hdr = good_hdr(FRAME_OUT, 10);

    assert_int_equal(read_raw(*state, &hdr, sizeof(hdr), "12345", 5, 100), -ECONNRESET);
}

static void test_frame_eof_before_anything(void **state)
{
    assert_int_equal(read_raw(*state, NULL, 0, NULL, 0, 100), -ECONNRESET);
}

/* The peer went away: an error, not SIGPIPE. */
static void test_write_to_closed_peer(void **state)
{
    struct pair *p = *state;

    close(p->r);
    p->r = open("/dev/null", O_RDONLY);
    assert_int_equal(frame_write(p->w, FRAME_OUT, "x", 1), -EPIPE);
}

/* write_all/read_all also work on pipes (not sockets). */
static void test_pipe_io(void **state)
{
    int fds[2];
    char buf[6] = "";

    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write_all(fds[1], "hello", 5), 0);
    close(fds[1]);
    assert_int_equal(read_all(fds[0], buf, 5), 0);
    assert_string_equal(buf, "hello");
    assert_int_equal(read_all(fds[0], buf, 1), -ECONNRESET);
    close(fds[0]);
    assert_int_equal(read_all(-1, buf, 1), -EBADF);
}

/* ---- addresses and texts ---- */

static void test_socket_addr_abstract(void **state)
{
    char name[ETMEM_SOCKET_NAME_MAX + 2];
    struct sockaddr_un addr;

    memset(name, 's', sizeof(name));
    name[ETMEM_SOCKET_NAME_MAX] = '\0';
    assert_int_equal(socket_addr_abstract(name, &addr),
                     offsetof(struct sockaddr_un, sun_path) + 1 + ETMEM_SOCKET_NAME_MAX);
    assert_int_equal(addr.sun_family, AF_UNIX);
    assert_int_equal(addr.sun_path[0], '\0');
    assert_memory_equal(addr.sun_path + 1, name, ETMEM_SOCKET_NAME_MAX);
    name[ETMEM_SOCKET_NAME_MAX] = 's';
    name[ETMEM_SOCKET_NAME_MAX + 1] = '\0';
    assert_int_equal(socket_addr_abstract(name, &addr), -1);
    assert_int_equal(socket_addr_abstract("", &addr), -1);
    assert_int_equal(socket_addr_abstract("etmemd_socket", &addr),
                     offsetof(struct sockaddr_un, sun_path) + 1 + strlen("etmemd_socket"));
}

static void test_status_and_command_texts(void **state)
{
    /* the original's enum opt_result texts, which legacy clients print */
    static const char *const original[] = {
        "", "error: invalid parameters", "error: project has been existed",
        "error: project has been started", "error: project has been stopped",
        "error: project is not exist", "error: engine has been existed",
        "error: engine is not exist", "error: task has been existed",
        "error: task is not exist",
        "error: etmemd has internal error, see reason details in messages",
    };

    for (int st = 0; st <= ST_INTER_ERR; st++)
        assert_string_equal(etmem_status_text(st), original[st]);
    for (int st = ST_INTER_ERR + 1; st < ST_COUNT; st++)
        assert_true(strncmp(etmem_status_text(st), "error: ", 7) == 0);
    assert_string_equal(etmem_status_text(ST_COUNT), "error: unknown status");
    assert_string_equal(etmem_status_text((enum etmem_status)-1), "error: unknown status");
    for (int cmd = 0; cmd < CMD_COUNT; cmd++)
        assert_string_not_equal(etmem_cmd_name(cmd), "unknown");
    assert_string_equal(etmem_cmd_name(CMD_OBJ_ADD), "obj add");
    assert_string_equal(etmem_cmd_name(CMD_COUNT), "unknown");
}

static int report_count(void **state)
{
    print_message("[ info ] %u generated cases\n", cases_run);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_command_and_field),
        cmocka_unit_test(test_fields_keep_their_place),
        cmocka_unit_test(test_encode_refuses_overlong_field),
        cmocka_unit_test(test_truncated_at_every_byte),
        cmocka_unit_test(test_malformed_requests),
        cmocka_unit_test(test_field_length_limit_on_decode),
        cmocka_unit_test(test_legacy_round_trip),
        cmocka_unit_test(test_legacy_exact_line),
        cmocka_unit_test(test_legacy_malformed_and_odd),
        cmocka_unit_test(test_legacy_limits),
        cmocka_unit_test_setup_teardown(test_frame_round_trip, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_bad_magic, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_bad_type, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_reserved_set, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_oversize, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_huge_length, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_eof_in_header, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_eof_in_payload, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_frame_eof_before_anything, open_pair, close_pair),
        cmocka_unit_test_setup_teardown(test_write_to_closed_peer, open_pair, close_pair),
        cmocka_unit_test(test_pipe_io),
        cmocka_unit_test(test_socket_addr_abstract),
        cmocka_unit_test(test_status_and_command_texts),
    };

    return cmocka_run_group_tests(tests, NULL, report_count);
}
