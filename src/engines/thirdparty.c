/* SPDX-License-Identifier: MulanPSL-2.0 */
/* thirdparty.c - the thirdparty engine: operators' own policies loaded as shared libraries
 * through the guide's struct engine_ops. This file holds its configuration and its attach
 * and detach; thirdparty_load.c loads the library, plugin_call.c calls into it, and the
 * object model (src/daemon/model.c) drives the calls in the original's order. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "plugin_call.h"
#include "thirdparty.h"
#include "xalloc.h"

#define CALL_TIMEOUT_DEFAULT "5"

static bool parse_abs_path(const struct config_key *key, const char *text, void *dst, char **why)
{
    if (text[0] != '/') {
        xasprintf(why, "'%s' is not an absolute path", text);
        return false;
    }
    if ((int64_t)strlen(text) > key->max) {
        xasprintf(why, "'%s' is longer than %lld characters", text, (long long)key->max);
        return false;
    }
    *(char **)dst = xstrdup(text);
    return true;
}

static bool parse_symbol(const struct config_key *key, const char *text, void *dst, char **why)
{
    size_t len = strlen(text);

    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (i > 0 && c >= '0' && c <= '9');

        if (!ok) {
            xasprintf(why, "'%s' is not a C identifier (the name of a struct engine_ops)", text);
            return false;
        }
    }
    if ((int64_t)len > key->max) {
        xasprintf(why, "'%s' is longer than %lld characters", text, (long long)key->max);
        return false;
    }
    *(char **)dst = xstrdup(text);
    return true;
}

static const struct config_key thirdparty_id_keys[] = {
    { "eng_name", KEY_NAME, KEY_REQUIRED, 0, 64, NULL,
      offsetof(struct thirdparty_engine_conf, eng_name),
      .help = "the engine's name; tasks name it in engine=" },
    KEY_END,
};

static const struct config_key thirdparty_engine_keys[] = {
    { "libname", KEY_CUSTOM, KEY_REQUIRED, 0, 256, NULL,
      offsetof(struct thirdparty_engine_conf, libname), .parse = parse_abs_path,
      .release = key_release_string, .range = "absolute path, 1..256 characters",
      .help = "the plug-in library: owned by root, mode 500 or 700" },
    { "ops_name", KEY_CUSTOM, KEY_REQUIRED, 0, 256, NULL,
      offsetof(struct thirdparty_engine_conf, ops_name), .parse = parse_symbol,
      .release = key_release_string, .range = "C identifier, 1..256 characters",
      .help = "the symbol of the plug-in's struct engine_ops" },
    { "call_timeout", KEY_INT, 0, 1, 300, CALL_TIMEOUT_DEFAULT,
      offsetof(struct thirdparty_engine_conf, call_timeout), .range = "1..300 seconds",
      .help = "how long one call into the plug-in may take; a call still running then is "
              "left behind and reported (etmemd extension)" },
    KEY_END,
};

static const char *thirdparty_identity(const void *engine_params)
{
    const struct thirdparty_engine_conf *conf = engine_params;

    return conf->eng_name;
}

static int thirdparty_attach(struct engine *eng, void *engine_conf, const struct conf_file *cf,
                             struct diag *d)
{
    struct thirdparty_engine_conf *conf = engine_conf;

    conf->lib = plugin_lib_load(conf->libname, conf->ops_name, &eng->ops, cf, d);
    if (conf->lib == NULL)
        return -1;
    eng->handler = plugin_lib_handle(conf->lib);
    conf->binding = (struct plugin_binding){
        .gate = plugin_lib_gate(conf->lib),
        .timeout_ms = (unsigned)conf->call_timeout * 1000u,
    };
    return 0;
}

static void thirdparty_detach(struct engine *eng, void *engine_conf)
{
    struct thirdparty_engine_conf *conf = engine_conf;

    eng->ops = NULL;
    eng->handler = NULL;
    plugin_lib_unload(conf->lib);
    conf->lib = NULL;
}

static const struct plugin_binding *thirdparty_binding(const void *engine_conf)
{
    const struct thirdparty_engine_conf *conf = engine_conf;

    return &conf->binding;
}

const struct engine_kind thirdparty_engine_kind = {
    .name = "thirdparty",
    .engine_type = THIRDPARTY_ENGINE,
    .summary = "run an operator's own policy from a shared library (struct engine_ops)",
    .engine_id_keys = thirdparty_id_keys,
    .engine_keys = thirdparty_engine_keys,
    .engine_params_size = sizeof(struct thirdparty_engine_conf),
    .plugin = true,
    .identity = thirdparty_identity,
    .attach = thirdparty_attach,
    .detach = thirdparty_detach,
    .binding = thirdparty_binding,
};
