/* Resource models: MODEL_DIR/NAME.conf, one INI file per model, naming the
 * limits a site gets when it is created with --model NAME. */
#ifndef CTUI_MODEL_H
#define CTUI_MODEL_H

#include <stdbool.h>

#include "ctui/config.h"
#include "ctui/error.h"
#include "ctui/site.h"

/* The values of one model file. A key the file leaves out is 0 here and
 * leaves the template's value in place. */
struct ctui_model {
	char description[256];
	struct ctui_limits limits;
};

/* Reads MODEL_DIR/NAME.conf. Unknown sections or keys, a key given twice
 * and invalid values fail with EINVAL and "PATH:LINE: message"; a missing
 * file fails with ENOENT. */
int ctui_model_load(const struct ctui_config *cfg, const char *name, struct ctui_model *model,
		    struct ctui_error *err);

/* Overwrites the fields of LIMITS that are set (non-zero) in OVERRIDE. */
void ctui_limits_merge(struct ctui_limits *limits, const struct ctui_limits *override);

#endif
