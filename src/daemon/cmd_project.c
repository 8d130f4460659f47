/* cmd_project.c - `etmem project start|stop|show`. show prints the original's table (scripts
 * parse its columns) or, with --json, everything as one JSON object. */
#include <stdbool.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "model.h"
#include "strbuf.h"

#define SHOW_HEADER "%-8s %-8s %-16s %-16s %-16s %-8s\n"
#define SHOW_ROW "%-8d %-8s %-16s %-16s %-16s %-8s\n"

static struct project *find_or_fail(const char *name, struct diag *d)
{
    struct project *p = model_find_project(name);

    if (p == NULL)
        diag_error(d, "project '%s' does not exist", name);
    return p;
}

enum etmem_status cmd_project_start(const struct etmem_request *req, struct reply *r,
                                    struct diag *d)
{
    enum etmem_status st = ST_OK;
    struct project *p;

    model_lock();
    p = find_or_fail(req->field[FIELD_PROJECT], d);
    if (p == NULL) {
        st = ST_PRO_NOEXIST;
    } else if (p->start) {
        diag_error(d, "project '%s' has been started already", p->name);
        st = ST_PRO_STARTED;
    } else if (project_start(p, d) < 0) {
        st = ST_INTER_ERR;
    }
    model_unlock();
    return st;
}

enum etmem_status cmd_project_stop(const struct etmem_request *req, struct reply *r,
                                   struct diag *d)
{
    enum etmem_status st = ST_OK;
    struct project *p;

    model_lock();
    p = find_or_fail(req->field[FIELD_PROJECT], d);
    if (p == NULL) {
        st = ST_PRO_NOEXIST;
    } else if (!p->start) {
        diag_error(d, "project '%s' has been stopped already (it is not running)", p->name);
        st = ST_PRO_STOPPED;
    } else {
        project_stop(p);
    }
    model_unlock();
    return st;
}

static void show_text(struct reply *r, struct project *p)
{
    reply_printf(r, "project: %s\n", p->name);
    reply_printf(r, SHOW_HEADER, "number", "type", "value", "name", "engine", "started");
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        int number = 1;

        for (struct task *t = e->tasks; t != NULL; t = t->next)
            reply_printf(r, SHOW_ROW, number++, t->type, t->value, t->name, e->name,
                         p->start ? "true" : "false");
    }
}

static void json_int_or_null(struct strbuf *sb, const char *key, int v)
{
    if (v < 0)
        sb_printf(sb, ",\"%s\":null", key);
    else
        sb_printf(sb, ",\"%s\":%d", key, v);
}

static void show_json_project(struct strbuf *sb, struct project *p)
{
    sb_add(sb, "{\"name\":", 8);
    sb_json_str(sb, p->name);
    sb_printf(sb, ",\"started\":%s,\"scan_type\":\"%s\"", p->start ? "true" : "false",
              p->type == PAGE_SCAN ? "page" : "region");
    if (p->type == PAGE_SCAN) {
        const struct page_scan *ps = p->scan_param;

        sb_printf(sb, ",\"loop\":%d,\"interval\":%d,\"sleep\":%d", ps->loop, ps->interval,
                  ps->sleep);
    }
    json_int_or_null(sb, "sysmem_threshold", p->sysmem_threshold);
    json_int_or_null(sb, "swapcache_high_wmark", p->swapcache_high_wmark);
    json_int_or_null(sb, "swapcache_low_wmark", p->swapcache_low_wmark);
    sb_add(sb, ",\"engines\":[", 12);
    for (struct engine *e = p->engs; e != NULL; e = e->next) {
        sb_add(sb, "{\"name\":", 8);
        sb_json_str(sb, e->name);
        sb_add(sb, ",\"kind\":", 8);
        sb_json_str(sb, engine_obj(e)->kind->name);
        sb_add(sb, ",\"tasks\":[", 10);
        for (struct task *t = e->tasks; t != NULL; t = t->next) {
            sb_add(sb, "{\"name\":", 8);
            sb_json_str(sb, t->name);
            sb_add(sb, ",\"type\":", 8);
            sb_json_str(sb, t->type);
            sb_add(sb, ",\"value\":", 9);
            sb_json_str(sb, t->value);
            sb_printf(sb, ",\"running\":%s}%s", task_obj(t)->running ? "true" : "false",
                      t->next ? "," : "");
        }
        sb_printf(sb, "]}%s", e->next ? "," : "");
    }
    sb_add(sb, "]}", 2);
}

static void show_json(struct reply *r, const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    bool first = true;

    sb_add(&sb, "{\"projects\":[", 13);
    for (struct project *p = model_first_project(); p != NULL; p = model_next_project(p)) {
        if (name != NULL && strcmp(p->name, name) != 0)
            continue;
        if (!first)
            sb_add(&sb, ",", 1);
        first = false;
        show_json_project(&sb, p);
    }
    sb_add(&sb, "]}\n", 3);
    reply_out(r, sb.s, sb.len);
    sb_free(&sb);
}

enum etmem_status cmd_project_show(const struct etmem_request *req, struct reply *r,
                                   struct diag *d)
{
    const char *name = req->field[FIELD_PROJECT];
    struct project *p;

    model_lock();
    if (req->flags & REQ_FLAG_JSON) {
        show_json(r, name);
    } else if (name != NULL) {
        p = model_find_project(name);
        if (p != NULL)
            show_text(r, p);
        else
            reply_printf(r, "project: project %s is not existed\n\n", name);
    } else if (model_first_project() == NULL) {
        reply_printf(r, "no project exists\n\n");
    } else {
        for (p = model_first_project(); p != NULL; p = model_next_project(p))
            show_text(r, p);
    }
    model_unlock();
    return ST_OK;
}
