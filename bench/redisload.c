/* SPDX-License-Identifier: MulanPSL-2.0 */
/* redisload.c - a skewed, verifiable load for a redis-server on loopback, for bench/run and
 * the Redis end-to-end test (Debian 12 has no zipfian/hot-set Redis load generator).
 *
 * Keys are "k:<id>", id in [0, --keys). The value of key id is --value-size bytes made from
 * a PRNG seeded with hash(id, --seed), checkable without keeping a copy: with --values
 * random (the default) the PRNG's bytes, incompressible (zram cannot flatter the savings);
 * with --values records a JSON-like record (user fields and a list of items with names
 * from a fixed vocabulary), which compresses 2-4x like typical cache data.
 * Modes, run in this order when several are given:
 *   --load      SET every key, pipelined; prints `loaded keys=N bytes=B secs=S`.
 *   --run S     GETs (and --write-pct % SETs of the same value) for S seconds, at most
 *               --max-ops operations, one request in flight (closed loop) or paced to --rate.
 *               Keys: --dist hotspot:KEYS:OPS (default 10:99: OPS % of the operations go to
 *               KEYS % of the keys, which come in chunks of --hot-chunk consecutive ids placed
 *               at random, like hot objects scattered over a heap; the rest go to the other
 *               keys), zipf:THETA (ranks in chunks of --hot-chunk consecutive ids, the
 *               chunks placed at random), or uniform. --drift SECS:PCT (zipf): every SECS
 *               seconds the ranking moves by PCT % of the keys, so the hottest keys fall
 *               cold and warm ones become the hottest: a hot set that shifts. Every --report seconds:
 *               `t=S ops/s=N p50_us=X p99_us=X srv_slow5us=F srv_calls=N bad=N`, then a
 *               `summary ...` line. p50/p99 are client round trips (±3 %); srv_slow5us is the
 *               share of GETs that took >= 5 us inside redis (its LATENCY HISTOGRAM; -1 when
 *               the server has none): the page-fault tail that loopback round trips hide.
 *   --verify    GET every key and compare; `verify ok keys=N` or `verify FAILED key=...`.
 *   --hot-list  print the hot keys' id ranges (`hot FIRST-LAST` per chunk run) and exit.
 *   --sample N  write the values of keys 0..N-1 to stdout, back to back, and exit (to
 *               measure how they compress).
 *   --idle-gaps S  no server: draw the keys --run would ask for over S seconds at --rate
 *               ops/s (the same chooser, --dist and --drift), group ids by --keys-per-page
 *               (default 4: ~1000-byte values sit in the allocator's 1 KiB class, loaded in
 *               id order), and print how long pages stay untouched: the longest gap per
 *               page (percentiles, and how many pages ever stayed untouched 50 minutes),
 *               and for a policy that pages a page out after it stayed untouched TAU s,
 *               the share of page-time out and the refaults per minute (% of the pages
 *               left resident) it costs: what any access-based policy can at best get.
 * Exit status: 0, 1 when a value read back wrong or the server failed, 2 for bad usage.
 * Only loopback addresses are accepted; everything is bounded in count and time. */
#include <errno.h>
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUN_SECS 3600
#define MAX_KEYS (64u << 20)
#define MAX_VALUE (1u << 20)
#define PIPELINE 256
#define HIST_SUB 32 /* sub-buckets per power of two: ~3 % resolution */
#define HIST_BUCKETS (48 * HIST_SUB)

enum dist_kind { DIST_HOTSPOT, DIST_ZIPF, DIST_UNIFORM };
enum value_kind { VALUES_RANDOM, VALUES_RECORDS };

struct options {
    const char *host;
    int port;
    uint32_t keys;
    uint32_t value_size;
    uint64_t seed;
    bool load, verify, hot_list;
    enum value_kind values;
    uint32_t sample, keys_per_page;
    double idle_secs;
    double drift_secs, drift_pct;
    double run_secs, rate, report;
    uint64_t max_ops;
    int write_pct;
    enum dist_kind dist;
    double hot_keys_pct, hot_ops_pct, theta;
    uint32_t hot_chunk;
};

/* The key chooser: hot and cold id lists (hotspot) or the zipf constants. */
struct keyspace {
    uint32_t *hot, *cold;
    uint32_t nhot, ncold;
    double zipf_alpha, zipf_zetan, zipf_eta, zipf_theta;
    uint32_t nchunks, chunk_step;   /* zipf: chunk c of the ranking is chunk c*step % n */
    uint32_t rank_shift;            /* zipf: what --drift has moved the ranking by */
};

struct latency_hist {
    uint64_t count[HIST_BUCKETS];
    uint64_t n;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ---- deterministic values ---- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void value_fill_random(char *buf, uint32_t len, uint64_t s)
{
    for (uint32_t i = 0; i < len; i += 8) {
        uint64_t w = mix64(s + i);
        uint32_t n = len - i < 8 ? len - i : 8;

        memcpy(buf + i, &w, n);
    }
}

static const char *const vocabulary[] = {
    "the", "of", "and", "to", "in", "order", "customer", "account", "payment", "shipping",
    "address", "status", "pending", "delivered", "returned", "product", "price", "discount",
    "quantity", "warehouse", "region", "north", "south", "east", "west", "premium", "basic",
    "standard", "session", "token", "expires", "created", "updated", "profile", "settings",
    "language", "english", "german", "french", "spanish", "mobile", "desktop", "browser",
    "version", "release", "notes", "review", "rating", "excellent", "good", "average", "poor",
    "recommend", "again", "service", "support", "ticket", "resolved", "open", "closed",
    "priority", "high", "low", "medium", "category", "books", "music", "garden", "kitchen",
    "sports", "toys", "electronics", "clothing", "shoes", "beauty", "health", "travel",
    "hotel", "flight", "booking", "confirmed", "cancelled", "refund", "invoice", "tax",
};
static const char *const countries[] = { "DE", "FR", "ES", "IT", "NL", "SE", "PL", "CN",
                                          "JP", "US", "BR", "IN" };
#define NWORDS (sizeof(vocabulary) / sizeof(vocabulary[0]))

/* A JSON-like record of exactly len bytes: the fields, then a list of items (the shape of
 * an order or a session in a cache) to the end, cut short where the record is, closed by
 * "}. Field names repeat and values come from small sets, as in real records. */
static void value_fill_record(char *buf, uint32_t len, uint32_t id, uint64_t s)
{
    char part[384];
    uint32_t n = 0;
    int pl = snprintf(part, sizeof(part), "{\"id\":%u,\"user\":\"user%07u\",\"email\":"
                      "\"user%u@example.com\",\"country\":\"%s\",\"score\":%u,\"active\":%s,"
                      "\"created\":\"2026-%02u-%02uT%02u:%02u:00Z\",\"status\":\"%s\","
                      "\"items\":[", id, (uint32_t)(mix64(s) % 10000000u), id,
                      countries[mix64(s + 1) % (sizeof(countries) / sizeof(countries[0]))],
                      (uint32_t)(mix64(s + 2) % 100000u), mix64(s + 3) & 1 ? "true" : "false",
                      (uint32_t)(mix64(s + 4) % 12 + 1), (uint32_t)(mix64(s + 5) % 28 + 1),
                      (uint32_t)(mix64(s + 6) % 24), (uint32_t)(mix64(s + 7) % 60),
                      vocabulary[mix64(s + 8) % NWORDS]);

    for (uint64_t k = 9; n < len; k += 4) {
        uint32_t take = (uint32_t)pl < len - n ? (uint32_t)pl : len - n;

        memcpy(buf + n, part, take);
        n += take;
        pl = snprintf(part, sizeof(part), "{\"sku\":\"SKU-%05u\",\"name\":\"%s %s\",\"qty\":%u,"
                      "\"price\":%u.%02u},", (uint32_t)(mix64(s + k) % 100000u),
                      vocabulary[mix64(s + k + 1) % NWORDS], vocabulary[mix64(s + k + 2) % NWORDS],
                      (uint32_t)(mix64(s + k + 3) % 9 + 1), (uint32_t)(mix64(s + k + 3) >> 8) % 500u,
                      (uint32_t)(mix64(s + k + 3) >> 20) % 100u);
    }
    if (len >= 2)
        memcpy(buf + len - 2, "]}", 2);
}

static void value_fill(char *buf, uint32_t len, uint32_t id, const struct options *o)
{
    uint64_t s = mix64(((uint64_t)id << 32) ^ o->seed);

    if (o->values == VALUES_RECORDS)
        value_fill_record(buf, len, id, s);
    else
        value_fill_random(buf, len, s);
}

static int key_format(char *buf, size_t len, uint32_t id)
{
    return snprintf(buf, len, "k:%u", id);
}

/* ---- random numbers for the load (xorshift64*) ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* ---- key choice ---- */

static bool chunk_is_hot(const struct options *o, uint32_t chunk)
{
    return (double)(mix64(chunk ^ (o->seed * 31 + 7)) % 100000) < o->hot_keys_pct * 1000.0;
}

static uint32_t gcd32(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;

        a = b;
        b = t;
    }
    return a;
}

static double zeta(uint32_t n, double theta)
{
    double sum = 0;

    for (uint32_t i = 1; i <= n; i++)
        sum += 1.0 / pow((double)i, theta);
    return sum;
}

static int keyspace_init(struct keyspace *ks, const struct options *o)
{
    memset(ks, 0, sizeof(*ks));
    if (o->dist == DIST_ZIPF) {
        double zeta2 = zeta(2, o->theta);

        ks->zipf_theta = o->theta;
        ks->zipf_zetan = zeta(o->keys, o->theta);
        ks->zipf_alpha = 1.0 / (1.0 - o->theta);
        ks->zipf_eta = (1.0 - pow(2.0 / o->keys, 1.0 - o->theta)) / (1.0 - zeta2 / ks->zipf_zetan);
        /* a step co-prime to the chunk count spreads the ranking's chunks over the ids
         * as a permutation */
        ks->nchunks = o->keys / o->hot_chunk;
        ks->chunk_step = ks->nchunks > 2 ? (uint32_t)((double)ks->nchunks * 0.618) : 1;
        while (ks->nchunks > 1 && gcd32(ks->chunk_step, ks->nchunks) != 1)
            ks->chunk_step++;
        return 0;
    }
    if (o->dist != DIST_HOTSPOT)
        return 0;
    ks->hot = malloc(sizeof(uint32_t) * o->keys);
    ks->cold = malloc(sizeof(uint32_t) * o->keys);
    if (!ks->hot || !ks->cold) {
        fprintf(stderr, "redisload: out of memory for %u keys\n", o->keys);
        return -1;
    }
    for (uint32_t id = 0; id < o->keys; id++) {
        if (chunk_is_hot(o, id / o->hot_chunk))
            ks->hot[ks->nhot++] = id;
        else
            ks->cold[ks->ncold++] = id;
    }
    return 0;
}

static void keyspace_free(struct keyspace *ks)
{
    free(ks->hot);
    free(ks->cold);
}

/* Gray et al., "Quickly generating billion-record synthetic databases" (as YCSB does). */
static uint32_t zipf_next(const struct keyspace *ks, uint32_t n)
{
    double u = rng_unit(), uz = u * ks->zipf_zetan;

    if (uz < 1.0)
        return 0;
    if (uz < 1.0 + pow(0.5, ks->zipf_theta))
        return 1;
    uint32_t r = (uint32_t)((double)n * pow(ks->zipf_eta * u - ks->zipf_eta + 1.0, ks->zipf_alpha));
    return r < n ? r : n - 1;
}

/* The id of the key at a rank: chunks of the ranking placed over the ids (the ids past the
 * last whole chunk keep their rank), after the drift's shift. */
static uint32_t zipf_id(const struct keyspace *ks, const struct options *o, uint32_t rank)
{
    uint32_t r = (uint32_t)(((uint64_t)rank + ks->rank_shift) % o->keys);
    uint32_t chunk = r / o->hot_chunk;

    if (chunk >= ks->nchunks)
        return r;
    return (uint32_t)((uint64_t)chunk * ks->chunk_step % ks->nchunks) * o->hot_chunk +
           r % o->hot_chunk;
}

static uint32_t keyspace_pick(const struct keyspace *ks, const struct options *o)
{
    switch (o->dist) {
    case DIST_ZIPF:
        return zipf_id(ks, o, zipf_next(ks, o->keys));
    case DIST_UNIFORM:
        return (uint32_t)(rng_next() % o->keys);
    case DIST_HOTSPOT:
        break;
    }
    bool hot = ks->ncold == 0 || (ks->nhot > 0 && rng_unit() * 100.0 < o->hot_ops_pct);
    return hot ? ks->hot[rng_next() % ks->nhot] : ks->cold[rng_next() % ks->ncold];
}

/* ---- latency histogram (log-linear, nanoseconds) ---- */

static int hist_bucket(uint64_t ns)
{
    if (ns < HIST_SUB)
        return (int)ns;
    int msb = 63 - __builtin_clzll(ns);
    int shift = msb - 5; /* log2(HIST_SUB) */
    int b = (msb - 4) * HIST_SUB + (int)((ns >> shift) & (HIST_SUB - 1));
    return b < HIST_BUCKETS ? b : HIST_BUCKETS - 1;
}

static double hist_bucket_mid(int b)
{
    if (b < HIST_SUB)
        return b;
    int msb = b / HIST_SUB + 4, shift = msb - 5;
    uint64_t lo = ((uint64_t)1 << msb) | ((uint64_t)(b % HIST_SUB) << shift);
    return (double)lo + (double)((uint64_t)1 << shift) / 2.0;
}

static void hist_add(struct latency_hist *h, uint64_t ns)
{
    h->count[hist_bucket(ns)]++;
    h->n++;
}

static double hist_quantile_us(const struct latency_hist *h, double q)
{
    uint64_t want = (uint64_t)(q * (double)h->n), cum = 0;

    for (int b = 0; b < HIST_BUCKETS; b++) {
        cum += h->count[b];
        if (cum > want)
            return hist_bucket_mid(b) / 1000.0;
    }
    return 0;
}

static void hist_merge(struct latency_hist *into, const struct latency_hist *h)
{
    for (int b = 0; b < HIST_BUCKETS; b++)
        into->count[b] += h->count[b];
    into->n += h->n;
}

/* ---- the connection ---- */

static double now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool host_is_loopback(const char *h)
{
    return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0;
}

static redisContext *server_connect(const struct options *o)
{
    struct timeval tv = { 10, 0 };
    redisContext *c = redisConnectWithTimeout(o->host, o->port, tv);

    if (c == NULL || c->err) {
        fprintf(stderr, "redisload: cannot connect to %s:%d: %s\n", o->host, o->port,
                c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return NULL;
    }
    if (redisSetTimeout(c, tv) != REDIS_OK) {
        fprintf(stderr, "redisload: cannot set the socket timeout: %s\n", c->errstr);
        redisFree(c);
        return NULL;
    }
    return c;
}

/* Read one reply; false (with a message) on a connection error or an error reply. */
static bool reply_get(redisContext *c, redisReply **out, const char *what)
{
    void *r = NULL;

    if (redisGetReply(c, &r) != REDIS_OK || r == NULL) {
        fprintf(stderr, "redisload: %s: %s\n", what, c->errstr[0] ? c->errstr : "no reply");
        return false;
    }
    *out = r;
    if ((*out)->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "redisload: %s: %s\n", what, (*out)->str);
        freeReplyObject(*out);
        return false;
    }
    return true;
}

static bool append_set(redisContext *c, uint32_t id, const char *val, uint32_t len)
{
    char key[32];
    int klen = key_format(key, sizeof(key), id);

    return redisAppendCommand(c, "SET %b %b", key, (size_t)klen, val, (size_t)len) == REDIS_OK;
}

static bool append_get(redisContext *c, uint32_t id)
{
    char key[32];
    int klen = key_format(key, sizeof(key), id);

    return redisAppendCommand(c, "GET %b", key, (size_t)klen) == REDIS_OK;
}

/* True when the GET reply holds key id's value. */
static bool value_matches(const redisReply *r, uint32_t id, const struct options *o, char *scratch)
{
    if (r->type != REDIS_REPLY_STRING || r->len != o->value_size)
        return false;
    value_fill(scratch, o->value_size, id, o);
    return memcmp(r->str, scratch, o->value_size) == 0;
}

/* ---- modes ---- */

/* One pipelined pass over every key: PIPELINE requests out, then their replies. append()
 * sends the request for key id; reply() judges its answer (false stops the pass). */
struct key_pass {
    const char *what;
    bool (*append)(redisContext *c, const struct options *o, uint32_t id, char *scratch);
    bool (*reply)(const redisReply *r, const struct options *o, uint32_t id, char *scratch);
};

static int keys_pass(redisContext *c, const struct options *o, const struct key_pass *kp)
{
    char *scratch = malloc(o->value_size);
    int rc = 0;

    if (!scratch)
        return 1;
    for (uint32_t first = 0; first < o->keys && rc == 0 && !stop_requested; first += PIPELINE) {
        uint32_t n = o->keys - first < PIPELINE ? o->keys - first : PIPELINE, sent = 0;

        while (sent < n && kp->append(c, o, first + sent, scratch))
            sent++;
        if (sent < n) {
            fprintf(stderr, "redisload: %s: %s\n", kp->what, c->errstr);
            rc = 1;
        }
        for (uint32_t i = 0; i < sent; i++) {
            redisReply *r;

            if (!reply_get(c, &r, kp->what)) {
                rc = 1;
                break;
            }
            if (rc == 0 && !kp->reply(r, o, first + i, scratch))
                rc = 1;
            freeReplyObject(r);
        }
    }
    free(scratch);
    return rc || stop_requested ? 1 : 0;
}

static bool load_append(redisContext *c, const struct options *o, uint32_t id, char *scratch)
{
    value_fill(scratch, o->value_size, id, o);
    return append_set(c, id, scratch, o->value_size);
}

static bool load_reply(const redisReply *r, const struct options *o, uint32_t id, char *scratch)
{
    return true; /* reply_get() already turned an error reply into a failure */
}

static bool verify_append(redisContext *c, const struct options *o, uint32_t id, char *scratch)
{
    return append_get(c, id);
}

static bool verify_reply(const redisReply *r, const struct options *o, uint32_t id, char *scratch)
{
    if (value_matches(r, id, o, scratch))
        return true;
    printf("verify FAILED key=k:%u (%s)\n", id, r->type == REDIS_REPLY_NIL ? "missing" : "wrong value");
    return false;
}

static int mode_load(redisContext *c, const struct options *o)
{
    static const struct key_pass kp = { "SET", load_append, load_reply };
    double t0 = now_sec();

    if (keys_pass(c, o, &kp) != 0)
        return 1;
    printf("loaded keys=%u bytes=%llu secs=%.2f\n", o->keys,
           (unsigned long long)o->keys * o->value_size, now_sec() - t0);
    fflush(stdout);
    return 0;
}

static int mode_verify(redisContext *c, const struct options *o)
{
    static const struct key_pass kp = { "GET", verify_append, verify_reply };
    double t0 = now_sec();

    if (keys_pass(c, o, &kp) != 0)
        return 1;
    printf("verify ok keys=%u secs=%.2f\n", o->keys, now_sec() - t0);
    fflush(stdout);
    return 0;
}

/* Server-side GET latency: calls so far and how many took <= 4 us (redis times commands in
 * whole microseconds, so the rest took >= 5 us). False when the server keeps no histogram. */
static bool server_get_latency(redisContext *c, uint64_t *calls, uint64_t *fast)
{
    redisReply *r;
    bool found = false;

    if (redisAppendCommand(c, "LATENCY HISTOGRAM get") != REDIS_OK ||
        !reply_get(c, &r, "LATENCY HISTOGRAM"))
        return false;
    /* RESP2: ["get", ["calls", N, "histogram_usec", [bound, cumulative, ...]]] */
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->type == REDIS_REPLY_ARRAY) {
        const redisReply *m = r->element[1];

        *calls = *fast = 0;
        for (size_t i = 0; i + 1 < m->elements; i += 2) {
            const redisReply *k = m->element[i], *v = m->element[i + 1];

            if (k->type != REDIS_REPLY_STRING)
                continue;
            if (strcmp(k->str, "calls") == 0 && v->type == REDIS_REPLY_INTEGER) {
                *calls = (uint64_t)v->integer;
                found = true;
            } else if (strcmp(k->str, "histogram_usec") == 0 && v->type == REDIS_REPLY_ARRAY) {
                for (size_t j = 0; j + 1 < v->elements; j += 2)
                    if (v->element[j]->type == REDIS_REPLY_INTEGER && v->element[j]->integer <= 4 &&
                        v->element[j + 1]->type == REDIS_REPLY_INTEGER &&
                        (uint64_t)v->element[j + 1]->integer > *fast)
                        *fast = (uint64_t)v->element[j + 1]->integer;
            }
        }
    } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 0) {
        *calls = *fast = 0; /* no GET yet */
        found = true;
    }
    freeReplyObject(r);
    return found;
}

struct run_totals {
    struct latency_hist hist;
    uint64_t ops, bad, errors;
};

/* One operation: a GET (checked) or a SET of the same value; false on a lost connection. */
static bool op_once(redisContext *c, const struct options *o, uint32_t id, char *scratch,
                    struct latency_hist *h, struct run_totals *tot)
{
    bool is_set = o->write_pct > 0 && (int)(rng_next() % 100) < o->write_pct;
    redisReply *r;
    uint64_t t0;

    if (is_set)
        value_fill(scratch, o->value_size, id, o);
    t0 = now_ns();
    if (!(is_set ? append_set(c, id, scratch, o->value_size) : append_get(c, id)) ||
        !reply_get(c, &r, is_set ? "SET" : "GET")) {
        tot->errors++;
        return false;
    }
    hist_add(h, now_ns() - t0);
    if (!is_set && !value_matches(r, id, o, scratch)) {
        if (tot->bad++ == 0)
            fprintf(stderr, "redisload: GET k:%u read back wrong\n", id);
    }
    freeReplyObject(r);
    tot->ops++;
    return true;
}

/* --drift: the keys of the top ranks fall to the bottom of the ranking */
static void drift_step(struct keyspace *ks, const struct options *o)
{
    ks->rank_shift = (uint32_t)((ks->rank_shift + (uint64_t)(o->drift_pct / 100.0 * o->keys)) %
                                o->keys);
}

static int mode_run(redisContext *c, const struct options *o, struct keyspace *ks)
{
    double t_drift;
    struct latency_hist *per = calloc(1, sizeof(*per));
    struct run_totals *tot = calloc(1, sizeof(*tot));
    char *scratch = malloc(o->value_size);
    uint64_t calls0 = 0, fast0 = 0, calls, fast, ops_report = 0;
    bool srv = server_get_latency(c, &calls0, &fast0);
    double t_start = now_sec(), t_report = t_start, next_op = t_start;
    int rc = 0;

    t_drift = t_start;
    if (!per || !tot || !scratch) {
        free(per);
        free(tot);
        free(scratch);
        return 1;
    }
    while (!stop_requested && now_sec() - t_start < o->run_secs &&
           (o->max_ops == 0 || tot->ops < o->max_ops)) {
        if (o->rate > 0) {
            double wait = next_op - now_sec();

            if (wait > 0) {
                struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };

                nanosleep(&ts, NULL);
            }
            next_op += 1.0 / o->rate;
        }
        if (o->drift_secs > 0 && now_sec() - t_drift >= o->drift_secs) {
            drift_step(ks, o);
            t_drift = now_sec();
        }
        if (!op_once(c, o, keyspace_pick(ks, o), scratch, per, tot)) {
            rc = 1;
            break;
        }
        ops_report++;
        double t = now_sec();
        if (t - t_report >= o->report) {
            double share = -1;

            if (srv && server_get_latency(c, &calls, &fast)) {
                share = calls > calls0 ? 1.0 - (double)(fast - fast0) / (double)(calls - calls0) : 0;
                calls0 = calls;
                fast0 = fast;
            }
            printf("t=%.1f ops/s=%.0f p50_us=%.1f p99_us=%.1f srv_slow5us=%.5f bad=%llu\n",
                   t - t_start, (double)ops_report / (t - t_report), hist_quantile_us(per, 0.50),
                   hist_quantile_us(per, 0.99), share, (unsigned long long)tot->bad);
            fflush(stdout);
            hist_merge(&tot->hist, per);
            memset(per, 0, sizeof(*per));
            ops_report = 0;
            t_report = now_sec();
        }
    }
    hist_merge(&tot->hist, per);
    double secs = now_sec() - t_start;
    printf("summary ops=%llu secs=%.1f ops/s=%.0f p50_us=%.1f p99_us=%.1f bad=%llu errors=%llu\n",
           (unsigned long long)tot->ops, secs, (double)tot->ops / secs,
           hist_quantile_us(&tot->hist, 0.50), hist_quantile_us(&tot->hist, 0.99),
           (unsigned long long)tot->bad, (unsigned long long)tot->errors);
    fflush(stdout);
    if (tot->bad)
        rc = 1;
    free(per);
    free(tot);
    free(scratch);
    return rc;
}

static void print_hot_list(const struct keyspace *ks)
{
    for (uint32_t i = 0; i < ks->nhot;) {
        uint32_t j = i;

        while (j + 1 < ks->nhot && ks->hot[j + 1] == ks->hot[j] + 1)
            j++;
        printf("hot %u-%u\n", ks->hot[i], ks->hot[j]);
        i = j + 1;
    }
}

/* ---- options ---- */

static void usage(void)
{
    fprintf(stderr,
            "usage: redisload --port P [--host 127.0.0.1] [--keys N] [--value-size B] [--seed S]\n"
            "       [--load] [--run SECS [--max-ops N] [--rate OPS] [--write-pct N] [--report S]\n"
            "        [--dist hotspot:KEYS%%:OPS%%|zipf:THETA|uniform] [--hot-chunk K]\n"
            "        [--drift SECS:PCT]] [--verify] [--values random|records]\n"
            "       [--hot-list] [--sample N]\n"
            "       [--idle-gaps SECS --rate OPS [--keys-per-page N] [--dist ...] [--drift ...]]\n");
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;

    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;

    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static bool parse_dist(const char *s, struct options *o)
{
    if (strcmp(s, "uniform") == 0) {
        o->dist = DIST_UNIFORM;
        return true;
    }
    if (strncmp(s, "zipf:", 5) == 0) {
        o->dist = DIST_ZIPF;
        return parse_double(s + 5, 0.01, 0.999, &o->theta);
    }
    if (strncmp(s, "hotspot:", 8) == 0) {
        char keys[32];
        const char *colon = strchr(s + 8, ':');

        if (!colon || (size_t)(colon - (s + 8)) >= sizeof(keys))
            return false;
        memcpy(keys, s + 8, (size_t)(colon - (s + 8)));
        keys[colon - (s + 8)] = '\0';
        o->dist = DIST_HOTSPOT;
        return parse_double(keys, 0, 100, &o->hot_keys_pct) &&
               parse_double(colon + 1, 0, 100, &o->hot_ops_pct);
    }
    return false;
}

static bool parse_drift(const char *s, struct options *o)
{
    char secs[32];
    const char *colon = strchr(s, ':');

    if (!colon || (size_t)(colon - s) >= sizeof(secs))
        return false;
    memcpy(secs, s, (size_t)(colon - s));
    secs[colon - s] = '\0';
    return parse_double(secs, 0.1, MAX_RUN_SECS, &o->drift_secs) &&
           parse_double(colon + 1, 0.001, 100, &o->drift_pct);
}

/* --idle-gaps: thresholds (s) of the page-out-after-idle policies it prices */
static const double idle_taus[] = { 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3000 };
#define N_TAUS (sizeof(idle_taus) / sizeof(idle_taus[0]))
#define COLD_FOR_S 3000.0 /* "cold for 50 minutes" */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define GAP_BIN_S 0.1  /* the gap histogram's resolution */
#define GAP_BINS ((size_t)(MAX_RUN_SECS / GAP_BIN_S) + 1)
static const double oracle_out_pcts[] = { 10, 25, 50 };

/* Gaps between touches of a page: for each TAU, what the page-out-after-TAU policy keeps
 * out and the refaults it pays; and a histogram of the gaps (count, total length) for the
 * bound no policy can beat. */
struct gap_stats {
    double out_s[N_TAUS];
    uint64_t faults[N_TAUS];
    uint64_t *bin_n;
    double *bin_s;
    double open_s;   /* gaps still open at the end: out for free */
};

/* One gap of GAP s between two touches of a page (CLOSED: the second touch happened, which
 * under a policy that had paged it out is a refault). */
static void idle_gap(struct gap_stats *g, double gap, bool closed)
{
    if (!closed) {
        g->open_s += gap;
    } else {
        size_t b = (size_t)(gap / GAP_BIN_S);
        b = b < GAP_BINS ? b : GAP_BINS - 1;
        g->bin_n[b]++;
        g->bin_s[b] += gap;
    }
    for (size_t k = 0; k < N_TAUS; k++) {
        if (gap <= idle_taus[k])
            break;
        g->out_s[k] += gap - idle_taus[k];
        g->faults[k] += closed;
    }
}

static int idle_gaps(const struct options *o, struct keyspace *ks)
{
    uint32_t npages = (o->keys + o->keys_per_page - 1) / o->keys_per_page;
    double *last = calloc(npages, sizeof(double)), *longest = calloc(npages, sizeof(double));
    double t_drift = 0, page_time = (double)npages * o->idle_secs;
    uint64_t nops = (uint64_t)(o->idle_secs * o->rate), cold_pages = 0;
    struct gap_stats g = { .bin_n = calloc(GAP_BINS, sizeof(uint64_t)),
                           .bin_s = calloc(GAP_BINS, sizeof(double)) };

    if (!last || !longest || !g.bin_n || !g.bin_s) {
        free(last);
        free(longest);
        free(g.bin_n);
        free(g.bin_s);
        fprintf(stderr, "redisload: out of memory for %u pages\n", npages);
        return 1;
    }
    for (uint64_t i = 0; i < nops; i++) {
        double t = (double)i / o->rate;

        if (o->drift_secs > 0 && t - t_drift >= o->drift_secs) {
            drift_step(ks, o);
            t_drift = t;
        }
        uint32_t pg = keyspace_pick(ks, o) / o->keys_per_page;
        double gap = t - last[pg];
        idle_gap(&g, gap, true);
        if (gap > longest[pg])
            longest[pg] = gap;
        last[pg] = t;
    }
    for (uint32_t pg = 0; pg < npages; pg++) {
        double gap = o->idle_secs - last[pg]; /* still untouched at the end: no refault */
        idle_gap(&g, gap, false);
        if (gap > longest[pg])
            longest[pg] = gap;
        cold_pages += longest[pg] >= COLD_FOR_S;
    }
    qsort(longest, npages, sizeof(double), cmp_double);
    printf("idle pages=%u keys_per_page=%u secs=%.0f rate=%.0f ops=%llu\n", npages,
           o->keys_per_page, o->idle_secs, o->rate, (unsigned long long)nops);
    printf("longest_gap_s p50=%.1f p90=%.1f p99=%.1f max=%.1f pages_untouched_%.0fs=%llu\n",
           longest[npages / 2], longest[(uint64_t)npages * 9 / 10],
           longest[(uint64_t)npages * 99 / 100], longest[npages - 1], COLD_FOR_S,
           (unsigned long long)cold_pages);
    for (size_t k = 0; k < N_TAUS; k++) {
        double out = g.out_s[k] / page_time;
        double per_min = (double)g.faults[k] / (o->idle_secs / 60.0);
        double resident = (double)npages * (1.0 - out);

        printf("tau=%.0f out_pct=%.2f refaults_per_min=%.0f refault_pct_resident_per_min=%.2f\n",
               idle_taus[k], 100.0 * out, per_min, resident > 0 ? 100.0 * per_min / resident : 0);
    }
    /* the bound: a policy that knew the future (no prefetching) pages out for whole gaps,
     * the longest first, and pays one refault per gap it used */
    for (size_t k = 0; k < sizeof(oracle_out_pcts) / sizeof(oracle_out_pcts[0]); k++) {
        double want = oracle_out_pcts[k] / 100.0 * page_time - g.open_s, got = 0, n = 0;
        size_t b = GAP_BINS;
        while (b > 0 && got < want) {
            b--;
            if (g.bin_n[b] == 0)
                continue;
            double mean = g.bin_s[b] / (double)g.bin_n[b];
            double take = got + g.bin_s[b] <= want ? (double)g.bin_n[b] : ceil((want - got) / mean);
            got += take * mean;
            n += take;
        }
        double per_min = n / (o->idle_secs / 60.0);
        double resident = (double)npages * (1.0 - oracle_out_pcts[k] / 100.0);
        printf("oracle out_pct=%.0f refaults_per_min=%.0f refault_pct_resident_per_min=%.2f%s\n",
               oracle_out_pcts[k], per_min, 100.0 * per_min / resident,
               got < want ? " (not reachable: the gaps do not add up to it)" : "");
    }
    free(last);
    free(longest);
    free(g.bin_n);
    free(g.bin_s);
    return 0;
}

static int sample_values(const struct options *o)
{
    char *buf = malloc(o->value_size);

    if (buf == NULL)
        return 1;
    for (uint32_t id = 0; id < o->sample; id++) {
        value_fill(buf, o->value_size, id, o);
        if (fwrite(buf, 1, o->value_size, stdout) != o->value_size) {
            free(buf);
            return 1;
        }
    }
    free(buf);
    return fflush(stdout) == 0 ? 0 : 1;
}

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option lo[] = {
        { "host", 1, NULL, 'h' },      { "port", 1, NULL, 'p' },     { "keys", 1, NULL, 'k' },
        { "value-size", 1, NULL, 'v' }, { "seed", 1, NULL, 's' },    { "load", 0, NULL, 'L' },
        { "run", 1, NULL, 'r' },       { "max-ops", 1, NULL, 'm' },  { "rate", 1, NULL, 'R' },
        { "write-pct", 1, NULL, 'w' }, { "report", 1, NULL, 'P' },   { "dist", 1, NULL, 'd' },
        { "hot-chunk", 1, NULL, 'c' }, { "verify", 0, NULL, 'V' },   { "hot-list", 0, NULL, 'H' },
        { "values", 1, NULL, 'X' },    { "sample", 1, NULL, 'S' },   { "drift", 1, NULL, 'D' },
        { "idle-gaps", 1, NULL, 'I' }, { "keys-per-page", 1, NULL, 'K' },
        { NULL, 0, NULL, 0 },
    };
    uint64_t v;
    int c;
    bool ok = true;

    *o = (struct options){ .host = "127.0.0.1", .keys = 100000, .value_size = 1000, .seed = 1,
                           .report = 1, .dist = DIST_HOTSPOT, .hot_keys_pct = 10,
                           .hot_ops_pct = 99, .hot_chunk = 64, .keys_per_page = 4 };
    while (ok && (c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'h': o->host = optarg; break;
        case 'p': ok = parse_u64(optarg, 65535, &v) && v > 0; o->port = (int)v; break;
        case 'k': ok = parse_u64(optarg, MAX_KEYS, &v) && v > 0; o->keys = (uint32_t)v; break;
        case 'v': ok = parse_u64(optarg, MAX_VALUE, &v) && v > 0; o->value_size = (uint32_t)v; break;
        case 's': ok = parse_u64(optarg, UINT64_MAX, &o->seed); break;
        case 'L': o->load = true; break;
        case 'r': ok = parse_double(optarg, 0.001, MAX_RUN_SECS, &o->run_secs); break;
        case 'm': ok = parse_u64(optarg, UINT64_MAX, &o->max_ops); break;
        case 'R': ok = parse_double(optarg, 0, 1e7, &o->rate); break;
        case 'w': ok = parse_u64(optarg, 100, &v); o->write_pct = (int)v; break;
        case 'P': ok = parse_double(optarg, 0.01, 3600, &o->report); break;
        case 'd': ok = parse_dist(optarg, o); break;
        case 'c': ok = parse_u64(optarg, MAX_KEYS, &v) && v > 0; o->hot_chunk = (uint32_t)v; break;
        case 'V': o->verify = true; break;
        case 'H': o->hot_list = true; break;
        case 'X':
            ok = strcmp(optarg, "random") == 0 || strcmp(optarg, "records") == 0;
            o->values = strcmp(optarg, "records") == 0 ? VALUES_RECORDS : VALUES_RANDOM;
            break;
        case 'S': ok = parse_u64(optarg, MAX_KEYS, &v) && v > 0; o->sample = (uint32_t)v; break;
        case 'D': ok = parse_drift(optarg, o); break;
        case 'I': ok = parse_double(optarg, 1, MAX_RUN_SECS, &o->idle_secs); break;
        case 'K': ok = parse_u64(optarg, MAX_KEYS, &v) && v > 0; o->keys_per_page = (uint32_t)v; break;
        default: ok = false; break;
        }
    }
    bool offline = o->hot_list || o->sample || o->idle_secs > 0;
    if (!ok || optind != argc || (!offline && o->port == 0) ||
        !(o->load || o->run_secs > 0 || o->verify || offline)) {
        usage();
        return -1;
    }
    if (o->idle_secs > 0 && o->rate <= 0) {
        fprintf(stderr, "redisload: --idle-gaps draws keys at --rate ops/s: give the rate\n");
        return -1;
    }
    if (o->drift_secs > 0 && o->dist != DIST_ZIPF) {
        fprintf(stderr, "redisload: --drift moves a zipf ranking: it needs --dist zipf:THETA\n");
        return -1;
    }
    if (!host_is_loopback(o->host)) {
        fprintf(stderr, "redisload: only loopback servers (127.0.0.1, ::1, localhost)\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct keyspace ks;
    struct sigaction sa = { .sa_handler = on_stop };
    redisContext *c = NULL;
    int rc = 0;

    if (parse(argc, argv, &o) < 0)
        return 2;
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0) {
        perror("redisload: sigaction");
        return 1;
    }
    rng_state ^= mix64(o.seed ^ (uint64_t)getpid());
    if (keyspace_init(&ks, &o) < 0)
        return 1;
    if (o.sample) {
        keyspace_free(&ks);
        return sample_values(&o);
    }
    if (o.hot_list) {
        print_hot_list(&ks);
        keyspace_free(&ks);
        return 0;
    }
    if (o.idle_secs > 0) {
        rc = idle_gaps(&o, &ks);
        keyspace_free(&ks);
        return rc;
    }
    c = server_connect(&o);
    if (!c) {
        keyspace_free(&ks);
        return 1;
    }
    if (o.load)
        rc = mode_load(c, &o);
    if (rc == 0 && o.run_secs > 0)
        rc = mode_run(c, &o, &ks);
    if (rc == 0 && o.verify)
        rc = mode_verify(c, &o);
    redisFree(c);
    keyspace_free(&ks);
    return rc;
}
