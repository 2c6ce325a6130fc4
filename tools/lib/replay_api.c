/* SPDX-License-Identifier: MIT */
/*
 * The replay's public entry points that depend on the input formats: a
 * config's kind chooses its front end (replay_trace.c, replay_script.c),
 * which the core (replay.c) then drives through struct pcv_rp_frontend.
 */
#include <errno.h>
#include <string.h>

#include "replay_int.h"

PPCVIRT_API int ppcvirt_replay_create(const struct ppcvirt_replay_config *cfg,
				      struct ppcvirt_replay **out)
{
	if (!cfg || !out)
		return -EINVAL;
	switch (cfg->kind) {
	case PPCVIRT_REPLAY_TRACE:
		return pcv_rp_create(cfg, &pcv_rp_trace_frontend, out);
	case PPCVIRT_REPLAY_SCRIPT:
		return pcv_rp_create(cfg, &pcv_rp_script_frontend, out);
	default:
		return -EINVAL;
	}
}

PPCVIRT_API int ppcvirt_replay_buffer(const struct ppcvirt_replay_config *cfg,
				      const void *buf, size_t len,
				      struct ppcvirt_replay_result *res)
{
	struct ppcvirt_replay *r;
	int ret;

	if (!res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	ret = ppcvirt_replay_create(cfg, &r);
	if (ret) {
		res->error = ret;
		return ret;
	}
	ret = ppcvirt_replay_feed(r, buf, len);
	if (!ret && cfg->kind == PPCVIRT_REPLAY_TRACE) {
		ret = ppcvirt_replay_rewind(r);
		if (!ret)
			ret = ppcvirt_replay_feed(r, buf, len);
	}
	ret = ppcvirt_replay_finish(r, res);
	ppcvirt_replay_destroy(r);
	return ret;
}
