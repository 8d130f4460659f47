/* SPDX-License-Identifier: MulanPSL-2.0 */
/* cslide_policy.h - the cslide placement policy: given every unit of tracked memory (its
 * heat over the last cycle, where it is, what the previous cycle did to it) and the free
 * memory of one fast/slow node pair, decide what to demote and what to promote.
 *
 * Pure: no I/O, no allocation beyond the call, no global state; the runtime (cslide_run.c)
 * feeds it what the trackers and move_pages(2) said, and unit tests feed it synthetic heat
 * maps. The rules (docs/cslide.md):
 *   - hot = heat >= hot_threshold; hot units belong on the fast node, cold ones on the slow;
 *   - hysteresis: in the cycle right after a unit was moved, it goes back only if its heat
 *     crossed the threshold by the margin (demoted: heat >= T + margin to come back;
 *     promoted: heat < T - margin to go back down);
 *   - units already on the right node are untouched;
 *   - cold units on the fast node are demoted, coldest first;
 *   - the fast node keeps `reserve` bytes free in each pool: when it has less, its coldest
 *     hot units go down too (not those promoted in the previous cycle);
 *   - hot units on the slow node are promoted, hottest first, into the room left;
 *   - when room runs out, a slow-node unit hotter by at least the margin than the coldest
 *     hot unit on the fast node displaces it;
 *   - at most `quota` bytes per direction per call (per pair and cycle); moves never exceed
 *     the destination's free memory in the unit's pool;
 *   - the feedback guard (optional): a unit's owner demotes at most demote_budget[owner]
 *     bytes (shared by every pair, used up as the plans go), and a cold unit marked young
 *     (not cold for as many cycles as the guard asks) stays on the fast node;
 *   - ties go in input order (the runtime gives units in pid, then address order).
 * Units may be runs of several granules; a run can be moved in part (whole granules, the
 * first ones by address). */
#ifndef ETMEM_CSLIDE_POLICY_H
#define ETMEM_CSLIDE_POLICY_H

#include <stddef.h>
#include <stdint.h>

/* Memory comes from two pools with separate free counts on each node. */
enum cs_pool {
    CS_POOL_PAGE,       /* ordinary memory: 4 KiB pages and THP (node MemFree) */
    CS_POOL_HUGETLB,    /* 2 MiB hugetlb pages (the node's free_hugepages) */
    CS_POOL_COUNT
};

enum cs_move { CS_STAY, CS_DEMOTE, CS_PROMOTE };

/* What the previous cycle did to a unit (for hysteresis). */
enum cs_last { CS_LAST_NONE, CS_LAST_DEMOTED, CS_LAST_PROMOTED };

struct cs_unit {
    uint64_t addr;          /* opaque to the policy (the runtime's start address) */
    uint64_t bytes;         /* size, a multiple of granule */
    uint64_t move_bytes;    /* out: how much of it (from its start) to move */
    uint32_t granule;       /* smallest part that moves alone: a base page or 2 MiB */
    uint32_t owner;         /* opaque (the runtime's process index) */
    uint16_t heat;          /* access weight summed over the cycle's scans */
    int16_t node;           /* where it is now */
    uint8_t pool;           /* enum cs_pool */
    uint8_t last;           /* enum cs_last */
    uint8_t move;           /* out: enum cs_move */
    uint8_t young;          /* cold fewer cycles in a row than the guard asks: not demoted */
};

struct cs_params {
    unsigned hot_threshold; /* heat >= this is hot */
    unsigned margin;        /* hysteresis margin, >= 1 */
    uint64_t quota;         /* bytes per direction */
    uint64_t reserve;       /* bytes kept free on the fast node, in each pool */
    uint64_t *demote_budget; /* per owner, bytes it may still demote (decremented); NULL:
                               no budget */
};

struct cs_pair {
    int fast, slow;                         /* node ids */
    uint64_t fast_free[CS_POOL_COUNT];      /* free bytes now */
    uint64_t slow_free[CS_POOL_COUNT];
};

struct cs_plan_stats {
    uint64_t demote_bytes;
    uint64_t promote_bytes;
    uint64_t displaced_bytes;   /* part of demote_bytes that made room for hotter units */
    uint64_t held_bytes;        /* kept in place by the hysteresis rule */
    uint64_t waiting_bytes[2];  /* left unmoved for lack of [0] quota, [1] room */
};

/* The hysteresis margin for a threshold: 1 + T/4. */
unsigned cs_margin_for(unsigned hot_threshold);

/* Does a unit belong on the fast node (threshold adjusted by its last move)? */
int cs_wants_fast(const struct cs_params *p, const struct cs_unit *u);

/* Region projects: a region (from a region source) is known by its access count and by
 * where a few of its pages are. It is cut into up to CS_REGION_STRIPES stripes of equal
 * size, and one page of each is asked its node; each stripe is taken to be where that page
 * is (a query per stripe, not per page: cost bounded by the regions). The stripes go in
 * pairs: the first of a pair is asked at its first page, the second at its last, so a pair
 * moved in part from its start (as moves go) shows both nodes. Neighbouring stripes on the
 * same node, with the same last move, make one unit of the region's heat and base-page
 * granule. */
#define CS_REGION_STRIPES 16

struct cs_region {
    uint64_t start, end;    /* page aligned */
    uint32_t nr_accesses;   /* checks of its last aggregation that found it accessed */
};

/* The stripes of r: their number (0 for an empty region), the address of the page asked for
 * each in at[] (CS_REGION_STRIPES entries). */
size_t cs_region_stripes(const struct cs_region *r, uint64_t page, uint64_t *at);

/* The units of r from its stripes' nodes (node[i] < 0: not present, no unit) and last
 * moves (enum cs_last), written to out (CS_REGION_STRIPES entries); returns how many.
 * owner is left 0. */
size_t cs_region_units(const struct cs_region *r, uint64_t page, const int *node,
                       const uint8_t *last, struct cs_unit *out);

/* The feedback guard's demotion quota of a task shared by its n processes in proportion to
 * their cold bytes cold[i], in whole pages, never above a process's cold bytes; out[i]. */
void cs_budget_split(uint64_t quota, const uint64_t *cold, size_t n, uint64_t page,
                     uint64_t *out);

/* Decide the moves of one pair: units on its two nodes get move/move_bytes; units on other
 * nodes are not touched at all (so one array can go through every pair's plan; the caller
 * zeroes move/move_bytes first). st may be NULL. Returns 0. */
int cs_plan(const struct cs_params *p, const struct cs_pair *pair, struct cs_unit *u, size_t n,
            struct cs_plan_stats *st);

#endif
