/* thirdparty.c - the thirdparty engine: operators' own policies loaded as shared libraries
 * through the guide's struct engine_ops. This file holds its configuration. */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "thirdparty.h"
#include "xalloc.h"

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

static void release_string(void *dst)
{
    free(*(char **)dst);
    *(char **)dst = NULL;
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
      .release = release_string, .range = "absolute path, 1..256 characters",
      .help = "the plug-in library: owned by root, mode 500 or 700" },
    { "ops_name", KEY_CUSTOM, KEY_REQUIRED, 0, 256, NULL,
      offsetof(struct thirdparty_engine_conf, ops_name), .parse = parse_symbol,
      .release = release_string, .range = "C identifier, 1..256 characters",
      .help = "the symbol of the plug-in's struct engine_ops" },
    KEY_END,
};

static const char *thirdparty_identity(const void *engine_params)
{
    const struct thirdparty_engine_conf *conf = engine_params;

    return conf->eng_name;
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
};
