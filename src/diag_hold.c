/* diag_hold.c — diagnostics held back and reported later, in order (what a
 * worker process says of a document made beside others comes first). */
#include <stdlib.h>

#include "jingsai.h"

/* What diag_hold keeps: each message with its own copies of the strings. */
struct diag_held {
	struct diag_msg *msgs;
	size_t n, cap;
	diag_sink_fn old_fn;
	void *old_arg;
	int holding;        /* its sink is installed */
};

static void
hold_sink(const struct diag_msg *m, void *arg)
{
	struct diag_held *h = arg;
	struct diag_msg *k;

	h->msgs = xgrow(h->msgs, h->n, &h->cap, 16, sizeof *h->msgs);
	k = &h->msgs[h->n++];
	*k = *m;
	k->file = m->file != NULL ? xstrdup(m->file) : NULL;
	k->text = xstrdup(m->text);
	k->doc_text = m->doc_text != NULL ? xstrdup(m->doc_text) : NULL;
	k->hint = m->hint != NULL ? xstrdup(m->hint) : NULL;
}

struct diag_held *
diag_hold(void)
{
	struct diag_held *h = xcalloc(1, sizeof *h);

	diag_set_sink(hold_sink, h, &h->old_fn, &h->old_arg);
	h->holding = 1;
	return h;
}

void
diag_unhold(struct diag_held *h)
{
	if (h->holding)
		diag_set_sink(h->old_fn, h->old_arg, NULL, NULL);
	h->holding = 0;
}

void
diag_release(struct diag_held *h)
{
	diag_unhold(h);
	for (size_t i = 0; i < h->n; i++) {
		diag_deliver(&h->msgs[i]);
		free((char *)h->msgs[i].file);
		free((char *)h->msgs[i].text);
		free((char *)h->msgs[i].doc_text);
		free((char *)h->msgs[i].hint);
	}
	free(h->msgs);
	free(h);
}
